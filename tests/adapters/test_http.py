"""VendorSession against a real local HTTP server: retries, waits, limits, breaker, errors."""

from __future__ import annotations

import socket
from datetime import timedelta
from email.utils import format_datetime
from typing import Any

import pytest
import requests

from adapters.auth import TokenAuth
from adapters.base import CallStats
from adapters.circuit import CircuitBreaker
from adapters.failures import Resolution, error_code, json_body
from adapters.http import VendorSession, encode_json
from adapters.ratelimit import RateHeaders, RateLimiter
from core.errors import (
    CircuitOpenError,
    MalformedResponseError,
    QuotaExhaustedError,
    RateLimitedError,
    TransientVendorError,
    VendorAuthError,
    VendorError,
)
from tests.adapters.fakes import FakeClock
from tests.adapters.server import ScriptedServer, Step

OK = Step(json={"results": [{"id": "1"}]})


def make_session(server: ScriptedServer, clock: FakeClock, **options: Any) -> VendorSession:
    options.setdefault("rand", lambda: 0.5)
    options.setdefault("timeouts", (2.0, 2.0))
    return VendorSession(
        vendor="HubSpot", base_url=server.url, clock=clock, stats=CallStats(), **options
    )


def test_a_plain_call_counts_one_api_call(server, clock):
    server.script("GET", "/items", OK)
    session = make_session(server, clock)
    reply = session.request_json("GET", "/items", params={"limit": 2})
    assert reply.body == {"results": [{"id": "1"}]}
    assert server.seen[0].query == {"limit": ["2"]}
    assert (session.stats.api_calls, session.stats.retries, clock.sleeps) == (1, 0, [])


def test_429_waits_as_retry_after_says_and_counts_it_as_rate_limit_wait(server, clock):
    server.script("GET", "/items", Step(429, headers={"Retry-After": "2"}), OK)
    session = make_session(server, clock)
    session.request_json("GET", "/items")
    assert len(server.seen) == 2
    assert clock.sleeps == [2.0]
    assert session.stats.api_calls == 2
    assert session.stats.retries == 1
    assert session.stats.rate_limit_wait_s == pytest.approx(2.0)


def test_429_with_an_http_date_waits_until_that_date(server, clock):
    when = format_datetime(clock.now() + timedelta(seconds=7), usegmt=True)
    server.script("GET", "/items", Step(429, headers={"Retry-After": when}), OK)
    session = make_session(server, clock)
    session.request_json("GET", "/items")
    assert clock.sleeps == [pytest.approx(7.0)]


def test_429_without_retry_after_backs_off_with_jitter(server, clock):
    server.script("GET", "/items", Step(429), Step(429), OK)
    session = make_session(server, clock)
    session.request_json("GET", "/items")
    assert clock.sleeps == [0.5, 1.0]  # rand 0.5 of ceilings 1 s and 2 s
    assert session.stats.rate_limit_wait_s == pytest.approx(1.5)


def test_a_retry_after_beyond_the_cap_pauses_the_run_until_then(server, clock):
    server.script("GET", "/items", Step(429, headers={"Retry-After": "3600"}))
    session = make_session(server, clock)
    with pytest.raises(QuotaExhaustedError) as caught:
        session.request_json("GET", "/items")
    assert caught.value.resets_at == clock.now() + timedelta(seconds=3600)
    assert len(server.seen) == 1
    assert clock.sleeps == []


def test_a_429_that_keeps_asking_for_short_waits_ends_as_rate_limited(server, clock):
    server.script("GET", "/items", *[Step(429, headers={"Retry-After": "2"})] * 5)
    session = make_session(server, clock)
    with pytest.raises(RateLimitedError) as caught:
        session.request_json("GET", "/items")
    assert caught.value.retry_after == 2.0
    assert clock.sleeps == [2.0] * 4


def test_a_daily_quota_that_resets_within_the_cap_is_waited_for(server, clock):
    soon = clock.now() + timedelta(seconds=45)
    quota = Resolution.quota("the daily allowance is spent", resets_at=soon)
    server.script("GET", "/items", Step(429), OK)
    session = make_session(
        server, clock, classify=lambda r: quota if r.status_code == 429 else None
    )
    session.request_json("GET", "/items")
    assert clock.sleeps == [46.0]  # a second past the reset


def test_a_503_burst_is_retried_with_exponential_backoff(server, clock):
    server.script("GET", "/items", Step(503), Step(503), Step(503), OK)
    session = make_session(server, clock)
    session.request_json("GET", "/items")
    assert clock.sleeps == [0.5, 1.0, 2.0]
    assert (session.stats.api_calls, session.stats.retries) == (4, 3)
    assert session.stats.rate_limit_wait_s == 0.0


def test_a_503_with_retry_after_waits_as_asked(server, clock):
    server.script("GET", "/items", Step(503, headers={"Retry-After": "4"}), OK)
    session = make_session(server, clock)
    session.request_json("GET", "/items")
    assert clock.sleeps == [4.0]
    assert session.stats.rate_limit_wait_s == 0.0  # an outage, not a rate limit


def test_a_vendor_that_stays_down_fails_after_the_attempt_budget(server, clock):
    server.script("GET", "/items", Step(503, json={"message": "maintenance"}))
    session = make_session(server, clock, breaker=CircuitBreaker("HubSpot", threshold=99))
    with pytest.raises(TransientVendorError) as caught:
        session.request_json("GET", "/items")
    assert len(server.seen) == 5
    message = str(caught.value)
    assert "HubSpot answered 503" in message
    assert "maintenance" in message
    assert "gave up after 5 attempts" in message


def test_a_slow_answer_past_the_read_timeout_is_retried(server, clock):
    server.script("GET", "/items", Step(delay_s=0.6, json={}), OK)
    session = make_session(server, clock, timeouts=(2.0, 0.2))
    reply = session.request_json("GET", "/items")
    assert reply.body == {"results": [{"id": "1"}]}
    assert (session.stats.api_calls, session.stats.retries) == (2, 1)


def test_a_create_that_timed_out_is_not_repeated(server, clock):
    server.script("POST", "/items", Step(delay_s=0.6, json={}))
    session = make_session(server, clock, timeouts=(2.0, 0.2))
    with pytest.raises(TransientVendorError) as caught:
        session.request_json("POST", "/items", json={"name": "x"})
    assert len(server.seen) == 1
    assert "may or may not have been applied" in str(caught.value)


def test_a_search_posted_as_idempotent_is_retried(server, clock):
    server.script("POST", "/search", Step(502), OK)
    session = make_session(server, clock)
    session.request_json("POST", "/search", json={"limit": 1}, idempotent=True)
    assert len(server.seen) == 2


def test_a_dropped_connection_is_retried(server, clock):
    server.script("GET", "/items", Step(drop=True), OK)
    session = make_session(server, clock)
    assert session.request_json("GET", "/items").body == {"results": [{"id": "1"}]}
    assert session.stats.retries == 1


def test_truncated_json_is_retried_then_reported_as_malformed(server, clock):
    server.script("GET", "/items", Step(body=b'{"results": [{"id": "1"'), OK)
    session = make_session(server, clock)
    assert session.request_json("GET", "/items").body["results"] == [{"id": "1"}]
    server.script("GET", "/broken", Step(body=b'{"results": ['))
    with pytest.raises(MalformedResponseError) as caught:
        session.request_json("GET", "/broken")
    assert "not valid JSON" in str(caught.value)
    assert len(server.calls("GET", "/broken")) == 5


def test_a_body_shorter_than_announced_is_retried(server, clock):
    server.script("GET", "/items", Step(json={"a": 1}, short_by=50), OK)
    session = make_session(server, clock)
    assert session.request_json("GET", "/items").body == {"results": [{"id": "1"}]}
    assert len(server.seen) == 2


def test_empty_and_no_content_answers_decode_to_none(server, clock):
    server.script("PATCH", "/items/1", Step(204))
    session = make_session(server, clock)
    assert session.request_json("PATCH", "/items/1", json={"a": 1}).body is None


def test_client_errors_fail_at_once_with_the_vendors_words(server, clock):
    body = [{"message": "Record not found", "errorCode": "NOT_FOUND"}]
    server.script("GET", "/items/9", Step(404, json=body))
    session = make_session(server, clock)
    with pytest.raises(VendorError) as caught:
        session.request_json("GET", "/items/9")
    assert caught.value.status == 404
    assert "NOT_FOUND: Record not found" in str(caught.value)
    assert len(server.seen) == 1


def test_a_403_is_an_auth_error_for_the_admin(server, clock):
    server.script("GET", "/items", Step(403, json={"message": "missing scope crm.objects.read"}))
    session = make_session(server, clock)
    with pytest.raises(VendorAuthError) as caught:
        session.request_json("GET", "/items")
    assert "crm.objects.read" in str(caught.value)


def test_a_refused_connection_is_retried_even_for_a_create_then_opens_the_circuit(clock):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    session = VendorSession(
        vendor="Pipedrive",
        base_url=f"http://127.0.0.1:{port}",
        clock=clock,
        rand=lambda: 0.5,
        breaker=CircuitBreaker("Pipedrive", threshold=5, cooldown_s=60, clock=clock),
    )
    with pytest.raises(TransientVendorError) as caught:
        session.request_json("POST", "/deals", json={"title": "x"})
    assert session.stats.api_calls == 5  # unsent, so safe to repeat
    assert "refused the connection" in str(caught.value)
    with pytest.raises(CircuitOpenError) as opened:
        session.request_json("GET", "/deals")
    assert session.stats.api_calls == 5  # refused without a call
    assert "Pipedrive failed to answer 5 times in a row" in str(opened.value)


def test_the_proxy_environment_is_honoured_per_origin(server, clock, monkeypatch):
    """Proxies are resolved once per origin (VendorSession._proxies), as requests would."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        nowhere = probe.getsockname()[1]
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{nowhere}")  # refuses connections
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    server.script("GET", "/items", OK, OK)
    through_proxy = make_session(server, clock)
    with pytest.raises(TransientVendorError, match="failed or was dropped"):
        through_proxy.request_json("GET", "/items")
    assert server.seen == []
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    direct = make_session(server, clock)
    for _ in range(2):
        assert direct.request_json("GET", "/items").body == OK.json
    assert len(server.seen) == 2


def test_credentials_are_never_sent_to_another_host(server, clock):
    session = make_session(server, clock, auth=TokenAuth.bearer("tok-123456"))
    with pytest.raises(VendorError, match="credentials were not sent"):
        session.request_json("GET", "https://elsewhere.example/steal")
    assert server.seen == []


def test_rate_limit_headers_make_the_next_call_wait(server, clock):
    exhausted = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "2"}
    server.script("GET", "/deals", Step(json={"data": []}, headers=exhausted))
    session = make_session(
        server,
        clock,
        limiter=RateLimiter(clock=clock),
        rate_reader=RateHeaders("x-ratelimit-remaining", "x-ratelimit-reset").read,
    )
    session.request_json("GET", "/deals")
    session.request_json("GET", "/deals")
    assert clock.sleeps == [2.0]
    assert session.stats.rate_limit_wait_s == pytest.approx(2.0)


# --- vendor hooks: the bodies that mean something else -------------------------------------


def hubspot(response: requests.Response) -> Resolution | None:
    body = json_body(response)
    if response.status_code == 429 and isinstance(body, dict) and body.get("policyName") == "DAILY":
        return Resolution.quota("HubSpot's daily API limit is spent", resets_at=None)
    return None


def salesforce(response: requests.Response) -> Resolution | None:
    if response.status_code == 403 and error_code(json_body(response)) == "REQUEST_LIMIT_EXCEEDED":
        return Resolution.quota("Salesforce's daily API allowance is spent")
    return None


def pipedrive(response: requests.Response) -> Resolution | None:
    if response.status_code == 429 and response.headers.get("x-daily-requests-left") == "0":
        return Resolution.quota("Pipedrive's daily request budget is spent")
    return None


@pytest.mark.parametrize(
    ("hook", "step"),
    [
        (
            hubspot,
            Step(429, json={"status": "error", "policyName": "DAILY", "errorType": "RATE_LIMIT"}),
        ),
        (
            salesforce,
            Step(
                403,
                json=[
                    {
                        "message": "TotalRequests Limit exceeded.",
                        "errorCode": "REQUEST_LIMIT_EXCEEDED",
                    }
                ],
            ),
        ),
        (pipedrive, Step(429, json={"success": False}, headers={"x-daily-requests-left": "0"})),
    ],
)
def test_a_spent_daily_quota_pauses_the_run_instead_of_retrying(server, clock, hook, step):
    server.script("GET", "/items", step)
    session = make_session(server, clock, classify=hook)
    with pytest.raises(QuotaExhaustedError) as caught:
        session.request_json("GET", "/items")
    assert len(server.seen) == 1
    assert caught.value.resets_at > clock.now()
    assert "daily" in str(caught.value)


def test_a_ten_second_429_is_still_just_a_wait(server, clock):
    body = {"status": "error", "policyName": "TEN_SECONDLY_ROLLING"}
    server.script("GET", "/items", Step(429, json=body, headers={"Retry-After": "1"}), OK)
    session = make_session(server, clock, classify=hubspot)
    session.request_json("GET", "/items")
    assert clock.sleeps == [1.0]


def test_json_bodies_keep_decimals_exact():
    from decimal import Decimal

    encoded = encode_json(
        {
            "a": Decimal("12.50"),
            "b": Decimal("10"),
            "c": Decimal("0.1000000000000000055511151231257827"),
        }
    )
    assert encoded == b'{"a":12.5,"b":10,"c":"0.1000000000000000055511151231257827"}'
