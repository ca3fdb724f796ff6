"""Odoo writes in bulk: `load` for flat records, `create`/`write` on lists for documents.

`Model.load(fields, data)` is Odoo's import: one call creates and updates many
records, each row with its own values, and keeps an external id per row (an
`ir.model.data` entry, `toothpick.<name from the local id>`). A row whose
external id already exists updates that record, so a create the worker sent
before it was killed is found again rather than made twice: the push is
repeatable. Updates name their record by database id (`.id`). Rows that share
their columns go in one call (an empty cell would clear a field, so rows with
other columns go in another).

`load` is one transaction: if any row fails, Odoo stores none and names the
failed rows (`messages[].record`). Those rows get Odoo's message as their error
and the others are sent again, so one bad record fails alone at the cost of one
more call. Documents with lines (quotes) cannot go through `load` here (their
lines are sub-rows); they use `create` with a list of value dicts and `write` on
the ids that share identical values, and a refused call is retried record by
record. A document's create writes the hub's `local:` id into `origin` (Odoo's
"Source Document": the reference of what asked for the order), unless the field map
already fills it; when the create may have reached Odoo before (`maybe_sent`), one
`search_read` on `origin` finds the documents made before the interruption, which
are then written (their lines replaced) instead of created a second time.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from adapters.base import OutboundRecord, WriteResult
from adapters.budget import CallKind, counting_as
from adapters.odoo_rpc import OdooOrm
from adapters.spec import read_time
from core.errors import VendorError
from core.iterables import batched

XMLID_MODULE = "toothpick"
CORRELATION = "origin"  # a document's correlation key: the local id it was created for


def xmlid_of(local_id: str | None) -> str:
    """`toothpick.<readable part>_<hash>` for a local id; "" when there is none."""
    if not local_id:
        return ""
    readable = re.sub(r"[^A-Za-z0-9_]", "_", local_id.removeprefix("local:"))[:40]
    digest = hashlib.sha256(local_id.encode()).hexdigest()[:12]
    return f"{XMLID_MODULE}.{readable}_{digest}"


def cell(value: Any) -> str:
    """A value as an import cell: "" for empty, "1"/"0" for booleans."""
    if value is None or value is False:
        return "0" if value is False else ""
    if value is True:
        return "1"
    return str(value)


@dataclass
class Job:
    position: int  # in the batch the engine gave
    record: OutboundRecord
    values: dict[str, Any]  # Odoo field values
    found: int | None = None  # a create's document, made before an interruption

    @property
    def record_id(self) -> int | None:
        if self.found is not None:
            return self.found
        return None if self.record.creating else int(str(self.record.external_id))


Fail = Callable[[Job, str], None]


class OdooWriter:
    def __init__(self, orm: OdooOrm, *, record_level: Callable[[VendorError], bool]) -> None:
        self.orm = orm
        self.record_level = record_level

    def write(self, model: str, jobs: Sequence[Job], *, documents: bool) -> dict[int, WriteResult]:
        """Results by position; `documents`: records with lines (create/write, not load)."""
        results: dict[int, WriteResult] = {}
        ids: dict[int, int] = {}

        def fail(job: Job, reason: str) -> None:
            results[job.position] = WriteResult(job.record.external_id, error=reason)

        if documents:
            ids = self._documents(model, jobs, fail)
        else:
            for group in _by_columns(jobs):
                ids.update(self._load(model, group, fail))
        stamps = self._write_dates(model, sorted(set(ids.values())))
        for job in jobs:
            if job.position in ids:
                new_id = ids[job.position]
                results[job.position] = WriteResult(
                    job.record.external_id,
                    new_external_id=str(new_id),
                    updated_at=stamps.get(new_id),
                )
        return results

    # --- load ---------------------------------------------------------------------------

    def _load(self, model: str, jobs: list[Job], fail: Fail) -> dict[int, int]:
        names = sorted(jobs[0].values)
        columns = ["id", ".id", *(f"{n}/.id" if _is_link(jobs, n) else n for n in names)]
        pending = list(jobs)
        while pending:
            rows = [
                [
                    xmlid_of(j.record.external_id) if j.record.creating else "",
                    "" if j.record_id is None else str(j.record_id),
                    *(cell(j.values.get(n)) for n in names),
                ]
                for j in pending
            ]
            repeatable = all(row[0] or row[1] for row in rows)
            with counting_as(CallKind.WRITE):  # repeatable, still a write (not a read)
                answer = self.orm.call(
                    model, "load", params={"fields": columns, "data": rows}, idempotent=repeatable
                )
            ids = answer.get("ids") if isinstance(answer, dict) else None
            if isinstance(ids, list) and len(ids) == len(pending):
                return {j.position: int(i) for j, i in zip(pending, ids, strict=True)}
            refused = _row_errors(answer, len(pending))
            if not refused:
                reason = f"Odoo refused the import: {_messages(answer) or 'no reason given'}"
                for job in pending:
                    fail(job, reason)
                return {}
            for index, reason in refused.items():
                fail(pending[index], f"Odoo: {reason}")
            pending = [j for i, j in enumerate(pending) if i not in refused]
        return {}

    # --- create / write -----------------------------------------------------------------

    def _documents(self, model: str, jobs: Sequence[Job], fail: Fail) -> dict[int, int]:
        ids: dict[int, int] = {}
        self._adopt(model, [j for j in jobs if j.record_id is None])
        creates = [j for j in jobs if j.record_id is None]
        if creates:
            made = self._batch(creates, fail, lambda group: self._create(model, group))
            ids.update(made)
        same: dict[bytes, list[Job]] = {}
        for job in jobs:
            if job.record_id is not None:
                same.setdefault(orjson.dumps(job.values, option=orjson.OPT_SORT_KEYS), []).append(
                    job
                )
        for group in same.values():
            ids.update(self._batch(group, fail, lambda g: self._write(model, g)))
        return ids

    def _adopt(self, model: str, creates: list[Job]) -> None:
        """Keys each create by its local id; those that may have been sent and are found
        become writes of the document found."""
        for job in creates:
            if job.record.external_id and CORRELATION not in job.values:
                job.values[CORRELATION] = job.record.external_id
        keyed: dict[str, Job] = {
            str(job.record.external_id): job
            for job in creates
            if job.record.maybe_sent and job.values.get(CORRELATION) == job.record.external_id
        }
        if not keyed:
            return
        rows = self.orm.call(
            model,
            "search_read",
            params={"domain": [[CORRELATION, "in", sorted(keyed)]], "fields": [CORRELATION]},
        )
        made = sorted((r for r in rows or [] if "id" in r), key=lambda r: int(r["id"]))
        for row in made:
            adopted = keyed.pop(str(row.get(CORRELATION)), None)  # the first made, if two were
            if adopted is not None:
                adopted.found = int(row["id"])
                lines = adopted.values.get("order_line")
                if lines is not None:  # the found document's lines give way to ours
                    adopted.values["order_line"] = [[5, 0, 0], *lines]

    def _create(self, model: str, jobs: list[Job]) -> dict[int, int]:
        made = self.orm.call(model, "create", params={"vals_list": [j.values for j in jobs]})
        if not isinstance(made, list) or len(made) != len(jobs):
            raise VendorError(f"Odoo created {model} records but did not return their ids")
        return {j.position: int(i) for j, i in zip(jobs, made, strict=True)}

    def _write(self, model: str, jobs: list[Job]) -> dict[int, int]:
        record_ids = [int(j.record_id or 0) for j in jobs]
        if jobs[0].values:
            self.orm.call(model, "write", ids=record_ids, params={"vals": jobs[0].values})
        return {j.position: int(j.record_id or 0) for j in jobs}

    def _batch(
        self, jobs: list[Job], fail: Fail, send: Callable[[list[Job]], dict[int, int]]
    ) -> dict[int, int]:
        """One call for the group; if Odoo refuses it, one call per record."""
        try:
            return send(jobs)
        except VendorError as exc:
            if not self.record_level(exc):
                raise
            if len(jobs) == 1:
                fail(jobs[0], str(exc))
                return {}
        done: dict[int, int] = {}
        for job in jobs:
            try:
                done.update(send([job]))
            except VendorError as exc:
                if not self.record_level(exc):
                    raise
                fail(job, str(exc))
        return done

    def _write_dates(self, model: str, ids: list[int]) -> dict[int, datetime | None]:
        if not ids:
            return {}
        rows = self.orm.call(model, "read", ids=ids, params={"fields": ["write_date"]})
        return {int(r["id"]): read_time(r, "write_date") for r in rows or [] if "id" in r}


def _by_columns(jobs: Sequence[Job]) -> list[list[Job]]:
    groups: dict[tuple[str, ...], list[Job]] = {}
    for job in jobs:
        groups.setdefault(tuple(sorted(job.values)), []).append(job)
    return list(groups.values())


def _is_link(jobs: Sequence[Job], name: str) -> bool:
    """A many2one written by database id (the map gives an int id)."""
    return any(
        isinstance(j.values.get(name), int) and not isinstance(j.values.get(name), bool)
        for j in jobs
    ) and name.endswith("_id")


def _row_errors(answer: Any, rows: int) -> dict[int, str]:
    found: dict[int, str] = {}
    for message in _message_list(answer):
        index = message.get("record")
        if message.get("type") == "error" and isinstance(index, int) and 0 <= index < rows:
            found.setdefault(index, str(message.get("message") or "refused"))
    return found


def _message_list(answer: Any) -> list[dict[str, Any]]:
    messages = answer.get("messages") if isinstance(answer, dict) else None
    return [m for m in messages or [] if isinstance(m, dict)]


def _messages(answer: Any) -> str:
    return "; ".join(str(m.get("message")) for m in _message_list(answer))[:300]


# --- deletes ---------------------------------------------------------------------------

UNLINK_BATCH = 1000  # ids per search and per unlink (Odoo sets no limit; a bounded body)


def unlink_records(
    orm: OdooOrm,
    model: str,
    ids: Sequence[str],
    *,
    record_level: Callable[[VendorError], bool],
) -> list[WriteResult]:
    """`unlink` is all or nothing at Odoo and refuses ids it does not hold, so each batch
    asks which ids still exist (`search` on `id in ids`, archived ones too), unlinks those
    (one call), and when Odoo refuses that for one record's sake (a confirmed order),
    unlinks them one by one so the refusal fails its record alone."""
    errors: dict[int, str | None] = {}  # by Odoo id: None when gone
    numbers = sorted({int(i) for i in ids if i.isdigit()})
    for chunk in batched(numbers, UNLINK_BATCH):
        params = {"domain": [["id", "in", chunk]], "context": {"active_test": False}}
        found = orm.call(model, "search", params=params)
        live = sorted(int(i) for i in found) if isinstance(found, list) else []
        errors.update(dict.fromkeys(chunk))
        errors.update(_unlink(orm, model, live, record_level))
    results = []
    for external_id in ids:
        error = errors[int(external_id)] if external_id.isdigit() else "not an Odoo record id"
        results.append(WriteResult(external_id, error=error))
    return results


def _unlink(
    orm: OdooOrm, model: str, live: list[int], record_level: Callable[[VendorError], bool]
) -> dict[int, str | None]:
    """Each id's refusal in words (None: deleted): the batch in one call, each alone if
    Odoo refused the batch."""
    if not live:
        return {}
    with counting_as(CallKind.WRITE):  # repeatable, still a write (not a read)
        if len(live) > 1:
            try:
                orm.call(model, "unlink", ids=live, idempotent=True)
                return dict.fromkeys(live)
            except VendorError as exc:
                if not record_level(exc):
                    raise
        return {number: _unlink_one(orm, model, number, record_level) for number in live}


def _unlink_one(
    orm: OdooOrm, model: str, number: int, record_level: Callable[[VendorError], bool]
) -> str | None:
    try:
        orm.call(model, "unlink", ids=[number], idempotent=True)
    except VendorError as exc:
        if not record_level(exc):
            raise
        return None if exc.status == 404 else str(exc)  # 404: deleted meanwhile
    return None
