"""The sliding-window limiter, its header corrections and its concurrency slots."""

from __future__ import annotations

import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.ratelimit import RateHeaders, RateLimit, RateLimiter, RateObservation
from tests.adapters.fakes import FakeClock, FrozenClock
from tests.support.concurrency import most_at_once


def within_limit(times: list[float], limit: RateLimit) -> bool:
    """No window of `per_s` holds more than `calls` (give or take float rounding)."""
    ordered = sorted(times)
    end = limit.per_s - 1e-9
    return all(
        sum(1 for t in ordered if start <= t < start + end) <= limit.calls for start in ordered
    )


def test_calls_within_the_limit_do_not_wait(clock):
    limiter = RateLimiter([RateLimit(3, 1.0)], clock=clock)
    assert [limiter.acquire() for _ in range(3)] == [0.0, 0.0, 0.0]
    assert clock.sleeps == []


def test_the_call_over_the_limit_waits_until_the_oldest_leaves_the_window(clock):
    limiter = RateLimiter([RateLimit(3, 1.0)], clock=clock)
    for _ in range(3):
        limiter.acquire()
        clock.advance(0.1)
    assert limiter.acquire() == pytest.approx(0.7)


def test_a_rolling_window_never_admits_twice_the_limit(clock):
    """What a token bucket with burst=limit would allow (200 in 10 s) a window refuses."""
    limiter = RateLimiter([RateLimit(100, 10.0)], clock=clock)
    sent = []
    for _ in range(250):
        limiter.acquire()
        sent.append(clock.monotonic())
    assert within_limit(sent, RateLimit(100, 10.0))
    assert clock.monotonic() - 1000.0 == pytest.approx(20.0)


@settings(max_examples=50)
@given(
    gaps=st.lists(st.floats(min_value=0, max_value=3), min_size=1, max_size=60),
    calls=st.integers(min_value=1, max_value=5),
    per_s=st.floats(min_value=0.5, max_value=5),
)
def test_any_sequence_of_calls_stays_under_every_window(gaps, calls, per_s):
    clock = FakeClock()
    limits = [RateLimit(calls, per_s), RateLimit(calls * 3, per_s * 2)]
    limiter = RateLimiter(limits, clock=clock)
    sent = []
    for gap in gaps:
        clock.advance(gap)
        limiter.acquire()
        sent.append(clock.monotonic())
    assert all(within_limit(sent, limit) for limit in limits)


def test_threads_reserve_distinct_slots():
    clock = FrozenClock()  # every thread sees the same now; the waits alone space them out
    limit = RateLimit(5, 1.0)
    limiter = RateLimiter([limit], clock=clock)
    at: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(10):
            wait = limiter.acquire()
            with lock:
                at.append(1000.0 + wait)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(at) == 80
    assert within_limit(at, limit)
    assert max(at) - 1000.0 == pytest.approx(15.0)


def test_remaining_zero_with_a_reset_pauses_every_caller(clock):
    limiter = RateLimiter([RateLimit(80, 2.0)], clock=clock)
    limiter.observe(RateObservation(remaining=0, reset_after_s=1.5))
    assert limiter.acquire() == pytest.approx(1.5)


def test_remaining_zero_without_a_reset_pauses_one_calls_share_of_the_window(clock):
    """HubSpot names no reset, only its window's length: a slot of a rolling window frees
    as each old call ages out, so "none left" holds the callers 10 s / 190, not 10 s."""
    limiter = RateLimiter([RateLimit(190, 10.0)], clock=clock)
    limiter.observe(RateObservation(remaining=0))
    assert limiter.acquire() == pytest.approx(10.0 / 190)
    assert limiter.acquire() == 0.0


def test_a_lower_remaining_than_we_think_shrinks_the_budget(clock):
    limiter = RateLimiter([RateLimit(10, 2.0)], clock=clock)
    limiter.acquire()
    limiter.observe(RateObservation(remaining=2))  # someone else spent the rest
    assert [limiter.acquire() for _ in range(2)] == [0.0, 0.0]
    assert limiter.acquire() == pytest.approx(2.0)


def test_pause_holds_callers(clock):
    limiter = RateLimiter(clock=clock)
    limiter.pause(3.0)
    assert limiter.acquire() == pytest.approx(3.0)
    assert limiter.acquire() == 0.0


@pytest.mark.parametrize(
    ("headers", "observation"),
    [
        ({"x-ratelimit-remaining": "7", "x-ratelimit-reset": "2"}, RateObservation(7, 2.0)),
        ({"X-RATELIMIT-REMAINING": "0"}, RateObservation(0, None)),
        ({"x-ratelimit-remaining": "lots"}, None),
        ({}, None),
    ],
)
def test_pipedrive_style_headers(headers, observation):
    from requests.structures import CaseInsensitiveDict

    reader = RateHeaders("x-ratelimit-remaining", "x-ratelimit-reset")
    assert reader.read(CaseInsensitiveDict(headers)) == observation


def test_hubspot_interval_is_in_milliseconds():
    reader = RateHeaders(
        "X-HubSpot-RateLimit-Remaining",
        "X-HubSpot-RateLimit-Interval-Milliseconds",
        reset_scale=0.001,
    )
    seen = reader.read(
        {"X-HubSpot-RateLimit-Remaining": "0", "X-HubSpot-RateLimit-Interval-Milliseconds": "10000"}
    )
    assert seen == RateObservation(0, 10.0)


def test_concurrency_slots_bound_calls_in_flight(clock):
    limiter = RateLimiter(clock=clock, max_concurrent=2)
    assert most_at_once(limiter.slot, threads=6, hold_s=0.01) == 2


def test_limits_must_make_sense():
    with pytest.raises(ValueError, match="calls >= 1"):
        RateLimit(0, 1.0)
