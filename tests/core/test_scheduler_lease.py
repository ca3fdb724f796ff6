"""One scheduler at a time: two schedulers on one store, only the lease holder queues;
a standby takes over when the leader leaves or its lease runs out. And the one view
of health (`service.monitoring.system_status`, `toothpick status`)."""

from __future__ import annotations

from apscheduler.schedulers.background import BackgroundScheduler
from typer.testing import CliRunner

from core.cli import _register_commands, app
from core.models import RunState
from core.scheduler import JOB_PREFIX, LEASE, RECONCILE_PREFIX, SyncScheduler
from core.schemas import RunOutcome
from core.service import IntegrationService
from tests.core.service_support import ORG, connect

runner = CliRunner()
_register_commands()


def _scheduler(service: IntegrationService, holder: str) -> SyncScheduler:
    return SyncScheduler(service, BackgroundScheduler(timezone="UTC"), holder=holder)


def _finish_active(service: IntegrationService) -> None:
    run = service.syncs.claim_next_run("w", stale_after_s=60)
    if run is not None:
        service.syncs.record_outcome(run, "w", RunOutcome(state=RunState.SUCCEEDED, counts={}))


def test_two_schedulers_queue_each_of_ten_slots_once(service: IntegrationService) -> None:
    connection = connect(service)
    leader, standby = _scheduler(service, "host-a:1"), _scheduler(service, "host-b:2")
    assert leader.lead() and not standby.lead()
    standby.refresh()
    assert standby.scheduler.get_jobs() == []
    assert sorted(job.id for job in leader.scheduler.get_jobs()) == [
        RECONCILE_PREFIX + connection.id,
        JOB_PREFIX + connection.id,
    ]
    for _ in range(10):  # each slot fires in both processes
        leader.fire(ORG, connection.id)
        standby.fire(ORG, connection.id)
        _finish_active(service)
    assert service.syncs.list_runs(ORG).total == 10

    leader.stop()  # hands the lease over
    assert standby.lead() and not leader.lead()
    assert sorted(job.id for job in standby.scheduler.get_jobs()) == [
        RECONCILE_PREFIX + connection.id,
        JOB_PREFIX + connection.id,
    ]


def test_a_standby_takes_over_an_expired_lease(service: IntegrationService) -> None:
    connect(service)
    dead = SyncScheduler(
        service, BackgroundScheduler(timezone="UTC"), holder="host-a:1", lease_ttl_s=-1
    )
    assert dead.lead()  # its lease is already past (a leader that stopped renewing)
    standby = _scheduler(service, "host-b:2")
    assert standby.lead()
    leading = service.monitoring.system_status(ORG).scheduler
    assert leading is not None and leading.holder == "host-b:2"
    assert not dead.lead()  # the old leader comes back as standby and drops its jobs
    assert dead.scheduler.get_jobs() == []


def test_status_shows_scheduler_workers_runs_and_alerts(service: IntegrationService) -> None:
    connection = connect(service)
    assert _scheduler(service, "sched-host:7").lead()
    service.syncs.hold_lease("worker:wk-host:42", "wk-host:42", ttl_s=30)
    run = service.syncs.queue_sync(ORG, connection.id)
    assert service.syncs.claim_run(run.id, "wk-host:42:1", stale_after_s=60) is not None
    view = service.monitoring.system_status(ORG)
    assert view.scheduler is not None and view.scheduler.holder == "sched-host:7"
    [worker] = view.workers
    assert worker.alive and worker.current_runs == [run.id]
    assert view.runs_by_state == {"queued": 0, "running": 1, "paused": 0}
    assert view.queue_depth is None  # embedded mode

    result = runner.invoke(app, ["status", "--org", ORG])
    assert result.exit_code == 0, result.output
    assert "sched-host:7 leads" in result.output and "wk-host:42" in result.output
    assert "running 1" in result.output and "embedded (polling)" in result.output
    assert [lease.name for lease in service.runtime.store.list_leases(LEASE)] == [LEASE]
