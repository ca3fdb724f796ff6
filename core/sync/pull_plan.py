"""A dry run's report lines for the pull: what a real run would write, field by field.

Each function counts the change the way the real run would (so a dry run's counts equal
the real run's) and adds one PlannedChange to the run's report.
"""

from __future__ import annotations

from typing import Any

from adapters.base import RemoteRecord
from core.models import Entity, EntityCounts, PlannedChange, Record, diff_fields
from core.sync.context import RunContext
from core.sync.merge import FieldMerge
from core.sync.planning import POLICY_WORDS, field_changes
from core.sync.policy import PullDecision


def plan_write(
    ctx: RunContext,
    entity: Entity,
    counts: EntityCounts,
    decision: PullDecision,
    remote: RemoteRecord,
    local: Record | None,
    new: dict[str, Any] | None = None,
) -> None:
    action = {
        PullDecision.CREATE: "create",
        PullDecision.DELETE: "delete",
    }.get(decision, "update")
    if action == "create":
        counts.created += 1
    elif action == "delete":
        counts.deleted += 1
    else:
        counts.updated += 1
    fields = diff_fields(local.data if local else None, remote.data)
    both = decision in (PullDecision.TAKE_REMOTE, PullDecision.KEEP_LOCAL)
    ctx.plan(
        PlannedChange(
            entity=entity,
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


def plan_skip(ctx: RunContext, entity: Entity, remote: RemoteRecord, local: Record | None) -> None:
    fields = diff_fields(local.data if local else None, remote.data)
    ctx.plan(
        PlannedChange(
            entity=entity,
            external_id=remote.external_id,
            action="conflict",
            fields=fields,
            detail="changed on both sides",
            changes=field_changes(local.data if local else None, remote.data, fields),
            conflict=True,
            policy=POLICY_WORDS["skip"],
        )
    )


def plan_merge(
    ctx: RunContext,
    entity: Entity,
    counts: EntityCounts,
    remote: RemoteRecord,
    stored: Record | None,
    merge: FieldMerge,
) -> None:
    counts.updated += 1
    winner = "the vendor's" if merge.vendor_won else "our"
    both = f"; changed on both sides: {', '.join(merge.conflicts)}" if merge.conflicts else ""
    ctx.plan(
        PlannedChange(
            entity=entity,
            external_id=remote.external_id,
            action="update",
            fields=(fields := diff_fields(stored.data if stored else None, merge.data)),
            detail="merged field by field" + both,
            changes=field_changes(stored.data if stored else None, merge.data, fields),
            conflict=bool(merge.conflicts),
            policy=(
                f"merged field by field; {winner} later change wins {', '.join(merge.conflicts)}"
                if merge.conflicts
                else None
            ),
        )
    )
