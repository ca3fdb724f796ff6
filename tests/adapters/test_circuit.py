"""The circuit breaker's state machine, on a fake clock."""

from __future__ import annotations

import pytest

from adapters.circuit import CircuitBreaker, CircuitState
from core.errors import CircuitOpenError, TransientVendorError


def state(b: CircuitBreaker) -> CircuitState:
    return b.state  # read through a call: mypy would otherwise keep its first narrowing


def breaker(clock) -> CircuitBreaker:
    return CircuitBreaker("SAP", threshold=3, cooldown_s=30.0, clock=clock)


def test_it_stays_closed_below_the_threshold_and_a_success_resets_the_count(clock):
    b = breaker(clock)
    b.record_failure("timeout")
    b.record_failure("timeout")
    b.record_success()
    b.record_failure("timeout")
    b.record_failure("timeout")
    b.before_call()
    assert state(b) is CircuitState.CLOSED


def test_it_opens_after_the_threshold_and_refuses_in_words(clock):
    b = breaker(clock)
    for _ in range(3):
        b.record_failure("the vendor did not answer in time")
    assert state(b) is CircuitState.OPEN
    with pytest.raises(CircuitOpenError) as caught:
        b.before_call()
    assert isinstance(caught.value, TransientVendorError)
    assert str(caught.value) == (
        "SAP failed to answer 3 times in a row (last: the vendor did not answer in time); "
        "calls to it are paused for 30 s, until 12:00:30 UTC"
    )


def test_after_the_cool_down_one_probe_goes_through_and_its_success_closes(clock):
    b = breaker(clock)
    for _ in range(3):
        b.record_failure("timeout")
    clock.advance(30.0)
    assert state(b) is CircuitState.HALF_OPEN
    b.before_call()  # the probe
    with pytest.raises(CircuitOpenError, match="a test call is under way"):
        b.before_call()  # a second caller meanwhile
    b.record_success()
    assert state(b) is CircuitState.CLOSED
    b.before_call()


def test_a_failed_probe_opens_the_circuit_for_another_cool_down(clock):
    b = breaker(clock)
    for _ in range(3):
        b.record_failure("timeout")
    clock.advance(31.0)
    b.before_call()
    b.record_failure("refused")
    assert state(b) is CircuitState.OPEN
    clock.advance(29.0)
    with pytest.raises(CircuitOpenError):
        b.before_call()
    clock.advance(1.0)
    b.before_call()
