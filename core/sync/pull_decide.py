"""The pull's decision for each incoming record against its stored version.

One PullDecider per entity pull: it turns a vendor record into the write the store
should make (or none), holds conflicts for review, merges field by field under the
timestamp policy (core.sync.merge) and reports a dry run's lines (core.sync.pull_plan).
Stored data is read only for the few decisions that show it, a page at a time.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from adapters.base import RemoteRecord
from core.clock import utcnow
from core.models import (
    Conflict,
    ConflictKind,
    Entity,
    EntityCounts,
    LogLevel,
    LogStatus,
    Operation,
    PlannedChange,
    Record,
    RecordVersion,
    RecordWrite,
    content_hash,
    diff_fields,
)
from core.sync.context import RunContext
from core.sync.merge import local_base, merge_fields
from core.sync.planning import POLICY_WORDS, field_changes
from core.sync.policy import PullDecision, decide_pull, local_wins
from core.sync.pull_plan import plan_merge, plan_skip, plan_write


class PullDecider:
    def __init__(self, ctx: RunContext, entity: Entity, counts: EntityCounts) -> None:
        self.ctx = ctx
        self.entity = entity
        self.counts = counts
        self._page_ids: list[str] = []
        self._page_records: dict[str, Record] | None = None  # read only when a decision shows data
        # Merged records' surviving local edits, re-applied once the page's upsert stored the
        # vendor's version (which becomes their new base): (external id, edits, edited at).
        self._reapply: list[tuple[str, dict[str, Any], datetime | None]] = []
        support = ctx.adapter.info.support(entity)
        self.approve_deletes = ctx.connection.approve_deletes and support.deletions

    def begin_page(self, external_ids: list[str]) -> None:
        self._page_ids, self._page_records = external_ids, None

    def reapply(self) -> None:
        """After the page's upsert: merged records get their surviving local edits back."""
        ctx = self.ctx
        for external_id, pending, edited_at in self._reapply:
            key = (ctx.organisation_id, ctx.connection_id, self.entity, external_id)
            ctx.store.clear_local_change(*key)
            if pending:
                ctx.store.set_local_change(*key, pending, at=edited_at or utcnow())
        self._reapply.clear()

    def stored(self, external_id: str) -> Record | None:
        """The stored record with its data, for the few decisions that show it (a conflict,
        a dry run's report); the page's records are read together the first time."""
        if self._page_records is None:
            ctx = self.ctx
            self._page_records = ctx.store.get_records(
                ctx.organisation_id, ctx.connection_id, self.entity, self._page_ids
            )
        return self._page_records.get(external_id)

    def decide(self, remote: RemoteRecord, local: RecordVersion | None) -> RecordWrite | None:
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
        if decision is PullDecision.UNCHANGED:
            self.counts.unchanged += 1
            if remote.deleted and local is not None and local.local_delete:
                self._settle_local(remote.external_id, both_deleted=True)
            return None
        write = RecordWrite(
            external_id=remote.external_id,
            data=remote.data,
            content_hash=remote_hash,
            source_created_at=remote.created_at,
            source_updated_at=remote.updated_at,
            deleted=remote.deleted,
        )
        if decision in (PullDecision.CONFLICT, PullDecision.HOLD_DELETE):
            self._hold(remote, self.stored(remote.external_id), decision)
            return None
        if decision is PullDecision.SKIP:
            self.counts.conflicts += 1
            if ctx.dry_run:
                plan_skip(ctx, self.entity, remote, self.stored(remote.external_id))
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
        if decision is PullDecision.DELETE and local is not None and local.local_change:
            self.counts.conflicts += 1
            ctx.audit.add(
                Operation.CONFLICT,
                f"{self.entity.value} {remote.external_id} was deleted at the vendor; "
                "the local edit not yet pushed is dropped with it",
                entity=self.entity,
                level=LogLevel.WARNING,
                status=LogStatus.WARNING,
                metadata={"external_id": remote.external_id},
            )
            self._settle_local(remote.external_id)
        if decision is PullDecision.MERGE and local is not None and local.local_change:
            self._merge(remote, local)
            return write  # the vendor's version is the new base; surviving edits go on top
        if decision in (PullDecision.TAKE_REMOTE, PullDecision.KEEP_LOCAL):
            self.counts.conflicts += 1  # both sides changed; the timestamp policy settled it
            deleted_here = local is not None and local.local_delete
            winner = "the vendor's" if decision is PullDecision.TAKE_REMOTE else "our"
            what = "deleted here, edited at the vendor" if deleted_here else "changed on both sides"
            ctx.audit.add(
                Operation.CONFLICT,
                f"{self.entity.value} {remote.external_id} {what}; "
                f"{winner} later change wins (timestamp policy)",
                entity=self.entity,
                metadata={"external_id": remote.external_id},
            )
            if deleted_here and decision is PullDecision.KEEP_LOCAL:
                return None  # stays deleted here; the push deletes it at the vendor
        if decision is PullDecision.KEEP_LOCAL and local is not None and local.local_change:
            # Ours is newer: remember the vendor's version as the new base, keep our edit
            # on top; the push step sends it.
            write.data = {**remote.data, **local.local_change}
        if decision is PullDecision.TAKE_REMOTE:
            self._settle_local(remote.external_id)
        if ctx.dry_run:
            stored = self.stored(remote.external_id) if local is not None else None
            plan_write(ctx, self.entity, self.counts, decision, remote, stored, write.data)
        return write

    def _settle_local(self, external_id: str, *, both_deleted: bool = False) -> None:
        """The pending local change (an edit or a deletion) will not be pushed: the
        vendor's version or deletion won, or both sides deleted the record. A dry run
        only notes it, so that its push plans what the real push would do."""
        ctx = self.ctx
        if ctx.dry_run:
            ctx.settled[(self.entity, external_id)] = {}
            return
        key = (ctx.organisation_id, ctx.connection_id, self.entity, external_id)
        if both_deleted:
            ctx.store.mark_delete_pushed(*key, run_id=ctx.run.id)
        else:
            ctx.store.clear_local_change(*key)

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
        plan_merge(ctx, self.entity, self.counts, remote, self.stored(remote.external_id), merge)

    def _hold(self, remote: RemoteRecord, local: Record | None, decision: PullDecision) -> None:
        ctx = self.ctx
        self.counts.conflicts += 1
        deleted_here = local is not None and local.local_delete
        deletion = decision is PullDecision.HOLD_DELETE or deleted_here
        kind = ConflictKind.DELETE if deletion else ConflictKind.UPDATE
        # a deletion's conflict holds no version of the side that deleted the record
        local_data = local.data if local and not deleted_here else None
        remote_data = None if remote.deleted else remote.data
        differing = diff_fields(local_data, remote_data) if remote_data and local_data else []
        what = (
            "deleted here, edited at the vendor"
            if deleted_here
            else "deletion held for approval"
            if kind is ConflictKind.DELETE
            else "changed on both sides"
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
