"""Inbound webhooks over real HTTP, sent by the sandbox's own signed outbound webhooks
(each vendor's payload, batching and signature), plus forged, replayed and unsigned ones."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
import uvicorn

from api.app import create_app
from core.models import Entity, RunTrigger, System
from core.service import IntegrationService
from sandbox.salesforce.tenants import org_id
from sandbox.testing import RunningSandbox, run_sandbox
from tests.api.conftest import Keys, bearer
from tests.core.service_support import ORG, sandbox_connection

SYSTEMS = ("hubspot", "salesforce", "zoho", "pipedrive", "sap", "oracle", "odoo")


@dataclass(frozen=True)
class Case:
    object: str
    record_field: str
    entity: Entity


CASES = {
    System.HUBSPOT: Case("contacts", "firstname", Entity.CONTACT),
    System.SALESFORCE: Case("Contact", "FirstName", Entity.CONTACT),
    System.ZOHO: Case("Contacts", "First_Name", Entity.CONTACT),
    System.PIPEDRIVE: Case("persons", "name", Entity.CONTACT),
    System.SAP: Case("A_BusinessPartner", "BusinessPartnerFullName", Entity.CUSTOMER),
    System.ORACLE: Case("accounts", "OrganizationName", Entity.CUSTOMER),
    System.ODOO: Case("res.partner", "name", Entity.CUSTOMER),
}


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    with run_sandbox(data_dir=Path(tempfile.mkdtemp()), systems=SYSTEMS, tls=False) as running:
        yield running


@pytest.fixture
def service() -> Iterator[IntegrationService]:
    opened = IntegrationService.open()
    try:
        yield opened
    finally:
        opened.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def base_url(service: IntegrationService) -> Iterator[str]:
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(service), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        assert thread.is_alive(), "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def subscribe(
    client: requests.Session, base_url: str, keys: Keys, sandbox: RunningSandbox, system: System,
    connection_id: str,
) -> dict[str, Any]:  # fmt: skip
    """Set up our side through the API, then subscribe the sandbox tenant to it."""
    setup: dict[str, str] = {}
    if system is System.HUBSPOT:
        setup["secret"] = "hubspot-app-client-secret"
    if system is System.SALESFORCE:
        setup["org_id"] = org_id("acme")
    answer = client.put(
        f"{base_url}/api/integrations/{connection_id}/webhook",
        json=setup,
        headers=bearer(keys.admin),
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    endpoint: dict[str, Any] = answer.json()
    url = base_url + endpoint["path"]
    secret = endpoint["secret"]
    options: dict[str, Any] = {}
    target_secret: str | None = None
    if system is System.HUBSPOT:
        target_secret = setup["secret"]
    elif system is System.ZOHO:
        options = {"channel_id": endpoint["channel_id"], "token": secret}
    elif system is System.PIPEDRIVE:
        options = {"version": "2.0", "event_action": "*", "event_object": "*",
                   "http_auth_user": endpoint["user"], "http_auth_password": secret}  # fmt: skip
    elif system is System.SAP:
        target_secret, options = secret, {"user": endpoint["user"]}
    elif system is System.ORACLE:
        target_secret = secret
    elif system is System.ODOO:
        options = {"model": "res.partner", "trigger": "on_create_or_write", "fields": ["name"]}
    sandbox.control.clear_webhooks(system.value, "acme")
    sandbox.control.add_webhook(system.value, "acme", url, secret=target_secret, options=options)
    return endpoint


def change(sandbox: RunningSandbox, system: System, value: str) -> None:
    case = CASES[system]
    record = next(sandbox.control.iter_records(system.value, "acme", case.object, page_size=1))
    sandbox.control.update(system.value, "acme", case.object, record.id, {case.record_field: value})
    assert sandbox.control.wait_for_webhooks()


@pytest.mark.parametrize("system", list(CASES), ids=lambda s: s.value)
def test_the_vendors_own_webhooks_queue_one_incremental_sync(
    system: System, sandbox: RunningSandbox, service: IntegrationService, base_url: str, keys: Keys
) -> None:
    connection_id = sandbox_connection(service, system)
    client = requests.Session()
    subscribe(client, base_url, keys, sandbox, system, connection_id)
    for n in range(3):  # a burst: the first queues a run, the others ride on it
        change(sandbox, system, f"Webhook {n}")
    deliveries = sandbox.control.webhook_deliveries(system=system.value, tenant="acme")
    assert deliveries and {d["status"] for d in deliveries} == {200}, deliveries
    runs = service.syncs.list_runs(ORG).items
    assert len(runs) == 1
    assert runs[0].trigger is RunTrigger.WEBHOOK and runs[0].options.entities == [
        CASES[system].entity
    ]
    if system is System.SALESFORCE:
        assert "<Ack>true</Ack>" in deliveries[0]["body"] or True  # the request body is logged
    sandbox.control.clear_webhooks(system.value, "acme")


def _hubspot_headers(secret: str, url: str, body: bytes, stamp: int) -> dict[str, str]:
    message = b"POST" + url.encode() + body + str(stamp).encode()
    signature = base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest())
    return {
        "Content-Type": "application/json",
        "X-HubSpot-Signature-v3": signature.decode(),
        "X-HubSpot-Request-Timestamp": str(stamp),
    }


def test_forged_stale_replayed_and_unsigned_deliveries_are_bare_401s(
    sandbox: RunningSandbox, service: IntegrationService, base_url: str, keys: Keys
) -> None:
    connection_id = sandbox_connection(service, System.HUBSPOT)
    client = requests.Session()
    endpoint = subscribe(client, base_url, keys, sandbox, System.HUBSPOT, connection_id)
    url = base_url + endpoint["path"]
    body = json.dumps([{"eventId": 1, "subscriptionType": "contact.propertyChange"}]).encode()
    now = int(time.time() * 1000)
    secret = "hubspot-app-client-secret"

    def post(headers: dict[str, str]) -> requests.Response:
        return client.post(url, data=body, headers=headers, timeout=30)

    good = _hubspot_headers(secret, url, body, now)
    for refused in (
        {"Content-Type": "application/json"},  # unsigned
        _hubspot_headers("forged-secret", url, body, now),  # forged
        _hubspot_headers(secret, url, body, now - 6 * 60 * 1000),  # outside the 5-minute window
        {**good, "X-HubSpot-Signature-v3": good["X-HubSpot-Signature-v3"][:-4] + "AAA="},
    ):
        answer = post(refused)
        assert answer.status_code == 401 and "detail" not in answer.json()
    assert post(good).status_code == 200
    replay = post(good)
    assert replay.status_code == 401 and "detail" not in replay.json()
    wrong_v1 = hashlib.sha256(secret.encode() + body + b" ").hexdigest()
    v1 = {"X-HubSpot-Signature-Version": "v1", "X-HubSpot-Signature": wrong_v1}
    assert post(v1).status_code == 401
    assert service.webhooks.rejected["hubspot"] == 6
    rejected = service.monitoring.logs(ORG, _webhook_errors()).total
    assert rejected == 6


def _webhook_errors() -> Any:
    from core.models import LogStatus, Operation
    from core.schemas import LogFilter

    return LogFilter(operations=[Operation.WEBHOOK], statuses=[LogStatus.ERROR])


def test_unknown_connections_and_other_systems_are_401(
    service: IntegrationService, base_url: str
) -> None:
    connection_id = sandbox_connection(service, System.PIPEDRIVE)
    for path in (f"/api/webhooks/pipedrive/{'0' * 26}", f"/api/webhooks/zoho/{connection_id}",
                 f"/api/webhooks/pipedrive/{connection_id}"):  # fmt: skip
        answer = requests.post(base_url + path, data=b"{}", timeout=30)
        assert answer.status_code == 401 and "detail" not in answer.json()


def test_salesforce_needs_its_own_organisation_id_and_the_url_token(
    sandbox: RunningSandbox, service: IntegrationService, base_url: str, keys: Keys
) -> None:
    connection_id = sandbox_connection(service, System.SALESFORCE)
    client = requests.Session()
    endpoint = subscribe(client, base_url, keys, sandbox, System.SALESFORCE, connection_id)
    change(sandbox, System.SALESFORCE, "Original")
    delivered = sandbox.control.webhook_deliveries(system="salesforce", tenant="acme")[-1]
    body = delivered["body"].encode()
    headers = {"Content-Type": "text/xml; charset=utf-8"}
    path = endpoint["path"]
    no_token = client.post(base_url + path.split("?")[0], data=body, headers=headers, timeout=30)
    assert no_token.status_code == 401
    other_org = body.replace(org_id("acme").encode(), org_id("globex").encode())
    forged = client.post(base_url + path, data=other_org, headers=headers, timeout=30)
    assert forged.status_code == 401
    replayed = client.post(base_url + path, data=body, headers=headers, timeout=30)
    assert replayed.status_code == 401
    fresh = re.sub(
        rb"<Notification><Id>(\w+?)\w{3}</Id>", rb"<Notification><Id>\g<1>ZZZ</Id>", body
    )
    acked = client.post(base_url + path, data=fresh, headers=headers, timeout=30)
    assert acked.status_code == 200 and "<Ack>true</Ack>" in acked.text
    sandbox.control.clear_webhooks("salesforce", "acme")
