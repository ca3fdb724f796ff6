"""The sync page: Sync now queues a run (a worker runs it), live state, cancel, history."""

from __future__ import annotations

from adapters.base import SystemInfo
from core.clock import utcnow
from core.models import Entity, PlannedChange, RunState, SyncRun
from core.schemas import ConnectionCreate, ConnectionPublic
from core.service import IntegrationService
from tests.ui.builders import ORG, form_values
from tests.ui.conftest import OpenPage, click_row, markdown, press


def _connected(service: IntegrationService, info: SystemInfo) -> ConnectionPublic:
    return service.connections.connect(
        ORG,
        ConnectionCreate(system=info.system, name="Vendor EU", fields=form_values(info)),
        test_first=False,
    )


def test_no_connections_says_what_to_do(open_page: OpenPage) -> None:
    at = open_page("sync")
    assert any("No connections to sync yet" in i.value for i in at.info)


def test_sync_now_queues_a_run_and_shows_it(
    open_page: OpenPage, system_info: SystemInfo, service: IntegrationService
) -> None:
    connection = _connected(service, system_info)
    at = open_page("sync")
    prefix = f"sync_{connection.id}"
    at.checkbox(key=f"{prefix}_dry").check()
    press(at, "Sync now")
    [run] = service.syncs.list_runs(ORG).items
    assert run.state is RunState.QUEUED and run.options.dry_run
    assert "Queued" in markdown(at) and run.id in markdown(at)
    press(at, "Sync now")
    assert any("already has a sync in progress" in e.value for e in at.error)
    at.button(key="sync_cancel").click().run()
    assert service.syncs.get_run(ORG, run.id).state is RunState.CANCELLED


def test_a_dry_runs_report_is_a_table(
    open_page: OpenPage, system_info: SystemInfo, service: IntegrationService
) -> None:
    connection = _connected(service, system_info)
    entity = system_info.supported_entities[0]
    now = utcnow()
    run = SyncRun(
        organisation_id=ORG, connection_id=connection.id, system=connection.system,
        state=RunState.SUCCEEDED, created_at=now, started_at=now, finished_at=now,
        options={"dry_run": True},
        planned=[
            PlannedChange(entity=entity, external_id="101", action="create"),
            PlannedChange(entity=entity, external_id="102", action="update", fields=["email"]),
        ],
    )  # fmt: skip
    service.runtime.store.create_run(run)
    at = open_page("sync")
    click_row(at, "sync_hist_rows_0", 0)
    report = at.dataframe[-1].value
    assert list(report["Would"]) == ["create", "update"] and list(report["Record"]) == [
        "101",
        "102",
    ]
    assert Entity(report["Entity"][0]) is entity
