"""A mapping change's backfill of one entity: clear what is no longer mapped, read only what is.

A full sync under the new mapping would leave every stored record with the newly mapped
fields filled and the unmapped ones gone; this brings the stored records there at a
fraction of the cost:
- a field the mapping no longer pulls is cleared from every stored record that holds it,
  in the store, with no vendor call;
- a field it pulls now (newly mapped, or mapped from another vendor field) is read by one
  listing that asks the vendor for the id, the modified stamp and those fields alone
  (Adapter.read_fields: Salesforce's select list, HubSpot's `properties`, Zoho's and
  Odoo's `fields`; Pipedrive, SAP and Oracle reads return whole records, so there the
  listing costs what a full read does), and only those fields are merged into each
  stored record; its other fields stay as stored.

Both go through the pull's own decisions (EntityPull.apply_records): an unchanged record
is no write, a changed one gets its history entry (the fields before and after), and a
record with a pending local edit is decided by the connection's policy as a vendor change
would be. For that the vendor's side of such a record is what the vendor last sent (the
stored data with the local edits taken back, core.sync.merge.local_base), never our edit
presented as the vendor's. Records the vendor holds and the hub does not are left to the
next sync or reconciliation (a part of a record is not a record); so are the vendor's
changes to other fields (the next incremental carries them: their stamps are newer).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from adapters.base import RemotePage, RemoteRecord
from core.entities import validate_canonical
from core.iterables import ReadAhead, batched
from core.models import Entity, IssueDirection, Operation, Record
from core.sync.context import RunContext
from core.sync.merge import local_base
from core.sync.pull import EntityPull

CUSTOM = "custom."
CLEAR_BATCH = 500


@dataclass
class BackfillResult:
    """What one entity's backfill did, for the run's log and the connection page."""

    read: list[str] = field(default_factory=list)  # fields read from the vendor
    cleared: list[str] = field(default_factory=list)  # fields cleared without a call
    cleared_records: int = 0  # records that held a cleared field
    filled_records: int = 0  # records whose read fields changed


def holds(data: dict[str, Any], name: str) -> bool:
    """Whether canonical `data` has a value for `name` (`custom.<name>` inside `custom`; a
    validated record carries every standard field, None where it has no value)."""
    if name.startswith(CUSTOM):
        return name.removeprefix(CUSTOM) in (data.get("custom") or {})
    return data.get(name) is not None


def replace_fields(
    data: dict[str, Any], names: Iterable[str], values: dict[str, Any]
) -> dict[str, Any]:
    """`data` with each of `names` set from `values` (mapped canonical data), or removed where
    `values` has none; every other field as it was.

    >>> replace_fields({"a": 1, "b": 2, "custom": {"x": 1, "y": 2}}, ["b", "custom.x"],
    ...                {"custom": {"x": 9}})
    {'a': 1, 'custom': {'y': 2, 'x': 9}}
    >>> replace_fields({"a": 1, "custom": {"x": 1}}, ["custom.x"], {})
    {'a': 1}
    """
    merged = dict(data)
    custom = dict(merged.get("custom") or {})
    incoming = values.get("custom") or {}
    for name in names:
        if name.startswith(CUSTOM):
            key = name.removeprefix(CUSTOM)
            custom.pop(key, None)
            if key in incoming:
                custom[key] = incoming[key]
        else:
            merged.pop(name, None)
            if name in values:
                merged[name] = values[name]
    merged.pop("custom", None)
    if custom:
        merged["custom"] = custom
    return merged


class FieldBackfill:
    """One entity of a backfill run: `fields` are the canonical fields whose mapping changed
    (empty: every field the mapping pulls, a whole re-read merged the same way)."""

    def __init__(self, ctx: RunContext, entity: Entity, fields: Sequence[str]) -> None:
        self.ctx = ctx
        self.entity = entity
        self.pull = EntityPull(ctx, entity)
        self.counts = ctx.entity_counts(entity)
        pulled = ctx.adapter.pulled_fields(entity, fields) if fields else []
        self.result = BackfillResult(
            read=pulled, cleared=[f for f in dict.fromkeys(fields) if f not in pulled]
        )
        self.whole = not fields

    def run(self) -> BackfillResult:
        if self.result.cleared:
            self._clear()
        if self.result.read or self.whole:
            self._fill()
        self._report()
        return self.result

    # -- clearing: the store alone -----------------------------------------------------

    def _clear(self) -> None:
        ctx, names = self.ctx, self.result.cleared
        held = ctx.store.iter_records(ctx.organisation_id, ctx.connection_id, self.entity)
        holding = (r for r in held if any(holds(r.data, n) for n in names))
        for chunk in batched(holding, CLEAR_BATCH):
            cleared = {
                r.external_id: self._remote(r, replace_fields(self._vendor_side(r), names, {}))
                for r in chunk
            }
            self.pull.apply_records({k: v for k, v in cleared.items() if v is not None})
            self.result.cleared_records += len(chunk)
            ctx.checkpoint(self.entity, f"Clearing unmapped {self.entity.value} fields")

    # -- filling: a listing of the chosen fields -----------------------------------------

    def _fill(self) -> None:
        ctx, names = self.ctx, self.result.read
        source = (
            ctx.adapter.read(self.entity, since=None, resume=None)
            if self.whole
            else ctx.adapter.read_fields(self.entity, names)
        )
        # The next page is fetched while this one is stored, as a pull does.
        read = ReadAhead(
            source,
            name=f"backfill-{self.entity.value}",
            budget=ctx.page_budget,
            size=lambda page: len(page.records),  # small pages first (core.page_budget)
            first_size=ctx.adapter.page_records(self.entity),
        )
        with closing(read) as pages:
            for page in pages:
                self._fill_page(page)
                del page  # not kept while the next one is waited for (core.page_budget)

    def _fill_page(self, page: RemotePage) -> None:
        self.counts.pages += 1
        self.counts.read += len(page.records)
        for failure in page.failures:  # a value the new mapping cannot convert
            self._failed(failure.external_id, failure.reason)
        live = {r.external_id: r for r in page.records if not r.deleted}
        before = self.counts.updated
        self.pull.apply_records(live if self.whole else self._merge_page(live))
        self.result.filled_records += self.counts.updated - before
        self.ctx.checkpoint(self.entity, f"Backfilling {self.entity.value}")

    def _merge_page(self, parts: dict[str, RemoteRecord]) -> dict[str, RemoteRecord]:
        """Each part merged into its stored record; the part of a record the hub does not hold
        is left to the next sync (a part is not a record)."""
        ctx = self.ctx
        stored = ctx.store.get_records(
            ctx.organisation_id, ctx.connection_id, self.entity, list(parts)
        )
        merged: dict[str, RemoteRecord] = {}
        for external_id, part in parts.items():
            record = stored.get(external_id)
            if record is None or record.deleted:
                continue
            remote = self._merged(record, part)
            if remote is not None:
                merged[external_id] = remote
        return merged

    def _merged(self, record: Record, part: RemoteRecord) -> RemoteRecord | None:
        """The vendor's side of `record` with the read fields taken from `part`."""
        data = replace_fields(self._vendor_side(record), self.result.read, part.data)
        return self._remote(record, data, part)

    def _remote(
        self, record: Record, data: dict[str, Any], part: RemoteRecord | None = None
    ) -> RemoteRecord | None:
        """`data` as the vendor's version of `record`, validated whole (None: it fails, and
        is kept as a record issue like any record that fails to map)."""
        try:
            valid = validate_canonical(self.entity, data)
        except ValidationError as exc:
            error = exc.errors()[0]
            where = ".".join(str(part) for part in error["loc"])
            self._failed(
                record.external_id,
                f"{self.entity.value} {record.external_id}: under the new field mapping: "
                f"{where}: {error['msg'].lower()}",
            )
            return None
        stamp = part.updated_at if part is not None else None
        return RemoteRecord(
            record.external_id,
            valid,
            updated_at=stamp or record.source_updated_at,
            created_at=record.source_created_at,
        )

    # -- shared ------------------------------------------------------------------------

    def _failed(self, external_id: str | None, reason: str) -> None:
        """Kept as a record issue, as a pull keeps a record that fails to map."""
        self.counts.failed += 1
        self.ctx.audit.record_failure(self.entity, external_id, reason, operation=Operation.RECORD)
        self.ctx.issues.failed(self.entity, IssueDirection.PULL, external_id, reason)

    def _vendor_side(self, record: Record) -> dict[str, Any]:
        """What the vendor last sent: a pending local edit's fields go back to the values it
        replaced, so the policy sees our edit as ours, not as the vendor's."""
        if not record.local_change:
            return dict(record.data)
        ctx = self.ctx
        base = local_base(
            ctx.store, ctx.organisation_id, ctx.connection_id, self.entity, record.external_id
        )
        data = dict(record.data)
        for name in record.local_change:
            data.pop(name, None)
            if name in base:
                data[name] = base[name]
        return data

    def _report(self) -> None:
        r, parts = self.result, []
        would = "would be " if self.ctx.dry_run else ""  # a dry run stores nothing
        if r.read:
            how = "whole records" if self.whole else f"only {', '.join(r.read)}"
            parts.append(
                f"{', '.join(r.read)} mapped: read for every record ({how}; "
                f"{self.counts.pages:,} page(s)), {would}filled or changed in "
                f"{r.filled_records:,} record(s)"
            )
        elif self.whole:
            parts.append(f"every record re-read: {r.filled_records:,} {would}changed")
        if r.cleared:
            parts.append(
                f"{', '.join(r.cleared)} unmapped: {would}cleared in {r.cleared_records:,} "
                "record(s) without a vendor call"
            )
        self.ctx.audit.add(
            Operation.PULL,
            f"{self.entity.value}: backfill for the new field mapping: " + "; ".join(parts),
            entity=self.entity,
            metadata={
                "backfill": {
                    "read": r.read,
                    "cleared": r.cleared,
                    "cleared_records": r.cleared_records,
                    "filled_records": r.filled_records,
                    "pages": self.counts.pages,
                }
            },
        )
