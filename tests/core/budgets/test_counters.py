"""The budget backends' counters: several added in one write, created at 0, values in order."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from adapters.ratelimit import RateLimit, RateObservation
from adapters.timing import SYSTEM_CLOCK
from core.budgets.backend import BudgetBackend, FileBackend, RedisBackend
from core.budgets.shared import SharedRateLimiter

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture(params=["redis", "file"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[BudgetBackend]:
    if request.param == "file":
        found: BudgetBackend = FileBackend(tmp_path / "budgets.sqlite")
        yield found
        found.close()
        return
    from tests.core.test_taskqueue import _redis_up

    assert _redis_up(), "no Redis on 127.0.0.1:6379 (scripts/ensure-test-services starts it)"
    namespace = f"tp-test-{uuid.uuid4().hex[:12]}"
    found = RedisBackend(REDIS_URL, namespace=namespace)
    yield found
    found.close()
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(match=f"{namespace}*"):
        client.delete(key)


def test_counters_are_added_together_and_read_back(backend: BudgetBackend) -> None:
    assert backend.add({"conn": 1, "acct": 1, "acct:read": 1}, ttl_s=60) == [1, 1, 1]
    assert backend.add({"conn": 1, "acct": 2}, ttl_s=60) == [2, 3]
    assert backend.add({"conn": -1, "acct": -1, "acct:read": -1}, ttl_s=60) == [1, 2, 0]
    assert backend.counters(["conn", "acct", "acct:read", "never"]) == [1, 2, 0, 0]


def test_none_left_without_a_reset_holds_the_account_one_calls_share(tmp_path: Path) -> None:
    """HubSpot's "remaining 0" names no reset: every process on the account waits one
    call's share of the rolling window (10 s / 190), not the whole window."""

    backend = FileBackend(tmp_path / "budgets.json")
    limiter = SharedRateLimiter(
        account="hubspot:portal-1", limits=[RateLimit(190, 10.0)], limiter=None,
        backend=backend, clock=SYSTEM_CLOCK,
    )  # fmt: skip
    before = time.time()
    limiter.observe(RateObservation(remaining=0))
    held = backend.paused_until("hubspot:portal-1") - before
    assert 10.0 / 190 <= held < 10.0 / 190 + 1.0
    limiter.observe(RateObservation(remaining=0, reset_after_s=30.0))  # a reset time decides
    assert backend.paused_until("hubspot:portal-1") - before >= 30.0
