"""What waits for a person: conflicts (and deletions held for approval) and alerts."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import Field

from core.clock import new_id, utcnow
from core.models.common import (
    Entity,
    ExternalId,
    Identifier,
    Model,
    System,
    Text2000,
    UtcDatetime,
)


class ConflictKind(StrEnum):
    UPDATE = "update"  # both sides changed since the last sync
    DELETE = "delete"  # deleted on one side, edited or held on the other


class ConflictStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"
    DISMISSED = "dismissed"


class Resolution(StrEnum):
    LOCAL = "local"  # keep ToothPick's version (and push it)
    REMOTE = "remote"  # take the vendor's version
    MERGED = "merged"  # field by field
    APPROVE_DELETE = "approve_delete"
    REJECT_DELETE = "reject_delete"


class Conflict(Model):
    id: Identifier = Field(default_factory=new_id)
    organisation_id: Identifier
    connection_id: Identifier
    system: System
    entity: Entity
    external_id: ExternalId
    kind: ConflictKind = ConflictKind.UPDATE
    local: dict[str, Any] | None = None
    remote: dict[str, Any] | None = None
    differing_fields: list[str] = Field(default_factory=list)
    local_changed_at: UtcDatetime | None = None
    remote_changed_at: UtcDatetime | None = None
    run_id: Identifier | None = None
    detected_at: UtcDatetime = Field(default_factory=utcnow)
    status: ConflictStatus = ConflictStatus.OPEN
    resolution: Resolution | None = None
    resolved_data: dict[str, Any] | None = None
    resolved_by: str | None = None
    resolved_at: UtcDatetime | None = None

    @property
    def deleted_in_toothpick(self) -> bool:
        """A DELETE conflict is held for the side that did not delete: the vendor's
        deletion against our copy, or ours (no `local` version) against a vendor edit."""
        return self.kind is ConflictKind.DELETE and self.local is None


class AlertKind(StrEnum):
    CONSECUTIVE_FAILURES = "consecutive_failures"
    SLOW_RESPONSES = "slow_responses"
    CONNECTIVITY = "connectivity"
    RATE_LIMIT = "rate_limit"
    NEEDS_RECONNECT = "needs_reconnect"
    QUOTA = "quota"
    STUCK_RUN = "stuck_run"  # a running run whose heartbeat stopped past the threshold
    INCOMPLETE = "incomplete"  # reconciliation: the hub and the vendor differ, unexplained


class AlertSeverity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


class AlertState(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"  # still open: someone is on it
    RESOLVED = "resolved"


class Alert(Model):
    """Opened once per (connection, kind) while the condition lasts; `count` says how often.

    Lifecycle: open -> (acknowledged) -> resolved. Acknowledging does not close
    it; it is resolved when its condition clears (`resolved_by` "system") or by
    a person. Only a resolved alert lets the same (connection, kind) open anew.
    """

    id: Identifier = Field(default_factory=new_id)
    organisation_id: Identifier
    connection_id: Identifier | None = None
    system: System | None = None
    kind: AlertKind
    severity: AlertSeverity = AlertSeverity.WARNING
    message: Text2000
    created_at: UtcDatetime = Field(default_factory=utcnow)
    last_seen_at: UtcDatetime = Field(default_factory=utcnow)
    count: int = 1
    acknowledged_at: UtcDatetime | None = None
    acknowledged_by: str | None = Field(default=None, max_length=200)
    resolved_at: UtcDatetime | None = None
    resolved_by: str | None = Field(default=None, max_length=200)

    @property
    def state(self) -> AlertState:
        if self.resolved_at is not None:
            return AlertState.RESOLVED
        if self.acknowledged_at is not None:
            return AlertState.ACKNOWLEDGED
        return AlertState.OPEN
