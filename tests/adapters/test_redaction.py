"""A secret never reaches a log record or an exception message."""

from __future__ import annotations

import logging
import socket
from urllib.parse import quote

import pytest
import requests

from adapters.auth import BasicAuth, TokenAuth
from adapters.base import CallStats
from adapters.circuit import CircuitBreaker
from adapters.http import VendorSession
from adapters.oauth import OAuth2
from adapters.redaction import MASK, Redactor, install_log_filters
from core.errors import ToothpickError
from tests.adapters.server import ScriptedServer, Step

CANARY = "canary-Secret+value/42"


def test_known_values_are_masked_also_when_url_encoded():
    redactor = Redactor([CANARY])
    text = f"plain {CANARY} encoded {quote(CANARY, safe='')}"
    assert redactor.text(text) == f"plain {MASK} encoded {MASK}"


def test_short_values_are_not_treated_as_secrets():
    redactor = Redactor(["ab"])
    assert redactor.text("tab stop") == "tab stop"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/v1/deals?api_token=abc123&start=0", "/v1/deals?api_token=***&start=0"),
        ("?access_token=x&next_page_token=keep", "?access_token=***&next_page_token=keep"),
        (
            "grant_type=refresh_token&refresh_token=r1&client_secret=s1",
            "grant_type=refresh_token&refresh_token=***&client_secret=***",
        ),
        ('{"password": "hunter2", "login": "bob"}', '{"password": "***", "login": "bob"}'),
        (
            '{"access_token":"a.b.c","instance_url":"https://x"}',
            '{"access_token":"***","instance_url":"https://x"}',
        ),
        ("Zoho-oauthtoken 1000.abc.def", "Zoho-oauthtoken ***"),
        ("Basic dXNlcjpwYXNz", "Basic ***"),
    ],
)
def test_the_vendors_secret_shapes_are_masked_without_knowing_the_value(text, expected):
    assert Redactor().text(text) == expected


def test_secret_headers_are_masked_by_name():
    headers = Redactor().headers({"Authorization": "x", "X-CSRF-Token": "t", "Accept": "a"})
    assert headers == {"Authorization": MASK, "X-CSRF-Token": MASK, "Accept": "a"}


def test_third_party_log_records_lose_their_query_tokens():
    record = logging.LogRecord(
        "urllib3.connectionpool",
        logging.DEBUG,
        __file__,
        1,
        '"%s %s HTTP/1.1" %s',
        ("GET", "/v1/deals?api_token=abc", 200),
        None,
    )
    install_log_filters()
    for log_filter in logging.getLogger("urllib3.connectionpool").filters:
        assert not isinstance(log_filter, logging.Filter) or log_filter.filter(record)
    assert "abc" not in record.getMessage()


def _failing_calls(server: ScriptedServer, session: VendorSession) -> list[str]:
    """Every way a call can fail, each answer echoing the secret back at us."""
    echo = {"message": f"bad token {CANARY}", "error_description": CANARY}
    server.script("GET", "/a", Step(500, json=echo))
    server.script(
        "GET",
        "/b",
        Step(
            401, json=[{"message": f"Session {CANARY} expired", "errorCode": "INVALID_SESSION_ID"}]
        ),
    )
    server.script(
        "GET",
        "/c",
        Step(404, body=f"no such {CANARY}".encode(), headers={"Content-Type": "text/plain"}),
    )
    server.script("GET", "/d", Step(body=f'{{"x": "{CANARY}'.encode()))
    server.script("GET", "/e", Step(429, json=echo, headers={"Retry-After": "9999"}))
    server.script("GET", "/f", Step(drop=True))
    messages = []
    for path in ("/a", "/b", "/c", "/d", "/e", "/f"):
        with pytest.raises(ToothpickError) as caught:
            session.request_json("GET", path, params={"api_token": CANARY, "q": "x"})
        messages.append(str(caught.value))
        assert caught.value.__cause__ is None
        assert caught.value.__suppress_context__ or caught.value.__context__ is None
    return messages


@pytest.mark.parametrize(
    "auth",
    [
        TokenAuth.query("api_token", CANARY),
        TokenAuth.bearer(CANARY),
        BasicAuth("user", CANARY),
    ],
    ids=["query-token", "bearer", "basic"],
)
def test_a_canary_secret_never_appears_in_messages_or_logs(server, clock, caplog, auth):
    caplog.set_level(logging.DEBUG)
    session = VendorSession(
        vendor="Pipedrive",
        base_url=server.url,
        auth=auth,
        clock=clock,
        stats=CallStats(),
        breaker=CircuitBreaker("Pipedrive", threshold=1000),
        rand=lambda: 0.1,
    )
    messages = _failing_calls(server, session)
    assert len(messages) == 6
    assert any("api_token" in m or "Session" in m or "bad token" in m for m in messages)
    for message in messages:
        assert CANARY not in message
        assert quote(CANARY, safe="") not in message
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "urllib3" in {r.name.split(".")[0] for r in caplog.records}  # the stack did log
    assert CANARY not in logged
    assert quote(CANARY, safe="") not in logged


def test_a_refreshed_token_is_masked_from_then_on(server, clock, caplog):
    caplog.set_level(logging.DEBUG)
    fresh = "fresh-token-0987654321"
    server.script("POST", "/token", Step(json={"access_token": fresh, "expires_in": 3600}))
    server.script("GET", "/a", Step(500, json={"message": f"token {fresh} broke"}))
    oauth = OAuth2(
        vendor="HubSpot",
        token_url=f"{server.url}/token",
        client_id="cid",
        client_secret=CANARY,
        tokens={"refresh_token": "rt-123456"},
        clock=clock,
    )
    session = VendorSession(
        vendor="HubSpot", base_url=server.url, auth=oauth, clock=clock, rand=lambda: 0.0
    )
    with pytest.raises(ToothpickError) as caught:
        session.request_json("GET", "/a")
    assert fresh not in str(caught.value)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert fresh not in logged and CANARY not in logged


def test_requests_own_exception_text_would_have_leaked_the_token():
    """Why our exceptions are never chained to the requests error: its text holds the URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(requests.ConnectionError) as caught:
        requests.get(f"http://127.0.0.1:{port}/x", params={"api_token": CANARY}, timeout=1)
    assert quote(CANARY, safe="") in str(caught.value)
