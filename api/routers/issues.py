"""service.issues: per-record failures grouped by cause; retry or dismiss one, a
selection, or every issue of a cause (viewers read, operators act)."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import Operator, ServiceDep, Viewer
from api.problems import PROBLEM_RESPONSES
from api.schemas import ListOf
from api.schemas_issues import (
    IssueGroupPublic,
    IssuePublic,
    IssuesDismissed,
    IssueSelection,
    IssuesRetried,
)
from core.models import Identifier, IssueState
from core.schemas import Caller
from core.service import IntegrationService

router = APIRouter(tags=["issues"], responses=PROBLEM_RESPONSES)


@router.get("/api/issues")
def issues(
    service: ServiceDep,
    caller: Viewer,
    state: IssueState = IssueState.OPEN,
    connection_id: Identifier | None = None,
) -> ListOf[IssuePublic]:
    found = service.issues.issues(
        caller.organisation_id, connection_id=connection_id, states=(state,)
    )
    return ListOf(data=[IssuePublic.of(i) for i in found], count=len(found))


@router.get("/api/issues/groups")
def groups(
    service: ServiceDep, caller: Viewer, connection_id: Identifier | None = None
) -> ListOf[IssueGroupPublic]:
    """Open issues grouped by cause (connection, entity, direction, code), largest first."""
    found = service.issues.groups(caller.organisation_id, connection_id=connection_id)
    return ListOf(data=[IssueGroupPublic.of(g) for g in found], count=len(found))


def _chosen(
    service: IntegrationService, caller: Caller, body: IssueSelection, *, dismissed: bool
) -> list[str]:
    if body.issue_ids is not None:
        return list(body.issue_ids)
    assert body.cause is not None
    states = (IssueState.OPEN, IssueState.DISMISSED) if dismissed else (IssueState.OPEN,)
    return service.issues.of_cause(
        caller.organisation_id,
        connection_id=body.cause.connection_id,
        entity=body.cause.entity,
        direction=body.cause.direction,
        code=body.cause.code,
        states=states,
    )


@router.post("/api/issues/retry")
def retry(body: IssueSelection, service: ServiceDep, caller: Operator) -> IssuesRetried:
    """Due at once; one run queued per connection (a connection already syncing keeps its
    run: the issues are retried by it or the next one)."""
    chosen = _chosen(service, caller, body, dismissed=True)
    runs = service.issues.retry(caller.organisation_id, chosen) if chosen else []
    return IssuesRetried(retried=len(chosen), run_ids=[r.id for r in runs])


@router.post("/api/issues/dismiss")
def dismiss(body: IssueSelection, service: ServiceDep, caller: Operator) -> IssuesDismissed:
    chosen = _chosen(service, caller, body, dismissed=False)
    count = service.issues.dismiss(caller.organisation_id, chosen) if chosen else 0
    return IssuesDismissed(dismissed=count)
