"""Reconciliation: prove the hub holds exactly the vendor's live records, or repair it.

A reconcile run first catches up with an incremental read, so that the counts differ
only by what an incremental cannot see (a record purged at the vendor, one stamped
behind the cursor, one a read skipped); a create can then not mask a delete. Then
the vendor's cheapest count (Adapter.count: SOQL COUNT(), HubSpot's search total,
OData $count, Odoo search_count, Oracle totalResults, Zoho's count action, Pipedrive's
deal summary: one call) against the hub's live records. When they agree the entity is
"complete: N of N" and nothing else is read. When they differ, the difference is
narrowed to ids by bisecting the id space with the vendor's filtered counts where it
counts an id range (Adapter.id_order/count_range/list_range; core.sync.bisection:
O(d log n) calls for d differences, the hub's stored ids as split points); else by the
vendor's cheapest id listing (Adapter.id_listing), else, and where the vendor has no
count, by one listing of its records compared with the stored versions (id and
content hash). Right after a full read from its first page, a vendor with no count is
not listed again: that read was the listing (the same paging, moments earlier), its
records stored and the ones it did not return swept, so the hub's count is compared with
the number of live records it returned. Missing (the vendor holds it, the hub does not),
stale (the hub holds an older version; found by the record listing only) and extra (the
hub holds it live, the vendor no longer lists it). Missing and stale records are
repaired through the pull's own decisions (conflicts and held deletions work as in a
sync), from the listing or re-read by id (Adapter.fetch); extra ones are re-read by id
and marked deleted when the vendor no longer has them. Counts see net differences only: when
the counts still differ after a bisection's repair (a missing and an extra record that
cancelled in one range, or records that moved meanwhile), the run says so and lists.
A difference left after the repair that neither known record issues nor deletions held
for approval explain is counted as unexplained; the alerts area opens an alert for it.
Records deleted in ToothPick whose deletion is not pushed yet count as held: the vendor
rightly holds them until the push.

Counts agreeing do not prove every record is current (an edit stamped behind the cursor
is no count difference, nor is a purge that a create no read saw cancels): the counts
prove nothing was lost or added unseen net. A mapping change's backfill is not a
reconciliation: core.sync.backfill_pull.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from adapters.base import RemoteRecord
from core.iterables import batched
from core.models import (
    ConflictKind,
    Entity,
    IssueDirection,
    LogLevel,
    LogStatus,
    Operation,
    content_hash,
)
from core.sync.context import RunContext
from core.sync.id_ranges import UnorderedIds, bisection_pays, narrow_entity, ranged

LOCAL_PREFIX = "local:"  # created in ToothPick, not yet known to the vendor
FETCH_BATCH = 100
LISTING_CHUNK = 10_000  # ids between two checkpoints (cancel, heartbeat)
StoreRecords = Callable[[dict[str, RemoteRecord]], None]


@dataclass(frozen=True)
class CountCheck:
    entity: Entity
    vendor: int
    hub: int
    failing: int  # records the vendor holds that fail to map (open pull issues)

    @property
    def complete(self) -> bool:
        return self.vendor == self.hub

    def summary(self) -> str:
        known = f"; {self.failing:,} known to fail (see record issues)" if self.failing else ""
        if self.complete:
            return f"{self.entity.value}: complete: {self.hub:,} of {self.vendor:,}{known}"
        return (
            f"{self.entity.value}: incomplete: the vendor holds {self.vendor:,} live "
            f"record(s), the hub {self.hub:,}{known}"
        )


@dataclass
class Difference:
    """What one listing found; ids kept for the log (the first few) and the repair."""

    missing: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    listed: int = 0  # live records the vendor listed (mapped or not)
    narrowed_by: str = ""  # in words, for the log, when not by one listing

    @property
    def empty(self) -> bool:
        return not (self.missing or self.stale or self.extra)

    def merged(self, other: Difference) -> Difference:
        def union(a: list[str], b: list[str]) -> list[str]:
            return list(dict.fromkeys([*a, *b]))

        return Difference(
            union(self.missing, other.missing),
            union(self.stale, other.stale),
            union(self.extra, other.extra),
            other.listed,
            f"{self.narrowed_by}, then one listing" if self.narrowed_by else "",
        )


def _failing(ctx: RunContext, entity: Entity) -> set[str]:
    pull = IssueDirection.PULL
    return set(ctx.issues.due(entity, pull)) | ctx.issues.held(entity, pull)


def _held_deletions(ctx: RunContext, entity: Entity) -> int:
    """Deletions waiting for a person's approval: live in the hub, gone at the vendor, and
    explained (the conflicts page lists them)."""
    held, offset = 0, 0
    while True:
        page = ctx.store.list_conflicts(
            ctx.organisation_id, connection_id=ctx.connection_id, offset=offset, limit=500
        )
        held += sum(1 for c in page.items if c.entity is entity and c.kind is ConflictKind.DELETE)
        offset += len(page.items)
        if not page.items or offset >= page.total:
            return held


def _deleted_here(ctx: RunContext, entity: Entity) -> set[str]:
    """Records deleted in ToothPick whose deletion is not pushed yet: the vendor still
    holds them, rightly, so they count as held (a repair would find nothing to do)."""
    pending = ctx.store.iter_records(
        ctx.organisation_id, ctx.connection_id, entity, pending_only=True, include_deleted=True
    )
    return {r.external_id for r in pending if r.local_delete}


def _held(ctx: RunContext, entity: Entity) -> int:
    live = ctx.store.count_records(ctx.organisation_id, ctx.connection_id).get(entity, 0)
    return live + len(_deleted_here(ctx, entity))


def check_counts(ctx: RunContext, entity: Entity) -> CountCheck | None:
    """Compare and log; None when the vendor has no cheap count."""
    vendor = ctx.adapter.count(entity)
    if vendor is None:
        return None
    failing = len(_failing(ctx, entity))
    check = CountCheck(entity, vendor, _held(ctx, entity), failing)
    ctx.audit.add(
        Operation.PULL,
        check.summary(),
        entity=entity,
        level=LogLevel.INFO if check.complete else LogLevel.WARNING,
        status=LogStatus.SUCCESS if check.complete else LogStatus.WARNING,
        metadata={"reconciliation": {"vendor": vendor, "hub": check.hub, "failing": failing}},
    )
    return check


class Reconciliation:
    """One entity of one connection; `store` is the pull's way of storing records
    (EntityPull.apply_records), so a repair decides exactly as a sync would. `listed`:
    how many live records a whole full read returned just before (None: no such read)."""

    def __init__(
        self,
        ctx: RunContext,
        entity: Entity,
        store: StoreRecords,
        *,
        listed: int | None = None,
    ) -> None:
        self.ctx = ctx
        self.entity = entity
        self.store = store
        self.counts = ctx.entity_counts(entity)
        self.listed = listed

    def run(self) -> Difference | None:
        """Count; narrow and repair only when the counts differ or cannot be had."""
        ctx = self.ctx
        check = check_counts(ctx, self.entity)
        if check is not None and check.complete:
            self._record(check.vendor, check.hub, Difference(), unexplained=0)
            return None
        ranges = (
            check is not None
            and ranged(ctx.adapter, self.entity)
            and bisection_pays(ctx.adapter, self.entity, check.vendor, check.hub)
        )
        if check is None and self.listed is not None:
            # A second listing by the same paging, right after the first, would double the
            # vendor calls (Pipedrive: every record read twice) to find nothing the read and
            # its sweep did not: the difference left is the read's record issues.
            diff = Difference(listed=self.listed, narrowed_by="the full read's own listing")
            vendor, held, unexplained = self._still_differs(diff)
            self._record(vendor, held, diff, unexplained=unexplained)
            self._report(diff, vendor, held, 0, unexplained, len(_failing(ctx, self.entity)))
            return diff
        try:
            diff = self.narrow_by_ranges(check.vendor) if ranges and check else self.narrow()
        except UnorderedIds as exc:  # ids this vendor's range filter cannot place: list
            self._log_fallback(str(exc))
            ranges, diff = False, self.narrow()
        repaired = 0 if ctx.dry_run else self.repair(diff)
        vendor, held, unexplained = self._still_differs(diff)
        if unexplained and ranges:  # counts that cancelled, or records that moved meanwhile
            self._log_fallback(
                f"the id-range counts left a difference (the vendor holds {vendor:,}, the hub "
                f"{held:,}): records that moved meanwhile, or missing and extra ones "
                "cancelling in one range"
            )
            more = self.narrow()
            repaired += 0 if ctx.dry_run else self.repair(more)
            diff = diff.merged(more)
            vendor, held, unexplained = self._still_differs(diff)
        failing = _failing(ctx, self.entity)
        self._record(vendor, held, diff, unexplained=unexplained, repaired=repaired)
        self._report(diff, vendor, held, repaired, unexplained, len(failing))
        return diff

    def _still_differs(self, diff: Difference) -> tuple[int, int, int]:
        """The vendor's count, the hub's, and how much of their difference neither known
        record issues nor deletions held for approval explain."""
        ctx = self.ctx
        vendor = ctx.adapter.count(self.entity)
        if vendor is None:  # no count: the listing is the vendor's truth
            vendor = diff.listed
        held = _held(ctx, self.entity)
        explained = len(_failing(ctx, self.entity)) + _held_deletions(ctx, self.entity)
        unexplained = max(abs(vendor - held) - explained, 0) if not ctx.dry_run else 0
        return vendor, held, unexplained

    def narrow_by_ranges(self, vendor_total: int) -> Difference:
        """By id-range counts (core.sync.bisection); missing ones re-read by id."""
        ctx, diff = self.ctx, Difference()
        known = _failing(ctx, self.entity) | _deleted_here(ctx, self.entity)
        found = narrow_entity(ctx, self.entity, vendor_total, known)
        diff.missing, diff.extra, diff.listed = found.missing, found.extra, vendor_total
        diff.narrowed_by = (
            f"{found.counts:,} range count(s) and {found.listings:,} range listing(s)"
        )
        for chunk in batched(diff.missing, FETCH_BATCH):
            self.store({r.external_id: r for r in ctx.adapter.fetch(self.entity, chunk)})
        return diff

    def _log_fallback(self, why: str) -> None:
        self.ctx.audit.add(
            Operation.PULL,
            f"{self.entity.value}: {why}; listing every id to find them",
            entity=self.entity,
            level=LogLevel.INFO,
            status=LogStatus.WARNING,
        )

    def narrow(self) -> Difference:
        """By the vendor's id listing where it has a cheap one (missing ones re-read by id),
        else by reading the records (which finds stale ones too)."""
        ids = self.ctx.adapter.id_listing(self.entity)
        return self._narrow_by_records() if ids is None else self._narrow_by_ids(ids)

    def _narrow_by_ids(self, ids: Iterator[str]) -> Difference:
        ctx, diff = self.ctx, Difference()
        listed: set[str] = set()
        for chunk in batched(ids, LISTING_CHUNK):
            listed.update(chunk)
            ctx.checkpoint(self.entity, f"Reconciling {self.entity.value}")
        diff.listed = len(listed)
        stored = set(
            ctx.store.iter_external_ids(ctx.organisation_id, ctx.connection_id, self.entity)
        ) | _deleted_here(ctx, self.entity)
        diff.missing = sorted(listed - stored)
        diff.extra = sorted(i for i in stored - listed if not i.startswith(LOCAL_PREFIX))
        for chunk in batched(diff.missing, FETCH_BATCH):
            self.store({r.external_id: r for r in ctx.adapter.fetch(self.entity, chunk)})
        return diff

    def _narrow_by_records(self) -> Difference:
        """One listing of the records compared page by page with the stored versions."""
        ctx, diff = self.ctx, Difference()
        seen: set[str] = set()
        for page in ctx.adapter.read(self.entity, since=None, resume=None):
            self.counts.pages += 1
            seen.update(f.external_id for f in page.failures if f.external_id)
            live = {r.external_id: r for r in page.records if not r.deleted}
            seen.update(live)
            diff.listed += len(live) + len(page.failures)
            versions = ctx.store.get_record_versions(
                ctx.organisation_id, ctx.connection_id, self.entity, list(live)
            )
            repair: dict[str, RemoteRecord] = {}
            for external_id, remote in live.items():
                version = versions.get(external_id)
                if version is not None and version.local_delete:
                    continue  # deleted here, the push not yet made: the vendor rightly has it
                if version is None or version.deleted:
                    diff.missing.append(external_id)
                elif version.content_hash != content_hash(remote.data):
                    diff.stale.append(external_id)
                else:
                    continue
                repair[external_id] = remote
            if repair:
                self.store(repair)
            ctx.checkpoint(self.entity, f"Reconciling {self.entity.value}")
        stored = ctx.store.iter_external_ids(ctx.organisation_id, ctx.connection_id, self.entity)
        diff.extra = [i for i in stored if i not in seen and not i.startswith(LOCAL_PREFIX)]
        return diff

    def repair(self, diff: Difference) -> int:
        """Missing and stale ones were stored while listing; extra ones are re-read by id:
        still there (the listing missed them) they are stored again, gone they are deleted."""
        for chunk in batched(diff.extra, FETCH_BATCH):
            found = {r.external_id: r for r in self.ctx.adapter.fetch(self.entity, chunk)}
            gone = {i: RemoteRecord(i, {}, deleted=True) for i in chunk if i not in found}
            self.store({**found, **gone})
        return len(diff.missing) + len(diff.stale) + len(diff.extra)

    def _record(
        self, vendor: int, held: int, diff: Difference, *, unexplained: int, repaired: int = 0
    ) -> None:
        c = self.counts
        c.vendor_count, c.held_count = vendor, held
        c.missing, c.stale, c.extra = len(diff.missing), len(diff.stale), len(diff.extra)
        c.repaired, c.unexplained = repaired, unexplained

    def _report(
        self,
        diff: Difference,
        vendor: int,
        held: int,
        repaired: int,
        unexplained: int,
        failing: int,
    ) -> None:
        found = (
            f"{len(diff.missing):,} missing, {len(diff.extra):,} extra, {len(diff.stale):,} stale"
        )
        if diff.narrowed_by:
            found += f" (narrowed by {diff.narrowed_by})"
        did = "would repair" if self.ctx.dry_run else "repaired"
        if unexplained:
            end = (
                f"still differs: the vendor holds {vendor:,}, the hub {held:,} "
                f"({unexplained:,} unexplained)"
            )
        else:
            end = f"complete: {held:,} of {vendor:,}"
        known = f"; {failing:,} known to fail (see record issues)" if failing else ""
        self.ctx.audit.add(
            Operation.PULL,
            f"{self.entity.value}: reconciled: {found}; {did} {repaired:,}; {end}{known}",
            entity=self.entity,
            level=LogLevel.WARNING if unexplained else LogLevel.INFO,
            status=LogStatus.WARNING if unexplained else LogStatus.SUCCESS,
            metadata={
                "reconciliation": {
                    "vendor": vendor,
                    "hub": held,
                    "failing": failing,
                    "missing": diff.missing[:50],
                    "extra": diff.extra[:50],
                    "stale": diff.stale[:50],
                    "repaired": repaired,
                    "unexplained": unexplained,
                }
            },
        )
