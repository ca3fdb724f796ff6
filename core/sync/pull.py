"""Pull one entity: vendor pages -> decisions -> one bulk upsert per page -> checkpoint.

Where the read starts and what it commits is core.sync.cursor's; what each record
becomes is core.sync.pull_decide's. Replaying a page is harmless: upserts are keyed and
unchanged records are recognised by hash. A full read from its first page also proves
absence: what the hub holds and the vendor no longer returned is swept (deleted).
"""

from __future__ import annotations

from collections.abc import Generator
from contextlib import closing, nullcontext
from datetime import datetime
from typing import Any

from adapters.base import RemotePage, RemoteRecord
from core.errors import QuotaExhaustedError, TransientVendorError, VendorAuthError, VendorError
from core.iterables import ReadAhead, batched
from core.models import (
    Entity,
    IssueDirection,
    LogLevel,
    LogStatus,
    Operation,
    RecordWrite,
    SyncState,
)
from core.store.queries import PageState, UpsertResult
from core.sync.context import RunContext
from core.sync.cursor import READ_OVERLAP, iso, parse, save_state, state_for
from core.sync.listing import ListedIds
from core.sync.pull_decide import PullDecider
from core.sync.reconcile import Reconciliation
from core.sync.resume import with_counts

__all__ = ["LOCAL_PREFIX", "READ_OVERLAP", "EntityPull"]

SWEEP_BATCH = 500
PULL = IssueDirection.PULL
LOCAL_PREFIX = "local:"  # created in ToothPick, not yet known to the vendor


def _records(page: RemotePage) -> int:
    return len(page.records)


class EntityPull:
    def __init__(self, ctx: RunContext, entity: Entity) -> None:
        self.ctx = ctx
        self.entity = entity
        self.counts = ctx.entity_counts(entity)
        self.decider = PullDecider(ctx, entity, self.counts)
        # Every id a full read returned, for the sweep of purged records (None: no sweep),
        # and those of them it last read as deleted: the rest is the vendor's listing, for
        # reconciliation where the vendor has no count.
        self._seen: ListedIds | None = None
        self._gone: set[str] = set()

    def run(self) -> None:
        ctx, options = self.ctx, self.ctx.run.options
        state = ctx.store.get_sync_state(ctx.organisation_id, ctx.connection_id, self.entity)
        committed = parse(state.cursor) if state else None
        since = (
            options.modified_since
            if (options.full or options.modified_since)
            else (committed - READ_OVERLAP if committed else None)
        )
        resume: dict[str, Any] | None = None
        max_seen: datetime | None = None
        checkpoint = state.checkpoint if state else None
        if (
            checkpoint
            and checkpoint.get("full", False) == options.full
            and not options.modified_since
        ):
            # An interrupted earlier attempt (this run or a failed one) left a position.
            since, resume = parse(checkpoint.get("since")), checkpoint.get("resume")
            max_seen = parse(checkpoint.get("max_seen"))
        may_commit = since is None or (committed is not None and since <= committed)
        if options.full and not options.modified_since and resume is None:
            self._seen = ListedIds()  # a whole listing from its first page: it can prove absence

        with closing(self._pages(since, resume)) as pages:  # stops the read-ahead on any exit
            for page in pages:
                max_seen = self._pull_page(page, state, since, max_seen)
                # Waiting for the next page, this frame must not keep this one: its page
                # budget token is given back as the next one is asked for (core.page_budget),
                # and eighty streams each keeping their last page held more than the budget.
                del page

        if self._seen is not None:
            self._sweep(self._seen)
        self._retry_failed()
        if self._seen is not None and not ctx.dry_run:
            # reconciliation: the vendor's count against ours, narrowed and repaired if short
            listed = len(self._seen) - len(self._gone)
            Reconciliation(ctx, self.entity, self.apply_records, listed=listed).run()
        if not ctx.dry_run:
            cursor = (
                max(filter(None, (max_seen, committed)), default=None) if may_commit else committed
            )
            self._save_state(state, checkpoint=None, cursor=cursor, finished_full=options.full)
        self._summarise()

    def _pull_page(
        self,
        page: RemotePage,
        state: SyncState | None,
        since: datetime | None,
        max_seen: datetime | None,
    ) -> datetime | None:
        """Store one page and checkpoint after it; the new high-water mark."""
        ctx = self.ctx
        records, max_seen = self._scan(page, max_seen)
        page_state = None
        if not ctx.dry_run:  # saved in the page's upsert transaction (or alone)
            page_state = state_for(
                ctx,
                self.entity,
                state,
                checkpoint={
                    "run_id": ctx.run.id,
                    "full": ctx.run.options.full,
                    "since": iso(since),
                    "resume": page.resume,
                    "max_seen": iso(max_seen),
                },
            )
        self._store(records, page_state)
        ctx.issues.succeeded(self.entity, PULL, records)
        ctx.checkpoint(self.entity, f"Pulling {self.entity.value}")
        return max_seen

    def _pages(
        self, since: datetime | None, resume: dict[str, Any] | None
    ) -> Generator[RemotePage, None, None]:
        """The vendor's pages; a resume position the vendor no longer honours (an expired
        query locator, say) restarts the stream from `since` — replays are harmless."""
        stream = self._read_ahead(since, resume)
        try:
            if resume is None:
                yield from stream
                return
            try:
                first = next(stream)
            except StopIteration:
                return
            except (TransientVendorError, VendorAuthError, QuotaExhaustedError):
                raise
            except VendorError as exc:
                self.ctx.audit.add(
                    Operation.PULL,
                    f"Could not resume {self.entity.value} where the last run stopped ({exc}); "
                    "reading again from the start of the window",
                    entity=self.entity,
                    level=LogLevel.WARNING,
                    status=LogStatus.WARNING,
                )
                stream.close()
                stream = self._read_ahead(since, None)
                yield from stream
                return
            yield first
            del first  # not kept while the rest is read (core.page_budget)
            yield from stream
        finally:
            stream.close()

    def _read_ahead(self, since: datetime | None, resume: dict[str, Any] | None) -> ReadAhead[Any]:
        """The adapter's pages, the next one fetched while the engine stores this one."""
        pages = self.ctx.adapter.read(self.entity, since=since, resume=resume)
        name = f"read-{self.ctx.connection.system.value}-{self.entity.value}"
        return ReadAhead(
            pages,
            name=name,
            budget=self.ctx.page_budget,
            size=_records,
            first_size=self.ctx.adapter.page_records(self.entity),
        )

    # -- one page -----------------------------------------------------------------

    def _scan(
        self, page: RemotePage, max_seen: datetime | None
    ) -> tuple[dict[str, RemoteRecord], datetime | None]:
        """Count the page and note its failures; its records (last one wins) and the new
        high-water mark."""
        ctx = self.ctx
        if page.total is not None:  # the vendor counted the rest of the read: progress has an end
            ctx.progress.entity_expected = self.counts.read + page.total
        self.counts.pages += 1
        self.counts.read += len(page.records)
        for failure in page.failures:
            self.counts.failed += 1
            ctx.audit.record_failure(
                self.entity, failure.external_id, failure.reason, operation=Operation.RECORD
            )
            ctx.issues.failed(self.entity, PULL, failure.external_id, failure.reason)
        records = {record.external_id: record for record in page.records}  # last one wins
        if self._seen is not None:
            failed = [f.external_id for f in page.failures if f.external_id]
            self._seen.add(records)
            self._seen.add(failed)  # held by the vendor, failing to map: listed
            for external_id, remote in records.items():
                (self._gone.add if remote.deleted else self._gone.discard)(external_id)
            self._gone.difference_update(failed)
        for remote in records.values():
            if remote.updated_at and (max_seen is None or remote.updated_at > max_seen):
                max_seen = remote.updated_at
        return records, max_seen

    def _store(self, records: dict[str, RemoteRecord], checkpoint: SyncState | None = None) -> None:
        """Decide every record against its stored version; one bulk upsert, which also saves
        `checkpoint` (with no write, the checkpoint is saved alone)."""
        turns = self.ctx.store_turns
        with turns.turn(len(records)) if turns is not None else nullcontext():
            self._store_now(records, checkpoint)

    def _store_now(
        self, records: dict[str, RemoteRecord], checkpoint: SyncState | None = None
    ) -> None:
        ctx = self.ctx
        records = self._storable(records)
        ids = list(records)
        self.decider.begin_page(ids)
        existing = (
            ctx.store.get_record_versions(ctx.organisation_id, ctx.connection_id, self.entity, ids)
            if records
            else {}
        )
        writes: list[RecordWrite] = []
        for remote in records.values():
            write = self.decider.decide(remote, existing.get(remote.external_id))
            if write is not None:
                writes.append(write)
        if writes and not ctx.dry_run:
            result = ctx.store.upsert_records(
                ctx.organisation_id, ctx.connection_id, self.entity, writes, run_id=ctx.run.id,
                state=self._counted(checkpoint),
            )  # fmt: skip
            self.counts.created += result.created
            self.counts.updated += result.updated + result.restored
            self.counts.deleted += result.deleted
            self.counts.unchanged += result.unchanged
        elif checkpoint is not None:
            ctx.store.save_sync_state(with_counts(checkpoint, self.counts, UpsertResult()))
        self.decider.reapply()

    def _storable(self, records: dict[str, RemoteRecord]) -> dict[str, RemoteRecord]:
        """Records whose id holds a NUL character become record issues instead: the SQLite
        store's lookups cut a text at NUL, so one such id from a vendor would fail every
        page it sits on, and every run after (the issue names the id with NUL spelled out)."""
        odd = [external_id for external_id in records if "\x00" in external_id]
        if not odd:
            return records
        for external_id in odd:
            shown = external_id.replace("\x00", "\\x00")
            reason = f"{self.entity.value} {shown}: its id holds a NUL character; not stored"
            self.counts.failed += 1
            self.ctx.audit.record_failure(self.entity, shown, reason, operation=Operation.RECORD)
            self.ctx.issues.failed(self.entity, PULL, shown, reason)
        return {k: v for k, v in records.items() if k not in odd}

    def _counted(self, checkpoint: SyncState | None) -> PageState | None:
        """The page's checkpoint with the entity's counts as they stand once the page is
        stored, filled in inside its transaction (core.sync.resume)."""
        if checkpoint is None:
            return None
        return lambda result: with_counts(checkpoint, self.counts, result)

    def apply_records(self, records: dict[str, RemoteRecord]) -> None:
        """Store records read outside the page loop (reconciliation's repairs) by the same
        decisions as a page."""
        self._store(records)
        self.ctx.issues.succeeded(self.entity, PULL, records)

    def _retry_failed(self) -> None:
        """Records that failed in earlier runs and are due again: the cursor has moved past
        them, so they are read again by id (core.sync.issues)."""
        ctx = self.ctx
        due = ctx.issues.due(self.entity, PULL)
        if not due:
            return
        found = {r.external_id: r for r in ctx.adapter.fetch(self.entity, due)}
        self._store(found)
        ctx.issues.succeeded(self.entity, PULL, found)
        for external_id in due:
            if external_id not in found:
                self.counts.failed += 1
                ctx.issues.again(self.entity, PULL, external_id)

    def _sweep(self, seen: ListedIds) -> None:
        """After a whole full read: a stored live record the vendor no longer returned at all
        (purged, not soft-deleted) is deleted here too, by the same decision as a vendor
        deletion (held for approval where the connection asks for that).

        Not seen is not gone: under offset paging, a record edited or a neighbour deleted
        while the read paged through shifts the rest, so a live record at a page boundary
        can be skipped. Each unseen id is asked for by id first (`Adapter.fetch`); one the
        vendor still has is stored as read now, only the others are deleted."""
        ctx = self.ctx
        stored = ctx.store.iter_external_ids(ctx.organisation_id, ctx.connection_id, self.entity)
        listed = seen.contains()
        unseen = [i for i in stored if not listed(i) and not i.startswith(LOCAL_PREFIX)]
        del listed
        gone: list[str] = []
        for chunk in batched(unseen, SWEEP_BATCH):
            found = {r.external_id: r for r in ctx.adapter.fetch(self.entity, chunk)}
            missing = [i for i in chunk if i not in found]
            gone += missing
            self._store({**found, **{i: RemoteRecord(i, {}, deleted=True) for i in missing}})
        if gone:
            ctx.audit.add(
                Operation.PULL,
                f"{len(gone)} {self.entity.value} record(s) the vendor no longer returns "
                "(purged) were marked deleted",
                entity=self.entity,
                level=LogLevel.WARNING,
                status=LogStatus.WARNING,
                metadata={"external_ids": gone[:50], "count": len(gone)},
            )

    # -- state and summary ------------------------------------------------------------

    def _save_state(self, state: SyncState | None, **kwargs: Any) -> None:
        save_state(self.ctx, self.entity, state, **kwargs)

    def _summarise(self) -> None:
        c = self.counts
        self.ctx.audit.add(
            Operation.PULL,
            f"Pulled {c.read} {self.entity.value} record(s): {c.created} new, {c.updated} updated, "
            f"{c.deleted} deleted, {c.unchanged} unchanged, {c.conflicts} conflict(s), "
            f"{c.failed} failed",
            entity=self.entity,
            status=LogStatus.WARNING if c.failed else LogStatus.SUCCESS,
            level=LogLevel.WARNING if c.failed else LogLevel.INFO,
            records_processed=c.read,
            records_created=c.created,
            records_updated=c.updated,
            records_failed=c.failed,
            metadata={"pages": c.pages, "conflicts": c.conflicts, "deleted": c.deleted},
        )
