"""Pull one entity: vendor pages -> decisions -> one bulk upsert per page -> checkpoint.

The cursor (high-water mark of the vendor's modified time) is committed only
when the whole stream has been stored, and the next incremental read starts a
safety margin before it (READ_OVERLAP); within a run, the position after each
stored page is saved as a checkpoint, so a run killed anywhere resumes after
the last stored page. Replaying a page is harmless: upserts are keyed and
unchanged records are recognised by hash.
"""

from __future__ import annotations

from collections.abc import Generator
from contextlib import closing
from datetime import datetime, timedelta
from typing import Any

from adapters.base import RemotePage, RemoteRecord
from core.clock import utcnow
from core.errors import QuotaExhaustedError, TransientVendorError, VendorAuthError, VendorError
from core.iterables import ReadAhead, batched
from core.models import (
    Conflict,
    ConflictKind,
    Entity,
    IssueDirection,
    LogLevel,
    LogStatus,
    Operation,
    PlannedChange,
    Record,
    RecordVersion,
    RecordWrite,
    SyncState,
    content_hash,
    diff_fields,
)
from core.sync.context import RunContext
from core.sync.merge import local_base, merge_fields
from core.sync.planning import POLICY_WORDS, field_changes
from core.sync.policy import PullDecision, decide_pull, local_wins
from core.sync.reconcile import check_counts

SWEEP_BATCH = 500
PULL = IssueDirection.PULL
# An incremental read starts this far before the committed cursor: a vendor clock that
# was ahead and is set back, or a vendor transaction that commits after a later one was
# read (a SystemModstamp older than the cursor), would otherwise hide a change. Records
# read again are recognised as unchanged by their hash.
READ_OVERLAP = timedelta(minutes=5)
LOCAL_PREFIX = "local:"  # created in ToothPick, not yet known to the vendor


def _parse(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


class EntityPull:
    def __init__(self, ctx: RunContext, entity: Entity) -> None:
        self.ctx = ctx
        self.entity = entity
        self.counts = ctx.entity_counts(entity)
        self._page_ids: list[str] = []
        self._page_records: dict[str, Record] | None = None  # read only when a decision shows data
        # Merged records' surviving local edits, re-applied once the page's upsert stored the
        # vendor's version (which becomes their new base): (external id, edits, edited at).
        self._reapply: list[tuple[str, dict[str, Any], datetime | None]] = []
        # Every id a full read returned, for the sweep of purged records (None: no sweep).
        self._seen: set[str] | None = None
        support = ctx.adapter.info.support(entity)
        self.approve_deletes = ctx.connection.approve_deletes and support.deletions

    def run(self) -> None:
        ctx, options = self.ctx, self.ctx.run.options
        state = ctx.store.get_sync_state(ctx.organisation_id, ctx.connection_id, self.entity)
        committed = _parse(state.cursor) if state else None
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
            since, resume = _parse(checkpoint.get("since")), checkpoint.get("resume")
            max_seen = _parse(checkpoint.get("max_seen"))
        may_commit = since is None or (committed is not None and since <= committed)
        if options.full and not options.modified_since and resume is None:
            self._seen = set()  # a whole listing from its first page: it can prove absence

        with closing(self._pages(since, resume)) as pages:  # stops the read-ahead on any exit
            for page in pages:
                max_seen = self._apply(page, max_seen)
                if not ctx.dry_run:
                    self._save_state(
                        state,
                        checkpoint={
                            "run_id": ctx.run.id,
                            "full": options.full,
                            "since": _iso(since),
                            "resume": page.resume,
                            "max_seen": _iso(max_seen),
                        },
                    )
                ctx.checkpoint(self.entity, f"Pulling {self.entity.value}")

        if self._seen is not None:
            self._sweep(self._seen)
        self._retry_failed()
        if self._seen is not None and not ctx.dry_run:
            check_counts(ctx, self.entity)  # reconciliation: the vendor's count against ours
        if not ctx.dry_run:
            cursor = (
                max(filter(None, (max_seen, committed)), default=None) if may_commit else committed
            )
            self._save_state(state, checkpoint=None, cursor=cursor, finished_full=options.full)
        self._summarise()

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
            yield from stream
        finally:
            stream.close()

    def _read_ahead(self, since: datetime | None, resume: dict[str, Any] | None) -> ReadAhead[Any]:
        """The adapter's pages, the next one fetched while the engine stores this one."""
        pages = self.ctx.adapter.read(self.entity, since=since, resume=resume)
        return ReadAhead(pages, name=f"read-{self.entity.value}")

    # -- one page -----------------------------------------------------------------

    def _apply(self, page: RemotePage, max_seen: datetime | None) -> datetime | None:
        ctx = self.ctx
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
            self._seen.update(records)
            self._seen.update(f.external_id for f in page.failures if f.external_id)
        for remote in records.values():
            if remote.updated_at and (max_seen is None or remote.updated_at > max_seen):
                max_seen = remote.updated_at
        self._store(records)
        ctx.issues.succeeded(self.entity, PULL, records)
        return max_seen

    def _store(self, records: dict[str, RemoteRecord]) -> None:
        """Decide every record against its stored version; one bulk upsert."""
        ctx = self.ctx
        self._page_ids, self._page_records = list(records), None
        existing = (
            ctx.store.get_record_versions(
                ctx.organisation_id, ctx.connection_id, self.entity, self._page_ids
            )
            if records
            else {}
        )
        writes: list[RecordWrite] = []
        for remote in records.values():
            write = self._decide(remote, existing.get(remote.external_id))
            if write is not None:
                writes.append(write)
        if writes and not ctx.dry_run:
            result = ctx.store.upsert_records(
                ctx.organisation_id, ctx.connection_id, self.entity, writes, run_id=ctx.run.id
            )
            self.counts.created += result.created
            self.counts.updated += result.updated + result.restored
            self.counts.deleted += result.deleted
            self.counts.unchanged += result.unchanged
        for external_id, pending, edited_at in self._reapply:
            key = (ctx.organisation_id, ctx.connection_id, self.entity, external_id)
            ctx.store.clear_local_change(*key)
            if pending:
                ctx.store.set_local_change(*key, pending, at=edited_at or utcnow())
        self._reapply.clear()

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

    def _sweep(self, seen: set[str]) -> None:
        """After a whole full read: a stored live record the vendor no longer returned at all
        (purged, not soft-deleted) is deleted here too, by the same decision as a vendor
        deletion (held for approval where the connection asks for that)."""
        ctx = self.ctx
        stored = ctx.store.iter_external_ids(ctx.organisation_id, ctx.connection_id, self.entity)
        gone = [i for i in stored if i not in seen and not i.startswith(LOCAL_PREFIX)]
        for chunk in batched(gone, SWEEP_BATCH):
            self._store({i: RemoteRecord(i, {}, deleted=True) for i in chunk})
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

    def _stored(self, external_id: str) -> Record | None:
        """The stored record with its data, for the few decisions that show it (a conflict,
        a dry run's report); the page's records are read together the first time."""
        if self._page_records is None:
            ctx = self.ctx
            self._page_records = ctx.store.get_records(
                ctx.organisation_id, ctx.connection_id, self.entity, self._page_ids
            )
        return self._page_records.get(external_id)

    def _decide(self, remote: RemoteRecord, local: RecordVersion | None) -> RecordWrite | None:
        ctx = self.ctx
        remote_hash = content_hash(remote.data)
        decision = decide_pull(
            local=local,
            remote_hash=remote_hash,
            remote_deleted=remote.deleted,
            remote_updated_at=remote.updated_at,
            policy=ctx.policy,
            approve_deletes=self.approve_deletes,
        )
        write = RecordWrite(
            external_id=remote.external_id,
            data=remote.data,
            content_hash=remote_hash,
            source_created_at=remote.created_at,
            source_updated_at=remote.updated_at,
            deleted=remote.deleted,
        )
        if decision is PullDecision.UNCHANGED:
            self.counts.unchanged += 1
            return None
        if decision in (PullDecision.CONFLICT, PullDecision.HOLD_DELETE):
            self._hold(remote, self._stored(remote.external_id), decision)
            return None
        if decision is PullDecision.SKIP:
            self.counts.conflicts += 1
            if ctx.dry_run:
                self._plan_skip(remote)
            ctx.audit.add(
                Operation.CONFLICT,
                f"{self.entity.value} {remote.external_id} changed on both sides; "
                "skipped as the conflict policy says (neither side touched)",
                entity=self.entity,
                level=LogLevel.WARNING,
                status=LogStatus.SKIPPED,
                metadata={"external_id": remote.external_id},
            )
            return None
        if decision is PullDecision.MERGE and local is not None and local.local_change:
            self._merge(remote, local)
            return write  # the vendor's version is the new base; surviving edits go on top
        if decision in (PullDecision.TAKE_REMOTE, PullDecision.KEEP_LOCAL):
            self.counts.conflicts += 1  # both sides changed; the timestamp policy settled it
            winner = "the vendor's" if decision is PullDecision.TAKE_REMOTE else "our"
            ctx.audit.add(
                Operation.CONFLICT,
                f"{self.entity.value} {remote.external_id} changed on both sides; "
                f"{winner} later change wins (timestamp policy)",
                entity=self.entity,
                metadata={"external_id": remote.external_id},
            )
        if decision is PullDecision.KEEP_LOCAL and local is not None and local.local_change:
            # Ours is newer: remember the vendor's version as the new base, keep our edit
            # on top; the push step sends it.
            write.data = {**remote.data, **local.local_change}
        if decision is PullDecision.TAKE_REMOTE and not ctx.dry_run:
            ctx.store.clear_local_change(
                ctx.organisation_id, ctx.connection_id, self.entity, remote.external_id
            )
        elif decision is PullDecision.TAKE_REMOTE:
            ctx.settled[(self.entity, remote.external_id)] = {}
        if ctx.dry_run:
            stored = self._stored(remote.external_id) if local is not None else None
            self._plan_write(decision, remote, stored, write.data)
        return write

    def _merge(self, remote: RemoteRecord, local: RecordVersion) -> None:
        """Both sides changed, timestamp policy: field by field (core.sync.merge)."""
        ctx = self.ctx
        assert local.local_change is not None
        base = local_base(
            ctx.store, ctx.organisation_id, ctx.connection_id, self.entity, remote.external_id
        )
        merge = merge_fields(
            remote=remote.data,
            local_change=local.local_change,
            base=base,
            local_wins=local_wins(local.local_changed_at, remote.updated_at),
        )
        if merge.conflicts:
            self.counts.conflicts += 1
            winner = "the vendor's" if merge.vendor_won else "our"
            ctx.audit.add(
                Operation.CONFLICT,
                f"{self.entity.value} {remote.external_id}: {', '.join(merge.conflicts)} changed "
                f"on both sides; {winner} later change wins (timestamp policy), "
                "other fields merged",
                entity=self.entity,
                metadata={"external_id": remote.external_id, "fields": merge.conflicts},
            )
        if not ctx.dry_run:
            self._reapply.append((remote.external_id, merge.pending, local.local_changed_at))
            return
        ctx.settled[(self.entity, remote.external_id)] = merge.pending
        self.counts.updated += 1
        stored = self._stored(remote.external_id)
        both = f"; changed on both sides: {', '.join(merge.conflicts)}" if merge.conflicts else ""
        self.ctx.plan(
            PlannedChange(
                entity=self.entity,
                external_id=remote.external_id,
                action="update",
                fields=(fields := diff_fields(stored.data if stored else None, merge.data)),
                detail="merged field by field" + both,
                changes=field_changes(stored.data if stored else None, merge.data, fields),
                conflict=bool(merge.conflicts),
                policy=(
                    f"merged field by field; {winner} later change wins "
                    f"{', '.join(merge.conflicts)}"
                    if merge.conflicts
                    else None
                ),
            )
        )

    def _plan_write(
        self,
        decision: PullDecision,
        remote: RemoteRecord,
        local: Record | None,
        new: dict[str, Any] | None = None,
    ) -> None:
        action = {
            PullDecision.CREATE: "create",
            PullDecision.DELETE: "delete",
        }.get(decision, "update")
        counts = self.counts
        if action == "create":
            counts.created += 1
        elif action == "delete":
            counts.deleted += 1
        else:
            counts.updated += 1
        fields = diff_fields(local.data if local else None, remote.data)
        both = decision in (PullDecision.TAKE_REMOTE, PullDecision.KEEP_LOCAL)
        self.ctx.plan(
            PlannedChange(
                entity=self.entity,
                external_id=remote.external_id,
                action=action,
                fields=fields,
                detail=None if decision is not PullDecision.TAKE_REMOTE else "vendor change wins",
                changes=field_changes(
                    local.data if local else None, remote.data if new is None else new, fields
                ),
                conflict=both,
                policy=POLICY_WORDS[decision.value] if both else None,
            )
        )

    def _plan_skip(self, remote: RemoteRecord) -> None:
        local = self._stored(remote.external_id)
        fields = diff_fields(local.data if local else None, remote.data)
        self.ctx.plan(
            PlannedChange(
                entity=self.entity,
                external_id=remote.external_id,
                action="conflict",
                fields=fields,
                detail="changed on both sides",
                changes=field_changes(local.data if local else None, remote.data, fields),
                conflict=True,
                policy=POLICY_WORDS["skip"],
            )
        )

    def _hold(self, remote: RemoteRecord, local: Record | None, decision: PullDecision) -> None:
        ctx = self.ctx
        self.counts.conflicts += 1
        kind = ConflictKind.DELETE if decision is PullDecision.HOLD_DELETE else ConflictKind.UPDATE
        local_data = local.data if local else None
        remote_data = None if remote.deleted else remote.data
        differing = diff_fields(local_data, remote_data) if remote_data else []
        what = (
            "deletion held for approval" if kind is ConflictKind.DELETE else "changed on both sides"
        )
        if ctx.dry_run:
            ctx.plan(
                PlannedChange(
                    entity=self.entity,
                    external_id=remote.external_id,
                    action="conflict",
                    fields=differing,
                    detail=what,
                    changes=field_changes(local_data, remote_data, differing),
                    conflict=True,
                    policy=POLICY_WORDS[decision.value],
                )
            )
            return
        ctx.store.add_conflict(
            Conflict(
                organisation_id=ctx.organisation_id,
                connection_id=ctx.connection_id,
                system=ctx.connection.system,
                entity=self.entity,
                external_id=remote.external_id,
                kind=kind,
                local=local_data,
                remote=remote_data,
                differing_fields=differing,
                local_changed_at=local.local_changed_at if local else None,
                remote_changed_at=remote.updated_at,
                run_id=ctx.run.id,
            )
        )
        ctx.audit.add(
            Operation.CONFLICT,
            f"{self.entity.value} {remote.external_id}: {what}; held for review",
            entity=self.entity,
            level=LogLevel.WARNING,
            status=LogStatus.WARNING,
            metadata={"external_id": remote.external_id, "fields": differing},
        )

    # -- state and summary ------------------------------------------------------------

    def _save_state(
        self,
        state: SyncState | None,
        *,
        checkpoint: dict[str, Any] | None,
        cursor: datetime | None = None,
        finished_full: bool = False,
    ) -> None:
        ctx = self.ctx
        base = state or SyncState(
            organisation_id=ctx.organisation_id, connection_id=ctx.connection_id, entity=self.entity
        )
        update: dict[str, Any] = {"checkpoint": checkpoint, "updated_at": utcnow()}
        if checkpoint is None:
            update["cursor"] = _iso(cursor)
            if finished_full:
                update["last_full_sync_at"] = utcnow()
        ctx.store.save_sync_state(base.model_copy(update=update))

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
