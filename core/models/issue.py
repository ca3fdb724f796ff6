"""Per-record failures a person can act on (issue 15): one record the vendor refused, or
that our mapping could not convert, kept with what is needed to fix and retry it."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from core.clock import new_id, utcnow
from core.models.common import Entity, ExternalId, Identifier, Model, System, UtcDatetime


class IssueDirection(StrEnum):
    PULL = "pull"  # reading it from the vendor (our mapping could not convert it)
    PUSH = "push"  # writing it to the vendor (the vendor refused it)


class IssueState(StrEnum):
    OPEN = "open"  # retried on the next runs, with backoff
    RESOLVED = "resolved"  # a later attempt succeeded
    DISMISSED = "dismissed"  # a person said stop retrying


class RecordIssue(Model):
    """Keyed by (connection, entity, direction, external id): one row per failing record."""

    id: Identifier = Field(default_factory=new_id)
    organisation_id: Identifier
    connection_id: Identifier
    system: System
    entity: Entity
    direction: IssueDirection
    external_id: ExternalId
    field: str | None = None  # the field named by the vendor or the mapping, when known
    code: str  # the vendor's error code, "mapping", or "http_<status>"
    message: str  # redacted, as the vendor or the mapping said it
    hint: str | None = None  # what to do, in plain words, for the common codes
    attempts: int = 1
    state: IssueState = IssueState.OPEN
    first_seen_at: UtcDatetime = Field(default_factory=utcnow)
    last_attempt_at: UtcDatetime = Field(default_factory=utcnow)
    next_retry_at: UtcDatetime = Field(default_factory=utcnow)
    resolved_at: UtcDatetime | None = None
    run_id: Identifier | None = None

    @property
    def key(self) -> tuple[Entity, IssueDirection, str]:
        return (self.entity, self.direction, self.external_id)
