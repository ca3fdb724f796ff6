"""Vendor budgets shared across services (as across processes), against the sandbox over HTTP.

Each `IntegrationService.open()` below builds its own `Budgets` (its own
limiter objects, Redis connection or file handle), as a worker process would;
only the backend is shared: the machine's real Redis (a namespace per test) or
the budget file beside the SQLite store.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from typer.testing import CliRunner

from core.cli import _register_commands, app
from core.errors import CircuitOpenError
from core.models import Entity, RunLimits, RunState, System
from core.schemas import ConnectionCreate
from core.service import IntegrationService
from core.worker import Worker
from sandbox.testing import RunningSandbox, run_sandbox
from tests.core.service_support import ORG

REDIS_URL = "redis://127.0.0.1:6379/0"
TENANT = "acme"
TOKEN = "a1c3e5f70921b4d6e8f0a2c4e6b8d0f2a4c6e8b0"  # the sandbox's acme Pipedrive token


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSandbox]:
    data = tmp_path_factory.mktemp("sandbox")
    with run_sandbox(data_dir=data, systems=("pipedrive",), tls=False, webhooks=False) as running:
        yield running


def _use_redis(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from tests.core.test_taskqueue import _redis_up

    assert _redis_up(), "no Redis on 127.0.0.1:6379 (scripts/ensure-test-services starts it)"
    name = f"tp-test-{uuid.uuid4().hex[:12]}"
    monkeypatch.setenv("REDIS_URL", REDIS_URL)
    monkeypatch.setenv("TOOTHPICK_QUEUE_NAMESPACE", name)
    yield
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(match=f"{name}*"):
        client.delete(key)


@pytest.fixture(params=["redis", "file"])
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    if request.param == "redis":
        yield from (request.param for _ in _use_redis(monkeypatch))
    else:
        yield request.param  # no REDIS_URL: the budget file in the data directory


@pytest.fixture
def services(sandbox: RunningSandbox) -> Iterator[list[IntegrationService]]:
    sandbox.control.clear_faults()
    sandbox.control.reset("pipedrive", TENANT, scale={"persons": 20})
    opened = [IntegrationService.open(), IntegrationService.open()]
    yield opened
    sandbox.control.set_limits("pipedrive", TENANT, enforce=False)
    for service in opened:
        service.close()


def _connect(service: IntegrationService, sandbox: RunningSandbox, name: str, **config: Any) -> str:
    fields = {"base_url": sandbox.url, "api_token": TOKEN, **config}
    form = ConnectionCreate(
        system=System.PIPEDRIVE, name=name, fields=fields, entities=[Entity.CONTACT]
    )
    return service.connections.connect(ORG, form, test_first=False).id


def _probe(service: IntegrationService, connection_id: str, times: int) -> None:
    connection = service.runtime.store.get_connection(ORG, connection_id)
    assert connection is not None
    adapter = service.connections.open_adapter(connection)
    try:
        for _ in range(times):
            adapter.discover_fields(Entity.CONTACT)  # one metadata call each
    finally:
        adapter.close()


@pytest.mark.slow
def test_two_connections_on_one_account_never_exceed_its_limit_together(
    sandbox: RunningSandbox, backend: str, services: list[IntegrationService]
) -> None:
    sandbox.control.set_limits("pipedrive", TENANT, interval_max=4, interval_ms=2000, enforce=True)
    first, second = services
    ids = [
        _connect(first, sandbox, "Sales team", requests_per_2s=4),
        _connect(second, sandbox, "Support team", requests_per_2s=4),
    ]
    sandbox.control.reset_stats(system="pipedrive")
    threads = [
        threading.Thread(target=_probe, args=(service, connection_id, 5))
        for service, connection_id in zip(services, ids, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    stats = sandbox.control.stats(system="pipedrive", tenant=TENANT)
    statuses = {row["status"]: row["count"] for row in stats["statuses"]}
    assert statuses.get(200, 0) == 10, statuses
    assert 429 not in statuses, f"the account's limit was exceeded: {statuses}"
    # what each run spent is on the account's meter, seen by both processes
    view = first.monitoring.system_status(ORG).vendor_budgets
    assert [(b.system, b.calls_today) for b in view] == [("pipedrive", 10)]


def test_a_circuit_opened_by_one_process_is_open_for_the_next(
    sandbox: RunningSandbox, backend: str, services: list[IntegrationService]
) -> None:
    first, second = services
    connection_id = _connect(first, sandbox, "Sales team")
    breakers = []
    for service in services:
        connection = service.runtime.store.get_connection(ORG, connection_id)
        assert connection is not None
        adapter = service.connections.open_adapter(connection)
        breakers.append(adapter.session.breaker)  # type: ignore[attr-defined]
        adapter.close()
    for _ in range(5):
        breakers[0].record_failure("the vendor did not answer in time")
    with pytest.raises(CircuitOpenError, match="did not answer in time"):
        breakers[1].before_call()
    view = second.monitoring.system_status(ORG).vendor_budgets
    assert [b.breaker for b in view] == ["open"]
    _register_commands()
    result = CliRunner().invoke(app, ["status", "--org", ORG])  # a third process's view
    assert result.exit_code == 0, result.output
    assert "vendor budgets" in result.output and "Pipedrive" in result.output
    assert "open" in result.output


@pytest.mark.slow
def test_a_connection_over_its_daily_share_pauses_then_resumes_after_the_reset(
    sandbox: RunningSandbox,
    monkeypatch: pytest.MonkeyPatch,
    isolated_environment: Path,
) -> None:
    yield_redis = _use_redis(monkeypatch)
    next(yield_redis)
    monkeypatch.setenv("TOOTHPICK_VENDOR_BUDGET_DAY_S", "3")  # a three-second "day"
    sandbox.control.reset("pipedrive", TENANT, scale={"persons": 1100})  # three pages of 500
    service = IntegrationService.open()
    try:
        connection_id = _connect(service, sandbox, "Sales team")
        limits = RunLimits(daily_allowance=4, daily_share=0.5)  # two calls a "day"
        service.connections.set_run_limits(ORG, connection_id, limits)
        # start just after a reset, so that two calls fit the first "day"
        time.sleep(3 - time.time() % 3 + 0.05)
        run = service.syncs.queue_sync(ORG, connection_id)
        worker = Worker(service, worker_id="budget-worker")
        worker.run_by_id(run.id)
        paused = service.syncs.get_run(ORG, run.id)
        assert paused.state is RunState.PAUSED, paused.error
        assert paused.error is not None and "share" in paused.error
        assert paused.totals.api_calls == 2 and paused.totals.read == 1000
        deadline = time.monotonic() + 15
        while service.syncs.get_run(ORG, run.id).state is RunState.PAUSED:
            assert time.monotonic() < deadline, "the run did not resume after the reset"
            worker.run_once()
            time.sleep(0.1)
        done = service.syncs.get_run(ORG, run.id)
        assert done.state is RunState.SUCCEEDED, done.error
        assert done.totals.read == 1100 and done.retries == 0  # a pause, not a failure
        assert done.totals.read_calls == done.totals.api_calls >= 3  # 2 before the pause
        usage = service.monitoring.run_usage(ORG, done)
        assert usage.calls_per_1000_records == 1000 * done.totals.api_calls / 1100
        assert usage.share_of_allowance == done.totals.api_calls / 4
        stored = list(service.runtime.store.iter_records(ORG, connection_id, Entity.CONTACT))
        assert len(stored) == 1100
    finally:
        service.close()
        next(yield_redis, None)
