"""The issue-11 attacks through the service, against the real HubSpot adapter over HTTP.

Each test is one hole as an attacker used it; the last one scans everything the attacks
produced (database bytes, log records, exports, messages) for any 8+ character prefix of
the canary secret.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.base_adapter import BaseAdapter
from core.errors import InvalidInputError
from core.models import ConnectionStatus, Entity, System
from core.schemas import ConnectionCreate, ConnectionUpdate, ExportFormat
from core.service import IntegrationService
from core.store.queries import LogFilter
from core.vault import generate_key
from tests.adapters.server import ScriptedServer, Step

ORG = "acme"
CANARY = "pat-canary-7Qx2Lk9vWm4Rt8Zp"
CONTACTS = "/crm/v3/objects/contacts"


@pytest.fixture
def service() -> Iterator[IntegrationService]:
    opened = IntegrationService.open()
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def vendor() -> Iterator[ScriptedServer]:
    with ScriptedServer() as server:
        server.script("GET", CONTACTS, Step(json={"results": []}))
        yield server


@pytest.fixture
def elsewhere() -> Iterator[ScriptedServer]:
    """Another origin (localhost instead of 127.0.0.1, another port): the attacker's host."""
    with ScriptedServer() as server:
        server.script("GET", CONTACTS, Step(json={"results": []}))
        yield server


def _other_origin(server: ScriptedServer) -> str:
    return server.url.replace("127.0.0.1", "localhost")


def _connect(service: IntegrationService, base_url: str) -> str:
    created = service.connections.connect(
        ORG,
        ConnectionCreate(
            system=System.HUBSPOT,
            name="HubSpot",
            fields={"base_url": base_url, "private_app_token": CANARY},
            entities=[Entity.CONTACT],
        ),
        test_first=False,
    )
    return created.id


# --- 1. addresses -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data",
        "https://169.254.169.254/latest/meta-data",
        "https://2852039166/",
        "https://[::ffff:169.254.169.254]/",
        "https://127.0.0.1:8443",
        "https://10.1.2.3",
        "https://internal.acme.example",
        "http://api.hubapi.com",
    ],
)
def test_production_refuses_a_base_url_off_the_vendors_https_hosts(
    monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    monkeypatch.setenv("TOOTHPICK_ENV", "production")
    monkeypatch.setenv("INTEGRATION_ENCRYPTION_KEY", generate_key())
    opened = IntegrationService.open()
    try:
        with pytest.raises(InvalidInputError) as refused:
            _connect(opened, url)
        assert refused.value.field == "base_url"
        assert str(refused.value).startswith("API URL: ")
        assert opened.connections.list_connections(ORG) == []
        tested = opened.connections.test_credentials(
            ORG, System.HUBSPOT, {"base_url": url, "private_app_token": CANARY}
        )
        assert not tested.ok and tested.message.startswith("API URL: ")
    finally:
        opened.close()


def test_production_accepts_hubspots_own_address(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOOTHPICK_ENV", "production")
    monkeypatch.setenv("INTEGRATION_ENCRYPTION_KEY", generate_key())
    opened = IntegrationService.open()
    try:
        _connect(opened, "https://api.hubapi.com")
    finally:
        opened.close()


def test_a_vendor_redirect_to_another_host_keeps_the_token_home(
    service: IntegrationService, vendor: ScriptedServer, elsewhere: ScriptedServer
) -> None:
    vendor.script(
        "GET", CONTACTS, Step(302, headers={"Location": _other_origin(elsewhere) + CONTACTS})
    )
    connection_id = _connect(service, vendor.url)
    result = service.connections.test_connection(ORG, connection_id)
    assert not result.ok and "redirect" in result.message
    assert elsewhere.seen == []


# --- 2. secrets bound to where they were given ----------------------------------------------


def test_changing_the_base_url_alone_does_not_carry_the_token_there(
    service: IntegrationService, vendor: ScriptedServer, elsewhere: ScriptedServer
) -> None:
    connection_id = _connect(service, vendor.url)
    before = service.runtime.store.get_connection(ORG, connection_id)
    with pytest.raises(InvalidInputError) as refused:
        service.connections.update_connection(
            ORG, connection_id, ConnectionUpdate(fields={"base_url": _other_origin(elsewhere)})
        )
    assert refused.value.field == "private_app_token"
    assert "enter it again" in str(refused.value) and "API URL" in str(refused.value)
    assert service.runtime.store.get_connection(ORG, connection_id) == before  # nothing stored
    service.connections.test_connection(ORG, connection_id)
    assert elsewhere.seen == [] and len(vendor.seen) == 1

    moved = service.connections.update_connection(
        ORG,
        connection_id,
        ConnectionUpdate(
            fields={"base_url": _other_origin(elsewhere), "private_app_token": "pat-new-place-1"}
        ),
    )
    assert moved.secret_fields == ["private_app_token"]
    assert service.connections.test_connection(ORG, connection_id).ok
    assert elsewhere.seen[0].header("Authorization") == "Bearer pat-new-place-1"


def test_an_edit_that_keeps_the_address_keeps_the_secrets(
    service: IntegrationService, vendor: ScriptedServer
) -> None:
    connection_id = _connect(service, vendor.url)
    service.connections.update_connection(
        ORG, connection_id, ConnectionUpdate(fields={"base_url": vendor.url + "/"})
    )
    assert service.connections.test_connection(ORG, connection_id).ok


# --- 3. no lost token ----------------------------------------------------------------------


def _refresh(service: IntegrationService, connection_id: str, token: str) -> None:
    """What a worker's adapter does after an OAuth refresh: hand the fresh fields back."""
    connection = service.runtime.store.get_connection(ORG, connection_id)
    assert connection is not None
    adapter = service.connections.open_adapter(connection, store_refreshed=True)
    assert isinstance(adapter, BaseAdapter)
    try:
        adapter.save_tokens({"access_token": token})
    finally:
        adapter.close()


def _stored_token(service: IntegrationService, connection_id: str) -> str | None:
    connection = service.runtime.store.get_connection(ORG, connection_id)
    assert connection is not None
    secret = service.runtime.vault.open(
        connection.sealed_secret, organisation_id=ORG, connection_id=connection_id
    )
    token = secret.get("access_token")
    return token.get_secret_value() if token is not None else None


def test_a_token_refreshed_while_the_dashboard_disables_survives(
    service: IntegrationService, vendor: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    connection_id = _connect(service, vendor.url)
    store = service.runtime.store
    write = store.update_connection
    landed: list[str] = []

    def refresh_lands_between_read_and_write(connection, **options):
        if not landed:
            landed.append("at-fresh-after-the-read")
            _refresh(service, connection_id, landed[0])
        return write(connection, **options)

    monkeypatch.setattr(store, "update_connection", refresh_lands_between_read_and_write)
    service.connections.set_enabled(ORG, connection_id, False)
    assert _stored_token(service, connection_id) == "at-fresh-after-the-read"
    monkeypatch.setattr(store, "update_connection", write)

    stop = threading.Event()
    tokens: list[str] = []

    def worker() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            tokens.append(f"at-refresh-{n:04d}")
            _refresh(service, connection_id, tokens[-1])

    thread = threading.Thread(target=worker)
    thread.start()
    try:
        for _ in range(40):
            service.connections.set_enabled(ORG, connection_id, False)
            service.connections.set_enabled(ORG, connection_id, True)
    finally:
        stop.set()
        thread.join()
    assert _stored_token(service, connection_id) == tokens[-1]
    stored = store.get_connection(ORG, connection_id)
    assert stored is not None and stored.status is ConnectionStatus.ACTIVE


# --- the canary scan over everything the attacks produced -------------------------------------


def test_no_part_of_the_secret_leaves_during_the_attacks(
    service: IntegrationService,
    vendor: ScriptedServer,
    elsewhere: ScriptedServer,
    isolated_environment: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    connection_id = _connect(service, vendor.url)
    messages: list[str] = []
    # the vendor echoes the token in an error, at every distance from the old 300-char cut
    for pad in range(120, 320, 7):
        echo = {"category": "VALIDATION_ERROR", "message": "y" * pad + " " + CANARY + " end"}
        vendor.script("GET", CONTACTS, Step(400, json=echo))
        messages.append(service.connections.test_connection(ORG, connection_id).message)
        tested = service.connections.test_credentials(
            ORG, System.HUBSPOT, {"base_url": vendor.url, "private_app_token": CANARY}
        )
        messages.append(tested.message)
    # a plain-text body with the token in it
    vendor.script(
        "GET",
        CONTACTS,
        Step(
            500,
            body=f"Internal error for {CANARY}\nmore".encode(),
            headers={"Content-Type": "text/plain"},
        ),
    )
    messages.append(service.connections.test_connection(ORG, connection_id).message)
    # the redirect and the rebinding attacks
    vendor.script(
        "GET", CONTACTS, Step(302, headers={"Location": _other_origin(elsewhere) + CONTACTS})
    )
    messages.append(service.connections.test_connection(ORG, connection_id).message)
    try:
        service.connections.update_connection(
            ORG, connection_id, ConnectionUpdate(fields={"base_url": _other_origin(elsewhere)})
        )
    except InvalidInputError as exc:
        messages.append(str(exc))

    everything = [
        *messages,
        caplog.text,
        *(e.model_dump_json() for e in service.monitoring.logs(ORG, LogFilter(), limit=500).items),
        "".join(service.monitoring.export_logs(ORG, LogFilter(), ExportFormat.CSV)),
        "".join(service.monitoring.export_logs(ORG, LogFilter(), ExportFormat.JSON)),
        *(c.model_dump_json() for c in service.connections.list_connections(ORG)),
    ]
    prefixes = [CANARY[:n] for n in range(8, len(CANARY) + 1)]
    assert any("VALIDATION_ERROR" in m for m in messages)  # the vendor's code is kept
    for text in everything:
        assert not any(p in text for p in prefixes), text[:200]
    for path in isolated_environment.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert not any(p.encode() in data for p in prefixes), path.name
    assert elsewhere.seen == []
