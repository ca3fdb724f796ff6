"""service.webhooks: vendors' change notifications in; their set-up per connection.

The receiving route takes no API key (vendors cannot send one): the vendor's own
verification stands in for it, and every failure is the same bare 401.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from api.deps import Admin, ServiceDep
from api.problems import PROBLEM_RESPONSES, problem
from core.models import Identifier, System
from core.schemas import InboundWebhook, WebhookEndpoint, WebhookSetup

router = APIRouter(tags=["webhooks"])


class WebhookAccepted(BaseModel):
    notifications: int
    entities: list[str]
    run_id: str | None
    coalesced: bool


@router.put("/api/integrations/{connection_id}/webhook", responses=PROBLEM_RESPONSES)
def set_up(
    connection_id: Identifier, setup: WebhookSetup, service: ServiceDep, caller: Admin
) -> WebhookEndpoint:
    """Set up (or renew) inbound webhooks; the answer shows the credentials once."""
    return service.webhooks.configure(caller.organisation_id, connection_id, setup)


@router.post(
    "/api/webhooks/{system}/{connection_id}",
    response_model=WebhookAccepted,
    responses={
        200: {"content": {"application/json": {}, "text/xml": {}}},
        401: PROBLEM_RESPONSES[401],
    },
)
async def receive(
    system: System,
    connection_id: Annotated[str, Path(max_length=64)],
    request: Request,
    service: ServiceDep,
) -> Response:
    """A vendor's change notification: verified its way, then an incremental sync is queued."""
    hook = InboundWebhook(
        method=request.method,
        url=str(request.url),
        headers={k.lower(): v for k, v in request.headers.items()},
        query=dict(request.query_params),
        body=await request.body(),
    )
    receipt = await run_in_threadpool(service.webhooks.receive, system, connection_id, hook)
    if receipt is None:
        return problem(401)
    if receipt.reply is not None:
        return Response(receipt.reply, media_type=receipt.reply_type)
    accepted = WebhookAccepted(**receipt.model_dump(exclude={"reply", "reply_type"}))
    return Response(accepted.model_dump_json(), media_type="application/json")
