"""Runs through Dramatiq on the machine's real Redis, to several worker processes.

Each worker is `tests/support/queue_worker.py` (`toothpick worker` in Redis mode
serving the memory vendor) on one SQLite file, or on one database of the
MongoDB-wire stand-in. Every test has its own Redis key
namespace, removed afterwards. Waits are bounded loops on the store's state,
never assertions on time.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis

from core.models import Entity, RunState, SyncRun
from core.service import IntegrationService
from tests.core.service_support import ORG, connect

REPO = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/0"


def _redis_up() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping())
    except redis.RedisError:
        return False


@pytest.fixture
def namespace(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    if not _redis_up():
        subprocess.run([str(REPO / "scripts" / "ensure-test-services")], check=True)
    assert _redis_up(), "no Redis on 127.0.0.1:6379 after scripts/ensure-test-services"
    name = f"tp-test-{uuid.uuid4().hex[:12]}"
    monkeypatch.setenv("REDIS_URL", REDIS_URL)
    monkeypatch.setenv("TOOTHPICK_QUEUE_NAMESPACE", name)
    yield name
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(match=f"{name}*"):
        client.delete(key)


Spawn = Callable[..., subprocess.Popen[bytes]]


@pytest.fixture
def spawn(namespace: str) -> Iterator[Spawn]:
    started: list[subprocess.Popen[bytes]] = []

    def start(**env: str) -> subprocess.Popen[bytes]:
        environment = {**os.environ, "PYTHONPATH": str(REPO), **env}
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.support.queue_worker"],
            env=environment,
            stdout=subprocess.PIPE,
        )
        assert process.stdout is not None and process.stdout.readline().strip() == b"ready"
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in started:
        try:
            process.wait(timeout=90)
        except subprocess.TimeoutExpired:
            process.kill()


def _wait_until(
    done: Callable[[], bool], *, bound_s: float, tick: Callable[[], object] = list
) -> None:
    deadline = time.monotonic() + bound_s
    while not done():
        assert time.monotonic() < deadline, "gave up waiting (a bound, not a speed check)"
        tick()
        time.sleep(0.2)


def _runs(service: IntegrationService, ids: list[str]) -> list[SyncRun]:
    return [service.syncs.get_run(ORG, run_id) for run_id in ids]


@pytest.fixture(params=["sqlite", pytest.param("mongo", marks=pytest.mark.mongo)])
def runs_count(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    """The store every process shares: the SQLite file (200 runs), or a database on
    the MongoDB-wire stand-in (40 runs: it writes about 4,000 documents a second)."""
    if request.param == "sqlite":
        return 200
    from tests.support.mongo import per_test_database

    server, database = per_test_database(request)
    monkeypatch.setenv("MONGODB_URI", server.uri)
    monkeypatch.setenv("TOOTHPICK_MONGODB_DATABASE", database)
    return 40


def test_runs_over_4_workers_complete_exactly_once(
    runs_count: int, spawn: Spawn, service: IntegrationService
) -> None:
    assert service.runtime.queue is not None
    connection_ids = [connect(service, f"crm {n}").id for n in range(runs_count)]
    for _ in range(4):
        spawn()
    run_ids = [service.syncs.queue_sync(ORG, cid).id for cid in connection_ids]
    _wait_until(lambda: all(r.state.is_finished for r in _runs(service, run_ids)), bound_s=600)
    runs = _runs(service, run_ids)
    assert {r.state for r in runs} == {RunState.SUCCEEDED}
    assert {r.attempt for r in runs} == {1}  # each claimed once: no run executed twice
    assert len({r.worker_id.split(":")[1] for r in runs if r.worker_id}) >= 2  # pids
    assert len(list(service.review.records(ORG, connection_ids[-1], Entity.CONTACT))) == 7


def test_a_worker_killed_mid_run_is_taken_over_and_the_run_resumes(
    spawn: Spawn, service: IntegrationService
) -> None:
    slow = {
        "QUEUE_TEST_CONTACTS": "30",
        "QUEUE_TEST_PAGE_DELAY_S": "0.4",
        "QUEUE_TEST_STALE_AFTER_S": "3",
    }
    connection_id = connect(service, "slow crm").id
    first = spawn(**slow)
    run_id = service.syncs.queue_sync(ORG, connection_id).id

    def started_paging() -> bool:
        return service.syncs.get_run(ORG, run_id).progress.pages >= 2

    _wait_until(started_paging, bound_s=120)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    taken = service.syncs.get_run(ORG, run_id)
    assert taken.state is RunState.RUNNING and taken.progress.pages < 10
    spawn(**slow)
    # The killed worker never acknowledged its message; the scheduler's republish (called
    # here by hand) sends the stale run again and the other worker claims it.
    _wait_until(
        lambda: service.syncs.get_run(ORG, run_id).state.is_finished,
        bound_s=300,
        tick=lambda: service.syncs.republish_due(stale_after_s=3),
    )
    done = service.syncs.get_run(ORG, run_id)
    assert done.state is RunState.SUCCEEDED and done.attempt == 2
    assert done.worker_id != taken.worker_id
    assert sum(c.read for c in done.counts.values()) < 30 + 3 * 10  # resumed, not restarted


def test_an_unreachable_redis_keeps_the_run_queued(
    service: IntegrationService, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    unreachable = IntegrationService.open()
    try:
        run = unreachable.syncs.queue_sync(ORG, connect(unreachable, "crm").id)
        assert unreachable.syncs.get_run(ORG, run.id).state is RunState.QUEUED
        assert unreachable.syncs.republish_due(queued_grace_s=0) == 0  # still unreachable
    finally:
        unreachable.close()


def test_messages_lost_with_redis_are_republished_and_run_once(
    spawn: Spawn, service: IntegrationService, namespace: str
) -> None:
    connection_ids = [connect(service, f"crm {n}").id for n in range(20)]
    run_ids = [service.syncs.queue_sync(ORG, cid).id for cid in connection_ids]
    client = redis.Redis.from_url(REDIS_URL)
    lost = list(client.scan_iter(match=f"{namespace}*"))
    assert lost  # the 20 messages were there...
    client.delete(*lost)  # ...and Redis lost them (a restart without persistence)
    spawn()
    spawn()
    _wait_until(
        lambda: all(r.state.is_finished for r in _runs(service, run_ids)),
        bound_s=300,
        tick=lambda: service.syncs.republish_due(queued_grace_s=0),
    )
    runs = _runs(service, run_ids)
    assert {r.state for r in runs} == {RunState.SUCCEEDED}
    assert {r.attempt for r in runs} == {1}  # republished many times, executed once each


def test_a_failing_run_is_retried_through_redis_then_fails(
    spawn: Spawn, service: IntegrationService
) -> None:
    """Each retry is a delayed message; the worker that takes it resumes the run."""
    connection_id = connect(service, "down crm").id
    spawn(
        QUEUE_TEST_FAIL_READS="1",
        TOOTHPICK_RUN_MAX_RETRIES="2",
        TOOTHPICK_RUN_RETRY_BASE_S="0.2",
        TOOTHPICK_RUN_RETRY_MAX_S="0.5",
    )
    run_id = service.syncs.queue_sync(ORG, connection_id).id
    _wait_until(lambda: service.syncs.get_run(ORG, run_id).state.is_finished, bound_s=60)
    run = service.syncs.get_run(ORG, run_id)
    assert run.state is RunState.FAILED and run.retries == 2 and run.attempt == 3
    assert run.error is not None and "the memory vendor is down" in run.error


def _free_redis_address() -> tuple[int, str]:
    """A free port on loopback and the REDIS_URL of a private Redis started there."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    return port, f"redis://127.0.0.1:{port}/0"


def _private_redis(port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    client = redis.Redis(port=port, socket_timeout=1)
    _wait_until(lambda: _pings(client), bound_s=20)
    return server


def _pings(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False


@pytest.mark.slow
def test_redis_restarted_mid_queue_loses_no_run(
    spawn: Spawn, service: IntegrationService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A private Redis (it keeps nothing on disk, like the machine's) is killed with runs
    queued and running, then started again empty: every run still completes, once."""
    port, url = _free_redis_address()
    server = _private_redis(port)
    monkeypatch.setenv("REDIS_URL", url)
    producer = IntegrationService.open()
    workers: list[subprocess.Popen[bytes]] = []
    try:
        connection_ids = [connect(producer, f"crm {n}").id for n in range(16)]
        workers = [spawn(REDIS_URL=url, QUEUE_TEST_PAGE_DELAY_S="0.1") for _ in range(2)]
        run_ids = [producer.syncs.queue_sync(ORG, cid).id for cid in connection_ids[:12]]
        _wait_until(
            lambda: sum(r.state.is_finished for r in _runs(producer, run_ids)) >= 2, bound_s=60
        )
        server.kill()  # Redis dies with every message it held
        server.wait(timeout=30)
        # queued while Redis is down: stored, not published
        run_ids += [producer.syncs.queue_sync(ORG, cid).id for cid in connection_ids[12:]]
        server = _private_redis(port)  # back, empty
        _wait_until(
            lambda: all(r.state.is_finished for r in _runs(producer, run_ids)),
            bound_s=180,
            tick=lambda: producer.syncs.republish_due(queued_grace_s=0),
        )
        runs = _runs(producer, run_ids)
        assert {r.state for r in runs} == {RunState.SUCCEEDED}
        assert {r.attempt for r in runs} == {1}  # none executed twice
    finally:
        producer.close()
        # workers stop before their Redis does (one whose Redis is gone stops too, after a
        # few seconds of acknowledgements: the last test below)
        for process in workers:
            process.send_signal(signal.SIGTERM)
        for process in workers:
            process.wait(timeout=90)
        server.kill()
        server.wait(timeout=30)


@pytest.mark.slow
def test_a_worker_whose_redis_died_stops_without_waiting_for_it(
    spawn: Spawn, service: IntegrationService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once its runs are in the store's hands (finished, or handed back at a checkpoint),
    nothing is left to wait for: not the acknowledgement of a message to a Redis that is
    gone, which dramatiq retries until its stop timeout."""
    port, url = _free_redis_address()
    server = _private_redis(port)
    monkeypatch.setenv("REDIS_URL", url)
    producer = IntegrationService.open()
    try:
        worker = spawn(REDIS_URL=url, QUEUE_TEST_CONTACTS="60", QUEUE_TEST_PAGE_DELAY_S="0.3")
        run_id = producer.syncs.queue_sync(ORG, connect(producer, "crm").id).id
        _wait_until(lambda: _runs(producer, [run_id])[0].state is RunState.RUNNING, bound_s=60)
        server.kill()  # mid-run: its message can no longer be acknowledged
        server.wait(timeout=30)
        asked = time.monotonic()
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=120)
        assert time.monotonic() - asked < 30  # dramatiq's own stop timeout is 60 s
        [run] = _runs(producer, [run_id])
        assert run.state in (RunState.QUEUED, RunState.SUCCEEDED)  # handed back, or done
    finally:
        producer.close()
        if server.poll() is None:
            server.kill()
            server.wait(timeout=30)
