"""Testing a connection from a form: a short answer, in words that tell the causes apart.

Real sockets for each cause: a name that does not resolve, a port nobody listens on, a
plain-HTTP port spoken to with TLS, a port that accepts and never answers, and a vendor
that refuses the token.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest

from core.models import System
from core.schemas import CheckResult
from core.service import IntegrationService
from tests.adapters.server import ScriptedServer, Step

ORG = "acme"
CONTACTS = "/crm/v3/objects/contacts"


@pytest.fixture
def service(monkeypatch: pytest.MonkeyPatch) -> Iterator[IntegrationService]:
    monkeypatch.setenv("TOOTHPICK_VENDOR_READ_TIMEOUT_S", "1")
    opened = IntegrationService.open()
    try:
        yield opened
    finally:
        opened.close()


def _test(service: IntegrationService, base_url: str) -> tuple[CheckResult, float]:
    started = time.monotonic()
    result = service.connections.test_credentials(
        ORG, System.HUBSPOT, {"base_url": base_url, "private_app_token": "pat-test-123456"}
    )
    return result, time.monotonic() - started


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_name_that_does_not_resolve_says_dns(service: IntegrationService) -> None:
    result, took = _test(service, "http://no-such-host.invalid")
    assert not result.ok and "DNS" in result.message
    assert "refused" not in result.message and took < 5


def test_a_closed_port_says_refused_and_is_not_retried(service: IntegrationService) -> None:
    result, took = _test(service, f"http://127.0.0.1:{_closed_port()}")
    assert not result.ok and "refused the connection" in result.message
    assert "DNS" not in result.message and took < 2  # one attempt, no backoff


def test_tls_to_a_plain_http_port_says_tls() -> None:
    with ScriptedServer() as server:
        opened = IntegrationService.open()
        try:
            result, _ = _test(opened, server.url.replace("http://", "https://"))
        finally:
            opened.close()
    assert not result.ok and "TLS" in result.message


def test_a_vendor_that_never_answers_says_timeout_within_the_short_limit(
    service: IntegrationService,
) -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)  # accepts into the backlog, never answers
        result, took = _test(service, f"http://127.0.0.1:{silent.getsockname()[1]}")
    assert not result.ok and "did not answer in time" in result.message
    assert took < 4  # the 1 s read timeout, once: no retries for a person waiting


def test_a_vendor_refusing_the_token_says_so_without_its_body(
    service: IntegrationService,
) -> None:
    with ScriptedServer() as server:
        body = {"category": "INVALID_AUTHENTICATION", "message": "Authentication credentials "
                "not found. <html>internal page body</html>" + "z" * 400}  # fmt: skip
        server.script("GET", CONTACTS, Step(401, json=body))
        result, _ = _test(service, server.url)
    assert not result.ok and "refused the API token (401" in result.message
    assert "INVALID_AUTHENTICATION" in result.message
    assert "z" * 200 not in result.message  # a short vendor message, not the body
