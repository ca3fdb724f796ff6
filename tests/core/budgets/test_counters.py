"""The budget backends' counters: several added in one write, created at 0, values in order."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from core.budgets.backend import BudgetBackend, FileBackend, RedisBackend

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
