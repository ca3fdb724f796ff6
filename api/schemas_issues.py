"""The API's models for per-record failures (service.issues): one issue, one cause's
group, and the selection a retry or dismissal acts on (ids, or every issue of a cause)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints, model_validator

from api.schemas import Input
from core.models import Entity, Identifier, IssueDirection, IssueState, RecordIssue, System
from core.schemas import IssueGroup

Code = Annotated[str, StringConstraints(min_length=1, max_length=120)]


class IssuePublic(BaseModel):
    id: str
    connection_id: str
    system: System
    entity: Entity
    direction: IssueDirection
    external_id: str
    field: str | None
    code: str
    message: str
    hint: str | None
    attempts: int
    state: IssueState
    first_seen_at: datetime
    last_attempt_at: datetime
    next_retry_at: datetime

    @classmethod
    def of(cls, issue: RecordIssue) -> IssuePublic:
        return cls.model_validate(issue.model_dump(include=set(cls.model_fields)))


class IssueGroupPublic(BaseModel):
    connection_id: str
    entity: Entity
    direction: IssueDirection
    code: str
    hint: str | None
    count: int
    example: str
    issue_ids: list[str]

    @classmethod
    def of(cls, group: IssueGroup) -> IssueGroupPublic:
        return cls(
            connection_id=group.connection_id,
            entity=group.entity,
            direction=group.direction,
            code=group.code,
            hint=group.hint,
            count=group.count,
            example=group.example,
            issue_ids=list(group.issue_ids),
        )


class IssueCause(Input):
    connection_id: Identifier
    entity: Entity
    direction: IssueDirection
    code: Code


class IssueSelection(Input):
    """Exactly one of: the chosen issues' ids (one or a selection), or a whole cause."""

    issue_ids: list[Identifier] | None = Field(default=None, min_length=1, max_length=1000)
    cause: IssueCause | None = None

    @model_validator(mode="after")
    def _one(self) -> IssueSelection:
        if (self.issue_ids is None) == (self.cause is None):
            raise ValueError("give either issue_ids or cause")
        return self


class IssuesRetried(BaseModel):
    retried: int
    run_ids: list[str]


class IssuesDismissed(BaseModel):
    dismissed: int
