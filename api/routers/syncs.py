"""service.syncs: queue a sync (202 + the run's URL), runs, progress, cancel."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from api.deps import Operator, ServiceDep, Viewer
from api.problems import PROBLEM_RESPONSES
from api.schemas import ListOf, RunPublic, SyncAccepted, SyncRequest
from core.models import Identifier, RunTrigger

router = APIRouter(tags=["syncs"], responses=PROBLEM_RESPONSES)


@router.post("/api/integrations/sync", status_code=202)
def queue_sync(
    body: SyncRequest, service: ServiceDep, caller: Operator, request: Request, response: Response
) -> SyncAccepted:
    """Queue a run and answer at once; follow its progress at the returned URL."""
    run = service.syncs.queue_sync(
        caller.organisation_id, body.connection_id, body.options(), trigger=RunTrigger.API
    )
    url = str(request.url_for("get_run", run_id=run.id).path)
    response.headers["Location"] = url
    return SyncAccepted(run_id=run.id, state=run.state, url=url)


@router.get("/api/runs")
def list_runs(
    service: ServiceDep,
    caller: Viewer,
    connection_id: Identifier | None = None,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ListOf[RunPublic]:
    page = service.syncs.list_runs(
        caller.organisation_id, connection_id=connection_id, offset=offset, limit=limit
    )
    return ListOf(data=[RunPublic.of(r) for r in page.items], count=page.total)


@router.get("/api/runs/{run_id}", name="get_run")
def get_run(run_id: Identifier, service: ServiceDep, caller: Viewer) -> RunPublic:
    return RunPublic.of(service.syncs.get_run(caller.organisation_id, run_id))


@router.post("/api/runs/{run_id}/cancel", status_code=202)
def cancel_run(run_id: Identifier, service: ServiceDep, caller: Operator) -> RunPublic:
    """Ask the run to stop at its next checkpoint (a queued run is cancelled at once)."""
    return RunPublic.of(service.syncs.cancel_run(caller.organisation_id, run_id))
