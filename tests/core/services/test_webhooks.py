"""The webhooks area: a burst becomes one run; a delivery after that run started reading
becomes exactly one follow-up run when it finishes."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator

import pytest

from core.models import Entity, RunState, RunTrigger, System
from core.schemas import InboundWebhook, RunOutcome, WebhookSetup
from core.service import IntegrationService
from tests.core.service_support import ORG, sandbox_connection


@pytest.fixture
def service() -> Iterator[IntegrationService]:
    opened = IntegrationService.open()
    try:
        yield opened
    finally:
        opened.close()


def _delivery(user: str, password: str, n: int, entity: str = "person") -> InboundWebhook:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    body = {"meta": {"action": "change", "entity": entity, "id": str(n)}, "data": {"id": n}}
    return InboundWebhook(
        method="POST",
        url="http://hub.test/api/webhooks/pipedrive/x",
        headers={"authorization": f"Basic {token}"},
        query={},
        body=json.dumps(body).encode(),
    )


def test_a_burst_is_one_run_and_late_notifications_one_follow_up(
    service: IntegrationService,
) -> None:
    connection_id = sandbox_connection(service, System.PIPEDRIVE)
    endpoint = service.webhooks.configure(ORG, connection_id, WebhookSetup())
    assert endpoint.user and endpoint.secret
    receipts = [
        service.webhooks.receive(
            System.PIPEDRIVE, connection_id, _delivery(endpoint.user, endpoint.secret, n)
        )
        for n in range(20)
    ]
    assert all(r is not None for r in receipts)
    assert len({r.run_id for r in receipts if r}) == 1
    assert [r.coalesced for r in receipts if r].count(False) == 1
    first = service.syncs.claim_run(receipts[0].run_id or "", "w1", stale_after_s=60)  # type: ignore[union-attr]
    assert first is not None and first.state is RunState.RUNNING
    late = service.webhooks.receive(
        System.PIPEDRIVE, connection_id, _delivery(endpoint.user, endpoint.secret, 99, "deal")
    )
    assert late is not None and late.coalesced and late.run_id == first.id
    service.syncs.record_outcome(first, "w1", RunOutcome(state=RunState.SUCCEEDED, counts={}))
    runs = service.syncs.list_runs(ORG).items
    assert len(runs) == 2
    follow_up = runs[0]
    assert follow_up.trigger is RunTrigger.WEBHOOK and follow_up.state is RunState.QUEUED
    assert follow_up.options.entities == [Entity.OPPORTUNITY]


def test_wrong_credentials_are_refused_and_counted(service: IntegrationService) -> None:
    connection_id = sandbox_connection(service, System.PIPEDRIVE)
    endpoint = service.webhooks.configure(ORG, connection_id, WebhookSetup())
    assert endpoint.user
    wrong = _delivery(endpoint.user, "guessed-password", 1)
    assert service.webhooks.receive(System.PIPEDRIVE, connection_id, wrong) is None
    assert service.webhooks.rejected["pipedrive"] == 1
    assert service.syncs.list_runs(ORG).total == 0


def test_hubspot_and_salesforce_need_their_vendor_values(service: IntegrationService) -> None:
    from core.errors import InvalidInputError

    hubspot = sandbox_connection(service, System.HUBSPOT)
    with pytest.raises(InvalidInputError, match="secret"):
        service.webhooks.configure(ORG, hubspot, WebhookSetup())
    salesforce = sandbox_connection(service, System.SALESFORCE)
    with pytest.raises(InvalidInputError, match="org_id"):
        service.webhooks.configure(ORG, salesforce, WebhookSetup())
