"""Push one entity: pending local edits and deletions -> vendor, with the vendor's id and
time written back.

Before writing, the engine fetches the vendor's current version of the batch:
if the vendor changed the record since our last pull, both sides changed and
the conflict policy decides (the same rules as on pull). A deletion made in ToothPick
against a vendor edit made since is decided whole (it has no fields to merge): the
later change wins, a person decides, or neither side is touched. Batches are what the
vendor writes in one call (`SystemInfo.write_batch_size`), answered record by record.
"""

from __future__ import annotations

from adapters.base import OutboundRecord, RemoteRecord, WriteResult
from core.iterables import batched
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
    RecordWrite,
    content_hash,
    diff_fields,
)
from core.sync.context import RunContext
from core.sync.merge import local_base, merge_fields
from core.sync.planning import POLICY_WORDS, field_changes
from core.sync.policy import PushDecision, decide_push, local_wins


class EntityPush:
    def __init__(self, ctx: RunContext, entity: Entity) -> None:
        self.ctx = ctx
        self.entity = entity
        self.counts = ctx.entity_counts(entity)
        self.deleted = 0  # deletions made in ToothPick that reached the vendor (of `pushed`)

    def run(self) -> None:
        ctx = self.ctx
        pending = ctx.store.iter_records(  # edits, and deletions (deleted, still pending)
            ctx.organisation_id,
            ctx.connection_id,
            self.entity,
            pending_only=True,
            include_deleted=True,
        )
        held = ctx.issues.held(self.entity, IssueDirection.PUSH)  # backing off, or dismissed
        if held:
            pending = (r for r in pending if r.external_id not in held)
        # the vendor's records per write call: one push batch, one call where it has batches
        for batch in batched(pending, ctx.adapter.info.write_batch_size):
            self._push_batch(batch)
            ctx.checkpoint(self.entity, f"Pushing {self.entity.value}")
        self._summarise()

    def _push_batch(self, batch: list[Record]) -> None:
        ctx = self.ctx
        if ctx.settled:  # a dry run: what its pull settled, as the real run would leave it
            batch = [
                r.model_copy(update={"local_change": ctx.settled[(self.entity, r.external_id)]})
                if (self.entity, r.external_id) in ctx.settled
                else r
                for r in batch
            ]
            settled = [r for r in batch if (self.entity, r.external_id) in ctx.settled]
            batch = [r for r in batch if (self.entity, r.external_id) not in ctx.settled]
            self._plan_pushes([r for r in settled if r.local_change])
        if not batch:
            return
        known = [r.external_id for r in batch if not r.external_id.startswith("local:")]
        remote = {r.external_id: r for r in ctx.adapter.fetch(self.entity, known)} if known else {}
        outbound: list[Record] = []
        for record in batch:
            current = remote.get(record.external_id)
            decision = decide_push(
                local=record,
                remote_hash=content_hash(current.data) if current else None,
                remote_updated_at=current.updated_at if current else None,
                policy=ctx.policy,
            )
            if decision is PushDecision.PUSH:
                outbound.append(record)
            elif decision is PushDecision.MERGE and current is not None:
                merged = self._merge(record, current)
                if merged is not None:
                    outbound.append(merged)
            elif current is not None:
                self._settle(record, current, decision)
        if not outbound:
            return
        if ctx.dry_run:
            self._plan_pushes(outbound, remote)
            return
        deletions = [r for r in outbound if r.local_delete]
        if deletions:
            self._delete(deletions)
        edits = [r for r in outbound if not r.local_delete]
        if edits:
            self._write(edits)

    def _delete(self, deletions: list[Record]) -> None:
        """One `Adapter.delete` for the batch's deletions; a record the vendor no longer
        has counts as deleted (the goal holds), a refusal becomes that record's issue."""
        ctx = self.ctx
        results = ctx.adapter.delete(self.entity, [r.external_id for r in deletions])
        for record, result in zip(deletions, results, strict=True):
            if not self._accepted(record, result):
                continue
            self.deleted += 1
            ctx.store.mark_delete_pushed(
                ctx.organisation_id,
                ctx.connection_id,
                self.entity,
                record.external_id,
                run_id=ctx.run.id,
            )

    def _accepted(self, record: Record, result: WriteResult) -> bool:
        """Count the vendor's answer for one record; a refusal becomes that record's
        RecordIssue (retried with backoff), an acceptance settles an earlier one."""
        ctx = self.ctx
        if result.error:
            self.counts.failed += 1
            ctx.audit.record_failure(
                self.entity, record.external_id, result.error, operation=Operation.PUSH
            )
            ctx.issues.failed(self.entity, IssueDirection.PUSH, record.external_id, result.error)
            return False
        ctx.issues.succeeded(self.entity, IssueDirection.PUSH, [record.external_id])
        self.counts.pushed += 1
        return True

    def _write(self, outbound: list[Record]) -> None:
        """One `Adapter.write` for the batch; each record's own result, error and retry
        decision (a refusal becomes that record's RecordIssue, never its neighbours')."""
        ctx = self.ctx
        retried = set(ctx.issues.due(self.entity, IssueDirection.PUSH))
        taken_over = ctx.run.attempt > 1  # a create may have reached the vendor already
        results = ctx.adapter.write(
            self.entity,
            [
                OutboundRecord(
                    external_id=r.external_id,  # a create's `local:` id: its correlation key
                    data=r.data,
                    changed_fields=tuple(sorted(r.local_change or {})),
                    maybe_sent=taken_over or r.external_id in retried,
                )
                for r in outbound
            ],
        )
        for record, result in zip(outbound, results, strict=True):
            if not self._accepted(record, result):
                continue
            ctx.store.mark_pushed(
                ctx.organisation_id,
                ctx.connection_id,
                self.entity,
                record.external_id,
                new_external_id=result.new_external_id or record.external_id,
                data=record.data,
                content_hash=content_hash(record.data),
                source_updated_at=result.updated_at,
                run_id=ctx.run.id,
            )

    def _plan_pushes(
        self, records: list[Record], remote: dict[str, RemoteRecord] | None = None
    ) -> None:
        """Dry run: the pushes, each field with the vendor's value now (when fetched)."""
        for record in records:
            self.counts.pushed += 1
            if record.local_delete:
                self.deleted += 1
                self.ctx.plan(
                    PlannedChange(
                        entity=self.entity,
                        external_id=record.external_id,
                        action="delete",
                        direction="push",
                        detail="deleted in ToothPick",
                    )
                )
                continue
            fields = sorted(record.local_change or {})
            now = (remote or {}).get(record.external_id)
            self.ctx.plan(
                PlannedChange(
                    entity=self.entity,
                    external_id=record.external_id,
                    action="push",
                    fields=fields,
                    direction="push",
                    changes=field_changes(
                        now.data if now else None,
                        {**record.data, **(record.local_change or {})},
                        fields,
                    ),
                )
            )

    def _merge(self, record: Record, current: RemoteRecord) -> Record | None:
        """Both sides changed, timestamp policy: take the vendor's changes, keep the local
        edits of other fields, and let the later change decide a field both changed.
        Returns the record to push (its surviving edits), or None when nothing is left."""
        ctx = self.ctx
        key = (ctx.organisation_id, ctx.connection_id, self.entity, record.external_id)
        merge = merge_fields(
            remote=current.data,
            local_change=record.local_change or {},
            base=local_base(ctx.store, *key),
            local_wins=local_wins(record.local_changed_at, current.updated_at),
        )
        self.counts.updated += 1  # the vendor's changes are taken
        if merge.conflicts:
            self.counts.conflicts += 1
            winner = "the vendor's" if merge.vendor_won else "our"
            ctx.audit.add(
                Operation.CONFLICT,
                f"{self.entity.value} {record.external_id}: {', '.join(merge.conflicts)} changed "
                f"on both sides; {winner} later change wins (timestamp policy), "
                "other fields merged",
                entity=self.entity,
                metadata={"external_id": record.external_id, "fields": merge.conflicts},
            )
        if ctx.dry_run:
            ctx.plan(
                PlannedChange(
                    entity=self.entity,
                    external_id=record.external_id,
                    action="update",
                    fields=diff_fields(record.data, merge.data),
                    detail="merged field by field",
                )
            )
            if not merge.pending:
                return None
            return record.model_copy(update={"data": merge.data, "local_change": merge.pending})
        ctx.store.upsert_records(
            *key[:3],
            [
                RecordWrite(
                    external_id=current.external_id,
                    data=current.data,
                    content_hash=content_hash(current.data),
                    source_created_at=current.created_at,
                    source_updated_at=current.updated_at,
                )
            ],
            run_id=ctx.run.id,
        )
        ctx.store.clear_local_change(*key)
        if not merge.pending:
            return None
        return ctx.store.set_local_change(
            *key, merge.pending, at=record.local_changed_at or current.updated_at or ctx.started
        )

    def _settle(self, record: Record, current: RemoteRecord, decision: PushDecision) -> None:
        """Both sides changed and the policy did not say push."""
        ctx = self.ctx
        self.counts.conflicts += 1
        differing = diff_fields(record.data, current.data)
        what = (
            "deleted here, edited at the vendor" if record.local_delete else "changed on both sides"
        )
        if ctx.dry_run:
            action = "conflict" if decision is not PushDecision.TAKE_REMOTE else "update"
            ctx.plan(
                PlannedChange(
                    entity=self.entity,
                    external_id=record.external_id,
                    action=action,
                    fields=differing,
                    detail=f"{what}: {decision.value}",
                    direction="pull" if decision is PushDecision.TAKE_REMOTE else "push",
                    changes=(
                        field_changes(record.data, current.data, differing)
                        if decision is PushDecision.TAKE_REMOTE
                        else field_changes(current.data, record.data, differing)
                    ),
                    conflict=True,
                    policy=POLICY_WORDS[decision.value],
                )
            )
            return
        if decision is PushDecision.TAKE_REMOTE:
            ctx.store.clear_local_change(
                ctx.organisation_id, ctx.connection_id, self.entity, record.external_id
            )
            ctx.store.upsert_records(
                ctx.organisation_id,
                ctx.connection_id,
                self.entity,
                [
                    RecordWrite(
                        external_id=current.external_id,
                        data=current.data,
                        content_hash=content_hash(current.data),
                        source_created_at=current.created_at,
                        source_updated_at=current.updated_at,
                    )
                ],
                run_id=ctx.run.id,
            )
            self.counts.updated += 1
            message = (
                "the vendor's newer change wins; local deletion dropped, record restored"
                if record.local_delete
                else "the vendor's newer change wins; local edit dropped"
            )
        elif decision is PushDecision.CONFLICT:
            ctx.store.add_conflict(
                Conflict(
                    organisation_id=ctx.organisation_id,
                    connection_id=ctx.connection_id,
                    system=ctx.connection.system,
                    entity=self.entity,
                    external_id=record.external_id,
                    kind=ConflictKind.DELETE if record.local_delete else ConflictKind.UPDATE,
                    local=None if record.local_delete else record.data,
                    remote=current.data,
                    differing_fields=[] if record.local_delete else differing,
                    local_changed_at=record.local_changed_at,
                    remote_changed_at=current.updated_at,
                    run_id=ctx.run.id,
                )
            )
            message = "held for review"
        else:
            message = "skipped as the conflict policy says (neither side touched)"
        ctx.audit.add(
            Operation.CONFLICT,
            f"{self.entity.value} {record.external_id} {what}: {message}",
            entity=self.entity,
            level=LogLevel.WARNING,
            status=LogStatus.SKIPPED if decision is PushDecision.SKIP else LogStatus.WARNING,
            metadata={"external_id": record.external_id, "fields": differing},
        )

    def _summarise(self) -> None:
        c = self.counts
        if not (c.pushed or c.failed or c.conflicts):
            return
        self.ctx.audit.add(
            Operation.PUSH,
            f"Pushed {c.pushed} {self.entity.value} change(s) to the vendor"
            + (f" ({self.deleted} of them deletions)" if self.deleted else "")
            + f"; {c.failed} failed",
            entity=self.entity,
            status=LogStatus.WARNING if c.failed else LogStatus.SUCCESS,
            level=LogLevel.WARNING if c.failed else LogLevel.INFO,
            records_processed=c.pushed,
            records_failed=c.failed,
        )
