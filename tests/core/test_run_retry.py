"""Failed runs retried with backoff and jitter up to the connection's limit, then failed."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta

import pytest

from core.clock import utcnow
from core.errors import FailureCategory, TransientVendorError
from core.models import Connection, RunLimits, RunState, SyncOptions, SyncRun, System
from core.run_retry import delay_s, plan_retry
from core.schemas import RunOutcome
from core.service import IntegrationService
from core.settings import load_settings
from core.worker import Worker
from tests.core.service_support import ORG, TOKEN, connect
from tests.support.memory_vendor import MemoryVendor, memory_system


@pytest.fixture
def fast_retries(
    monkeypatch: pytest.MonkeyPatch, vendor: MemoryVendor
) -> Iterator[IntegrationService]:
    monkeypatch.setenv("TOOTHPICK_RUN_RETRY_BASE_S", "0.05")
    monkeypatch.setenv("TOOTHPICK_RUN_RETRY_MAX_S", "0.2")
    with memory_system(vendor, valid_token=TOKEN):
        opened = IntegrationService.open()
        try:
            yield opened
        finally:
            opened.close()


def _run_to_the_end(service: IntegrationService, run_id: str) -> list[SyncRun]:
    """Claim and execute until the run ends; each attempt's stored state, in order."""
    worker, seen = Worker(service, worker_id="retry-worker"), list[SyncRun]()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        worker.run_by_id(run_id)
        run = service.syncs.get_run(ORG, run_id)
        if not seen or seen[-1].retries != run.retries or run.state.is_finished:
            seen.append(run)
        if run.state.is_finished:
            return seen
        time.sleep(0.02)
    raise AssertionError(f"run {run_id} did not end: {seen[-1] if seen else None}")


def test_a_failing_run_is_retried_up_to_the_connections_limit_then_fails(
    fast_retries: IntegrationService, vendor: MemoryVendor
) -> None:
    service = fast_retries
    connection = connect(service)
    service.connections.set_run_limits(ORG, connection.id, RunLimits(max_retries=2))
    vendor.refuse_reads_with = TransientVendorError("the vendor is down", status=503)
    run = service.syncs.queue_sync(ORG, connection.id)
    seen = _run_to_the_end(service, run.id)
    paused = [r for r in seen if r.state is RunState.PAUSED]
    assert [r.retries for r in paused] == [1, 2]
    assert all("the vendor is down" in (r.error or "") for r in paused)
    assert "Retry 1 of 2" in (paused[0].error or "")
    final = seen[-1]
    assert final.state is RunState.FAILED and final.retries == 2
    assert final.error_category is FailureCategory.TRANSIENT
    assert final.error is not None and "the vendor is down" in final.error
    assert not final.error.startswith("Retry")  # the real error, not the retry note


def test_a_retry_that_succeeds_ends_the_run_well(
    fast_retries: IntegrationService, vendor: MemoryVendor
) -> None:
    service = fast_retries
    connection = connect(service)
    vendor.refuse_reads_with = TransientVendorError("a blip", status=503)
    run = service.syncs.queue_sync(ORG, connection.id)
    Worker(service, worker_id="w").run_by_id(run.id)
    assert service.syncs.get_run(ORG, run.id).state is RunState.PAUSED
    vendor.refuse_reads_with = None
    final = _run_to_the_end(service, run.id)[-1]
    assert final.state is RunState.SUCCEEDED and final.retries == 1


# --- the plan, as pure logic --------------------------------------------------------------


def _run(retries: int = 0, *, dry_run: bool = False) -> SyncRun:
    return SyncRun(
        organisation_id=ORG,
        connection_id="c1",
        system=System.HUBSPOT,
        retries=retries,
        options=SyncOptions(dry_run=dry_run),
    )


def _failed(category: FailureCategory) -> RunOutcome:
    return RunOutcome(state=RunState.FAILED, counts={}, error="boom", error_category=category)


def test_backoff_doubles_up_to_its_cap_and_jitters_below_it() -> None:
    ceilings = [delay_s(n, base_s=30, cap_s=600, rand=lambda: 1.0) for n in range(1, 8)]
    assert ceilings == [30, 60, 120, 240, 480, 600, 600]
    assert delay_s(3, base_s=30, cap_s=600, rand=lambda: 0.25) == 30


def test_only_transient_failures_of_real_runs_are_retried() -> None:
    settings = load_settings()
    now = utcnow()
    transient = _failed(FailureCategory.TRANSIENT)
    connection = Connection(organisation_id=ORG, system=System.HUBSPOT, name="c", sealed_secret="x")
    retried = plan_retry(_run(), connection, transient, settings, now=now)
    assert retried is not None and retried.state is RunState.PAUSED
    assert retried.resume_after is not None
    assert now <= retried.resume_after <= now + timedelta(seconds=settings.run_retry_base_s)
    for category in (FailureCategory.CONFIG, FailureCategory.DATA, FailureCategory.INTERNAL):
        assert plan_retry(_run(), connection, _failed(category), settings, now=now) is None
    dry = _run(dry_run=True)
    assert plan_retry(dry, connection, transient, settings, now=now) is None
    spent = _run(retries=settings.run_max_retries)
    assert plan_retry(spent, connection, transient, settings, now=now) is None
    quota = RunOutcome(state=RunState.PAUSED, counts={}, resume_after=now)  # not a failure
    assert plan_retry(_run(), connection, quota, settings, now=now) is None
