"""The failure table and the readers of vendor error bodies."""

from __future__ import annotations

import socket
from typing import Any

import orjson
import pytest
import requests
from urllib3.exceptions import MaxRetryError, NameResolutionError, NewConnectionError

from adapters.failures import (
    Action,
    classify_exception,
    classify_status,
    error_code,
    error_detail,
    is_success,
)
from core.errors import FailureCategory
from core.redaction import redact, register_secrets


def response(
    status: int,
    body: Any = None,
    *,
    text: str | None = None,
    content_type: str = "application/json",
) -> requests.Response:
    made = requests.Response()
    made.status_code = status
    made._content = orjson.dumps(body) if text is None else text.encode()
    made.headers["Content-Type"] = content_type
    return made


@pytest.mark.parametrize(
    ("status", "action", "category"),
    [
        (400, Action.FAIL, FailureCategory.VENDOR),
        (401, Action.REFRESH_AUTH, FailureCategory.CONFIG),
        (403, Action.FAIL, FailureCategory.CONFIG),
        (404, Action.FAIL, FailureCategory.VENDOR),
        (408, Action.RETRY, FailureCategory.TRANSIENT),
        (418, Action.FAIL, FailureCategory.VENDOR),
        (422, Action.FAIL, FailureCategory.VENDOR),
        (429, Action.RATE_LIMITED, FailureCategory.TRANSIENT),
        (500, Action.RETRY, FailureCategory.TRANSIENT),
        (503, Action.RETRY, FailureCategory.TRANSIENT),
        (599, Action.RETRY, FailureCategory.TRANSIENT),
    ],
)
def test_status_table(status, action, category):
    resolution = classify_status(status)
    assert (resolution.action, resolution.category) == (action, category)


def test_server_errors_count_towards_the_breaker_and_rate_limits_do_not():
    assert classify_status(503).connectivity
    assert not classify_status(429).connectivity
    assert not classify_status(404).connectivity


def test_success_includes_not_modified():
    assert is_success(200) and is_success(204) and is_success(304)
    assert not is_success(300) and not is_success(404)


@pytest.mark.parametrize(
    ("exc", "action", "unsent"),
    [
        (requests.ConnectTimeout(), Action.RETRY, True),
        (requests.ReadTimeout(), Action.RETRY, False),
        (requests.ConnectionError("Connection aborted."), Action.RETRY, False),
        (requests.exceptions.ChunkedEncodingError(), Action.RETRY, False),
        (requests.exceptions.SSLError(), Action.FAIL, False),
        (requests.exceptions.InvalidURL(), Action.FAIL, False),
        (requests.exceptions.MissingSchema(), Action.FAIL, False),
        (ValueError("ours"), Action.FAIL, False),
    ],
)
def test_exception_table_picks_the_most_specific_class(exc, action, unsent):
    resolution = classify_exception(exc)
    assert (resolution.action, resolution.unsent) == (action, unsent)


def test_a_refused_connection_is_known_to_be_unsent():
    refused = NewConnectionError(None, "Connection refused")  # type: ignore[arg-type]
    exc = requests.ConnectionError(MaxRetryError(None, "/x", refused))  # type: ignore[arg-type]
    resolution = classify_exception(exc)
    assert resolution.unsent and resolution.connectivity
    assert resolution.message == "the vendor could not be reached"


def test_dns_and_refused_connections_are_told_apart():
    dns = NameResolutionError("no-such-host.invalid", None, socket.gaierror(-2, "unknown"))  # type: ignore[arg-type]
    refused = NewConnectionError(None, "refused")  # type: ignore[arg-type]
    refused.__cause__ = ConnectionRefusedError(111, "Connection refused")
    unreachable = NewConnectionError(None, "unreachable")  # type: ignore[arg-type]
    unreachable.__cause__ = OSError(101, "Network is unreachable")
    said = [
        classify_exception(requests.ConnectionError(MaxRetryError(None, "/", e))).message  # type: ignore[arg-type]
        for e in (dns, refused, unreachable)
    ]
    assert "DNS" in said[0] and "refused" in said[1] and "no network route" in said[2]


@pytest.mark.parametrize(
    ("body", "code", "detail"),
    [
        (
            [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}],
            "INVALID_SESSION_ID",
            "INVALID_SESSION_ID: Session expired or invalid",
        ),
        (
            {
                "status": "error",
                "message": "You have reached your daily limit.",
                "errorType": "RATE_LIMIT",
                "policyName": "DAILY",
            },
            "RATE_LIMIT",
            "RATE_LIMIT: You have reached your daily limit.",
        ),
        (
            {"code": "INVALID_TOKEN", "status": "error", "message": "invalid oauth token"},
            "INVALID_TOKEN",
            "INVALID_TOKEN: invalid oauth token",
        ),
        (
            {"success": False, "error": "Request over limit"},
            "Request over limit",
            "Request over limit",
        ),
        (
            {
                "error": {
                    "code": "XX/123",
                    "message": {"lang": "en", "value": "Account does not exist"},
                }
            },
            "XX/123",
            "XX/123: Account does not exist",
        ),
        (
            {"title": "Bad Request", "o:errorCode": "27034", "detail": "Attribute Foo unknown"},
            "27034",
            "27034: Attribute Foo unknown",
        ),
        (
            {"error": "invalid_grant", "error_description": "expired access/refresh token"},
            "invalid_grant",
            "invalid_grant: expired access/refresh token",
        ),
    ],
)
def test_error_bodies_of_the_seven_vendors(body, code, detail):
    assert error_code(body) == code
    assert error_detail(response(400, body)) == detail


def test_plain_text_errors_give_their_first_line_and_html_gives_nothing():
    assert (
        error_detail(
            response(
                400, text="URL request parameter q is invalid\nmore", content_type="text/plain"
            )
        )
        == "URL request parameter q is invalid"
    )
    assert (
        error_detail(
            response(502, text="<html><body>Bad gateway</body></html>", content_type="text/html")
        )
        == ""
    )


def test_long_details_are_shortened():
    detail = error_detail(response(400, {"message": "x" * 1000}))
    assert len(detail) == 160 and detail.endswith("…")


def test_a_secret_echoed_near_the_cut_is_masked_before_the_cut():
    """The cut used to come first: the first characters of an echoed secret survived it."""
    secret = "canary-near-the-cut-4f9a1c7e2b"
    register_secrets([secret])
    for pad in range(130, 170):
        detail = error_detail(response(400, {"message": "y" * pad + " " + secret + " tail"}))
        assert not any(secret[:n] in detail for n in range(8, len(secret) + 1)), pad


def test_the_registry_never_forgets_a_lasting_secret():
    secret = "canary-lasting-secret-77aa01"
    register_secrets([secret])
    register_secrets(f"filler-secret-{n:06d}" for n in range(5000))
    register_secrets((f"short-lived-{n:06d}" for n in range(5000)), short_lived=True)
    assert redact(f"vendor said {secret}") == "vendor said ***"
