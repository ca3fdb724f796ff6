"""Backoff bounds, Retry-After parsing and the per-call retry budget."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.retry import RetryBudget, RetryPolicy, backoff_delay, parse_retry_after

NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


@given(retry=st.integers(min_value=1, max_value=10_000), r=st.floats(min_value=0, max_value=1))
def test_backoff_is_full_jitter_within_the_capped_ceiling(retry, r):
    policy = RetryPolicy(base_delay_s=0.5, max_delay_s=20.0)
    delay = backoff_delay(retry, policy, lambda: r)
    assert 0.0 <= delay <= min(20.0, 0.5 * 2 ** min(retry - 1, 60))


def test_backoff_ceilings_double_until_the_cap():
    policy = RetryPolicy(base_delay_s=1.0, max_delay_s=5.0)
    assert [backoff_delay(n, policy, lambda: 1.0) for n in (1, 2, 3, 4, 5)] == [1, 2, 4, 5, 5]


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("120", 120.0),
        (" 7 ", 7.0),
        ("0", 0.0),
        ("1.5", 1.5),
        (format_datetime(NOW + timedelta(seconds=30), usegmt=True), 30.0),
        ("Mon, 05 Jan 2026 12:01:00 GMT", 60.0),
        (format_datetime(NOW - timedelta(hours=1), usegmt=True), 0.0),
        ("", None),
        (None, None),
        ("soon", None),
        ("-5", None),
        ("1e3", None),
        ("Mon, 99 Foo 2026 12:00:00 GMT", None),
        ("٣", None),
    ],
)
def test_retry_after_values(value, seconds):
    assert parse_retry_after(value, now=NOW) == seconds


@given(st.text())
def test_any_retry_after_parses_or_is_ignored_never_raises(value):
    seconds = parse_retry_after(value, now=NOW)
    assert seconds is None or seconds >= 0.0


@given(
    st.datetimes(
        min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
    )
)
def test_any_http_date_parses_to_the_seconds_until_it(when):
    when = when.replace(microsecond=0)
    seconds = parse_retry_after(format_datetime(when, usegmt=True), now=NOW)
    assert seconds == max(0.0, (when - NOW).total_seconds())


def test_the_budget_stops_after_max_attempts():
    budget = RetryBudget(RetryPolicy(max_attempts=3, base_delay_s=1.0), rand=lambda: 1.0)
    assert [budget.next_delay(None) for _ in range(4)] == [1.0, 2.0, None, None]
    assert budget.attempts == 3


def test_the_budget_stops_when_total_waiting_would_exceed_its_cap():
    budget = RetryBudget(RetryPolicy(max_attempts=10, max_total_wait_s=10.0), rand=lambda: 1.0)
    assert budget.next_delay(6.0) == 6.0
    assert budget.next_delay(6.0) is None
    assert budget.last_refusal == 6.0


def test_a_vendor_wait_beyond_the_cap_is_refused_and_remembered():
    budget = RetryBudget(RetryPolicy(max_retry_after_s=60.0))
    assert budget.next_delay(61.0) is None
    assert budget.last_refusal == 61.0
    assert budget.next_delay(60.0) == 60.0
