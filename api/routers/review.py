"""service.review: conflicts (resolved whole or field by field) and local records."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import Operator, ServiceDep, Viewer
from api.problems import PROBLEM_RESPONSES
from api.schemas import ConflictPublic, ConflictResolve, ListOf, RecordEdit, RecordPublic
from core.models import ConflictStatus, Entity, Identifier

router = APIRouter(tags=["review"], responses=PROBLEM_RESPONSES)


@router.get("/api/conflicts")
def conflicts(
    service: ServiceDep,
    caller: Viewer,
    status: ConflictStatus | None = ConflictStatus.OPEN,
    connection_id: Identifier | None = None,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ListOf[ConflictPublic]:
    page = service.review.conflicts(
        caller.organisation_id,
        status=status,
        connection_id=connection_id,
        offset=offset,
        limit=limit,
    )
    return ListOf(data=[ConflictPublic.of(c) for c in page.items], count=page.total)


@router.get("/api/conflicts/{conflict_id}")
def conflict(conflict_id: Identifier, service: ServiceDep, caller: Viewer) -> ConflictPublic:
    return ConflictPublic.of(service.review.get_conflict(caller.organisation_id, conflict_id))


@router.post("/api/conflicts/{conflict_id}/resolve")
def resolve(
    conflict_id: Identifier, body: ConflictResolve, service: ServiceDep, caller: Operator
) -> ConflictPublic:
    resolved = service.review.resolve_conflict(
        caller.organisation_id,
        conflict_id,
        body.resolution,
        fields=body.fields,
        resolved_by=f"api:{caller.name}",
    )
    return ConflictPublic.of(resolved)


@router.get("/api/integrations/{connection_id}/records/{entity}")
def records(
    connection_id: Identifier,
    entity: Entity,
    service: ServiceDep,
    caller: Viewer,
    pending_only: bool = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> ListOf[RecordPublic]:
    """ToothPick's copy of a connection's live records. `pending_only`: the changes the next
    push sends, edits and deletions made in ToothPick (`local_delete` marks a deletion)."""
    found = service.review.records(
        caller.organisation_id, connection_id, entity, pending_only=pending_only, limit=limit
    )
    return ListOf(data=[RecordPublic.of(r) for r in found], count=len(found))


@router.patch("/api/integrations/{connection_id}/records/{entity}")
def edit_record(
    connection_id: Identifier,
    entity: Entity,
    body: RecordEdit,
    service: ServiceDep,
    caller: Operator,
) -> RecordPublic:
    """Edit a record on ToothPick's side (`local:` ids create one); the next push sends it."""
    record = service.review.edit_record(
        caller.organisation_id, connection_id, entity, body.external_id, body.fields
    )
    return RecordPublic.of(record)


@router.delete("/api/integrations/{connection_id}/records/{entity}")
def delete_record(
    connection_id: Identifier,
    entity: Entity,
    external_id: Annotated[str, Query(min_length=1, max_length=255)],
    service: ServiceDep,
    caller: Operator,
) -> RecordPublic:
    """Delete a record on ToothPick's side; the next push deletes it at the vendor.

    The id is a query parameter (as the edit's is a body field), never a path segment:
    vendors' ids are free text (SAP's and Oracle's stock keys join parts that may hold
    `/` with `|`; codes and SKUs hold `/`, `%`, spaces, any Unicode). In a path, a `/`
    or a decoded `%2F` no longer matches the route, and `.`/`..` segments are folded
    away by clients and proxies before we see them; a query value arrives as sent.
    Answers the record now deleted, `local_delete` true until the push.
    """
    record = service.review.delete_record(
        caller.organisation_id, connection_id, entity, external_id
    )
    return RecordPublic.of(record)


@router.post("/api/integrations/{connection_id}/records/{entity}/undo-delete")
def undo_delete(
    connection_id: Identifier,
    entity: Entity,
    external_id: Annotated[str, Query(min_length=1, max_length=255)],
    service: ServiceDep,
    caller: Operator,
) -> RecordPublic:
    """Take back a deletion made in ToothPick before a sync pushed it: the record is live
    again as it was. 404 once the deletion reached the vendor (recreate it instead)."""
    record = service.review.undo_delete(caller.organisation_id, connection_id, entity, external_id)
    return RecordPublic.of(record)
