"""Testing a connection from the dashboard: off the store threads, and the cause in words."""

from __future__ import annotations

import socket
import threading

from streamlit.testing.v1 import AppTest

from core.models import System
from core.schemas import ConnectionCreate
from core.service import IntegrationService
from tests.adapters.server import ScriptedServer, Step
from tests.ui.builders import ORG
from tests.ui.conftest import OpenPage, open_connection_page, press
from tests.ui.conftest import shown as unescaped
from ui import vendor_calls

PREFIX = "con_new_hubspot"


def _form(open_page: OpenPage, base_url: str) -> AppTest:
    at = open_page("connections")
    at.selectbox(key="con_new_system").select(System.HUBSPOT).run()
    at.text_input(key=f"{PREFIX}_name").input("HubSpot (test)")
    at.text_input(key=f"{PREFIX}_f_base_url").input(base_url)
    at.text_input(key=f"{PREFIX}_f_private_app_token").input("pat-na1-whatever-123456")
    return at


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_an_unknown_host_and_a_closed_port_are_told_apart(
    open_page: OpenPage, service: IntegrationService
) -> None:
    at = _form(open_page, "http://no-such-host.invalid")
    press(at, "Test connection")
    errors = " ".join(unescaped(e.value) for e in at.error)
    assert "DNS" in errors and "refused" not in errors  # it was "refused the connection"

    at = _form(open_page, f"http://127.0.0.1:{_closed_port()}")
    press(at, "Test connection")
    errors = " ".join(unescaped(e.value) for e in at.error)
    assert "nothing listens there" in errors and "DNS" not in errors
    assert service.connections.list_connections(ORG) == []


def test_vendor_calls_run_on_their_own_threads(service: IntegrationService) -> None:
    del service
    name = vendor_calls.run(lambda _service: threading.current_thread().name)
    assert name.startswith("toothpick-vendor")


def test_the_edit_form_says_a_new_address_needs_the_secrets_again(
    open_page: OpenPage, service: IntegrationService
) -> None:
    created = service.connections.connect(
        ORG,
        ConnectionCreate(
            system=System.HUBSPOT,
            name="HubSpot EU",
            fields={"base_url": "https://api.hubapi.com", "private_app_token": "pat-eu-123456"},
        ),
        test_first=False,
    )
    at = open_connection_page(open_page, created)  # editing lives on the connection's page
    key = f"cp_edit_{created.id}"
    assert any("requires entering every secret again" in unescaped(c.value) for c in at.caption)
    at.text_input(key=f"{key}_f_base_url").input("https://api-eu1.hubapi.com")
    press(at, "Save changes")
    errors = " ".join(unescaped(e.value) for e in at.error)
    assert "Private app access token: enter it again" in errors
    stored = service.connections.get_connection(ORG, created.id)
    assert stored.config["base_url"] == "https://api.hubapi.com"  # nothing changed


def test_a_vendor_echoing_the_token_shows_no_part_of_it_on_the_page(
    open_page: OpenPage, service: IntegrationService
) -> None:
    canary = "pat-na1-canary-Zq81Lm0Vx3"
    with ScriptedServer() as vendor:
        echo = {"category": "VALIDATION_ERROR", "message": "x" * 150 + " " + canary}
        vendor.script("GET", "/crm/v3/objects/contacts", Step(400, json=echo))
        at = _form(open_page, vendor.url)
        at.text_input(key=f"{PREFIX}_f_private_app_token").input(canary)
        press(at, "Test connection")
    shown = [
        unescaped(str(getattr(element, "value", "")))
        for kind in ("error", "warning", "success", "info", "markdown", "caption", "text")
        for element in getattr(at, kind)
    ]
    assert any("VALIDATION_ERROR" in text for text in shown)
    prefixes = [canary[:n] for n in range(8, len(canary) + 1)]
    for text in shown:
        assert not any(p in text for p in prefixes), text
