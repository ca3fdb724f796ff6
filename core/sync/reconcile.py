"""Reconciliation, first piece: after a full sync, the vendor's own count against the hub's.

A full sync reads the whole listing and deletes what it no longer returned (pull.py's
sweep), so afterwards the hub should hold exactly the vendor's live records. The
vendor's cheapest count (Adapter.count: one call) proves it: the run log says
"complete: N of N", or how many the vendor and the hub hold and how many records are
known to fail (core.sync.issues), as a warning. Still to build (issue 15): the same
check on its own schedule, narrowing a difference to ids (id listings, or id-range
bisection with counts) and repairing them with a targeted re-read.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.models import Entity, IssueDirection, LogLevel, LogStatus, Operation
from core.sync.context import RunContext


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


def check_counts(ctx: RunContext, entity: Entity) -> CountCheck | None:
    """Compare and log; None when the vendor has no cheap count."""
    vendor = ctx.adapter.count(entity)
    if vendor is None:
        return None
    hub = ctx.store.count_records(ctx.organisation_id, ctx.connection_id).get(entity, 0)
    failing = len(ctx.issues.due(entity, IssueDirection.PULL)) + len(
        ctx.issues.held(entity, IssueDirection.PULL)
    )
    check = CountCheck(entity, vendor, hub, failing)
    ctx.audit.add(
        Operation.PULL,
        check.summary(),
        entity=entity,
        level=LogLevel.INFO if check.complete else LogLevel.WARNING,
        status=LogStatus.SUCCESS if check.complete else LogStatus.WARNING,
        metadata={"reconciliation": {"vendor": vendor, "hub": hub, "failing": failing}},
    )
    return check
