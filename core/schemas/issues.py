"""Per-record failures grouped by cause, as the dashboard and the API show them."""

from __future__ import annotations

from dataclasses import dataclass

from core.models import Entity, IssueDirection


@dataclass(frozen=True)
class IssueGroup:
    """The issues sharing one cause: connection, entity, direction and error code."""

    connection_id: str
    entity: Entity
    direction: IssueDirection
    code: str
    hint: str | None
    count: int
    example: str  # one of the messages, as the vendor or the mapping said it
    issue_ids: tuple[str, ...]
