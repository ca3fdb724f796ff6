"""HubSpot writes in batches of 100, each input answered on its own.

- creates: `batch/upsert` with `idProperty`, so a create repeated after a lost answer
  (a worker killed between HubSpot's accept and our write of the new id) updates the
  record it made. Contacts with an email upsert by it; other objects, and contacts
  without an email, by the connection's "Unique property" (default `toothpick_id`: a
  custom text property with unique values that holds the hub's `local:` id). An object
  without that property refuses those creates in one line naming the setting; an empty
  setting creates them with `batch/create`;
- updates: `batch/update` by id;
- deletes: `batch/archive` `{"inputs": [{"id"}]}`. HubSpot answers 204 with no result
  per input, and ignores ids it does not hold (the sandbox does the same): the goal
  state holds for each of them, so a 204 is success for every id sent. A batch
  refused whole is halved as writes are, so a refusal stands alone.

Every input carries `objectWriteTraceId` (the hub's own id of the record), which turns
on HubSpot's multi-status answers: 207 with the applied inputs in `results` (each
echoing its trace id) and the refused ones in `errors[]`, each naming its inputs in
`context.objectWriteTraceId` (or `context.ids` for updates). Results are matched by
trace id, else by the unique property or the id. When HubSpot refuses a whole batch
(a 400/409/422 that names no input: batch updates are all or nothing), the batch is
halved and each half sent again until the refused input stands alone, so one bad
value fails one record for about 2·log2(100) extra calls, not 100.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

from adapters import deletes
from adapters.base import OutboundRecord, WriteResult
from adapters.budget import CallKind
from adapters.mapping import FieldMap
from adapters.paths import dig
from adapters.record_errors import halving, record_error
from adapters.spec import EntitySpec, read_time
from core.errors import RecordError
from core.iterables import batched

if TYPE_CHECKING:
    from adapters.hubspot import HubSpotAdapter

BATCH_LIMIT = 100
# Unique properties HubSpot upserts by (batch/upsert idProperty): creates repeat safely.
UPSERT_KEYS = {"contacts": "email"}
DEFAULT_UNIQUE = "toothpick_id"
WHOLE_BATCH_REFUSALS = (400, 409, 422)
PROPERTY_PROBLEMS = "Property values were not valid: "
Input = tuple[int, str, dict[str, Any]]  # (position, trace id, the input)


def write_batches(
    adapter: HubSpotAdapter,
    spec: EntitySpec,
    fields: FieldMap,
    records: Sequence[OutboundRecord],
) -> list[WriteResult]:
    results: dict[int, WriteResult] = {}
    # (kind, idProperty): upserts by email and by the unique property go apart
    groups: dict[tuple[str, str | None], list[Input]] = {}
    key = UPSERT_KEYS.get(spec.vendor_object)
    correlation = adapter.unique_property
    missing: bool | None = None  # asked of HubSpot once, when a create needs it
    for index, record in enumerate(records):
        trace = record.external_id or f"local:{index}"
        try:
            if record.creating:
                payload = fields.to_vendor(record.data, creating=True)
            else:
                payload = fields.to_vendor(record.data, changed=record.changed_fields or None)
        except RecordError as exc:
            results[index] = WriteResult(record.external_id, error=str(exc))
            continue
        properties = payload.get("properties") or {}
        own_key = key if key and properties.get(key) else None
        if record.creating and correlation and record.external_id and not own_key:
            if missing is None:
                missing = not _is_unique(adapter, spec, correlation)
            if missing:
                results[index] = WriteResult(record.external_id, error=_missing(spec, correlation))
                continue
            properties = payload["properties"] = {**properties, correlation: record.external_id}
        item: dict[str, Any] = {**payload, "objectWriteTraceId": trace}
        if not record.creating:
            if not properties:  # nothing writable changed
                results[index] = WriteResult(record.external_id, record.external_id)
                continue
            groups.setdefault(("update", None), []).append(
                (index, trace, {**item, "id": record.external_id})
            )
        elif (
            (upsert_by := own_key or correlation)
            and properties.get(upsert_by)
            and set(payload) <= {"properties"}
        ):
            groups.setdefault(("upsert", upsert_by), []).append(
                (index, trace, {**item, "id": properties[upsert_by], "idProperty": upsert_by})
            )
        else:
            groups.setdefault(("create", None), []).append((index, trace, item))
    for (kind, by), group in groups.items():
        for chunk in batched(group, BATCH_LIMIT):
            answers = halving(
                partial(_send, adapter, spec, kind, key=by),
                chunk,
                position=lambda item: item[0],
                refused=lambda exc: exc.status in WHOLE_BATCH_REFUSALS,
            )
            for index, answer in answers.items():
                record = records[index]
                if isinstance(answer, str):
                    results[index] = WriteResult(record.external_id, error=answer)
                else:
                    new_id = str(answer["id"]) if record.creating else record.external_id
                    results[index] = WriteResult(
                        record.external_id, new_id, read_time(answer, "updatedAt")
                    )
    return [results[i] for i in range(len(records))]


def archive_batches(
    adapter: HubSpotAdapter, spec: EntitySpec, ids: Sequence[str]
) -> list[WriteResult]:
    answers: dict[int, str | None] = {}
    for chunk in batched(list(enumerate(ids)), BATCH_LIMIT):
        answers.update(
            halving(
                partial(_archive, adapter, spec),
                chunk,
                position=lambda item: item[0],
                refused=lambda exc: exc.status in WHOLE_BATCH_REFUSALS,
            )
        )
    return [
        deletes.deleted(i) if answers[n] is None else deletes.refused(i, str(answers[n]))
        for n, i in enumerate(ids)
    ]


def _archive(
    adapter: HubSpotAdapter, spec: EntitySpec, chunk: list[tuple[int, str]]
) -> dict[int, str | None]:
    body = {"inputs": [{"id": external_id} for _n, external_id in chunk]}
    url = f"{spec.endpoint}/batch/archive"
    adapter.session.request("POST", url, json=body, idempotent=True, kind=CallKind.WRITE)
    return {n: None for n, _id in chunk}


def _send(
    adapter: HubSpotAdapter, spec: EntitySpec, kind: str, chunk: list[Input], key: str | None
) -> dict[int, dict[str, Any] | str]:
    """Each input's result (a dict) or its refusal (words)."""
    reply = adapter.session.request_json(
        "POST",
        f"{spec.endpoint}/batch/{kind}",
        json={"inputs": [item for _i, _t, item in chunk]},
        idempotent=kind != "create",
        kind=CallKind.WRITE,  # a repeatable update or upsert is still a write (not a read)
    )
    by_trace = {trace: index for index, trace, _item in chunk}
    by_key = {_match_key(kind, item, key): index for index, _t, item in chunk}
    done: dict[int, dict[str, Any] | str] = {}
    for result in dig(reply.body, "results") or []:
        index = by_trace.get(str(result.get("objectWriteTraceId")))
        if index is None:
            index = by_key.get(_result_key(kind, result, key))
        if index is not None and result.get("id"):
            done[index] = result
    for error in dig(reply.body, "errors") or []:
        context = error.get("context") or {}
        named = [by_trace.get(str(t)) for t in _as_list(context.get("objectWriteTraceId"))]
        named += [by_key.get(str(i)) for i in _as_list(context.get("ids") or context.get("id"))]
        words = _error_words(adapter, error)
        for index in named:
            if index is not None and index not in done:
                done[index] = words
    for index, _trace, _item in chunk:
        done.setdefault(index, "HubSpot did not report on this record")
    return done


def _is_unique(adapter: HubSpotAdapter, spec: EntitySpec, name: str) -> bool:
    return any(
        p.get("name") == name and p.get("hasUniqueValue")
        for p in adapter.properties(spec.vendor_object)
    )


def _missing(spec: EntitySpec, name: str) -> str:
    return (
        f"HubSpot {spec.vendor_object} have no unique property {name}: create it (single-line "
        "text, unique values) or clear 'Unique property' (unique_property) in the connection "
        "settings"
    )


def _match_key(kind: str, item: Mapping[str, Any], key: str | None) -> str:
    if kind == "upsert" and key:
        return str(item["id"]).lower()
    return str(item.get("id", ""))


def _result_key(kind: str, result: Mapping[str, Any], key: str | None) -> str:
    if kind == "upsert" and key:
        return str(dig(result, f"properties.{key}") or "").lower()
    return str(result.get("id", ""))


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _error_words(adapter: HubSpotAdapter, error: Mapping[str, Any]) -> str:
    """HubSpot's own code for the value (INVALID_EMAIL...) where it gives one, else the
    error's category: from `errors[]`, or from the JSON list in "Property values were not
    valid: [...]" (`{"error", "name", "message"}` per property)."""
    details = [e for e in error.get("errors") or [] if isinstance(e, dict)]
    message = str(error.get("message") or "")
    _head, _sep, listed = message.partition(PROPERTY_PROBLEMS)
    if not details and listed:
        try:
            found = json.loads(listed)
        except ValueError:
            found = []
        details = [
            {"code": p.get("error"), "message": p.get("message"), "in": p.get("name")}
            for p in found if isinstance(p, dict)
        ]  # fmt: skip
    first = details[0] if details else {}
    code = first.get("code") or error.get("category")
    message = str(first.get("message") or message)
    where = first.get("in") or (first.get("context") or {}).get("propertyName")
    names = [str(n) for n in _as_list(where)]
    return record_error(
        "HubSpot", str(code) if code else None, message, names, redact=adapter.session.redact
    )
