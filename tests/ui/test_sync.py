"""The sync page: Sync now queues a run (a worker runs it), live state, cancel, history."""

from __future__ import annotations

from adapters.base import SystemInfo
from core.clock import utcnow
from core.models import Entity, FieldChange, PlannedChange, RunState, SyncRun
from core.schemas import ConnectionCreate, ConnectionPublic
from core.service import IntegrationService
from tests.ui.builders import ORG, form_values
from tests.ui.conftest import OpenPage, click_row, markdown, press
from ui import dry_run_report


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


def test_a_dry_runs_report_shows_old_and_new_values_totals_and_csv(
    open_page: OpenPage, system_info: SystemInfo, service: IntegrationService
) -> None:
    connection = _connected(service, system_info)
    entity = system_info.supported_entities[0]
    now = utcnow()
    email = FieldChange(field="email", current="old@x.io", new="new@x.io")
    run = SyncRun(
        organisation_id=ORG, connection_id=connection.id, system=connection.system,
        state=RunState.SUCCEEDED, created_at=now, started_at=now, finished_at=now,
        options={"dry_run": True},
        planned=[
            PlannedChange(entity=entity, external_id="102", action="update", fields=["email"],
                          changes=[email]),
            PlannedChange(entity=entity, external_id="103", action="conflict", fields=["email"],
                          changes=[email], conflict=True,
                          policy="held for review on the Conflicts page"),
            PlannedChange(entity=entity, external_id="104", action="push", direction="push",
                          fields=["email"], changes=[email]),
        ],
    )  # fmt: skip
    service.runtime.store.create_run(run)
    at = open_page("sync")
    click_row(at, "sync_hist_rows_0", 0)
    assert "**What a real run would change:** 3 records" in markdown(at)
    totals, report = at.dataframe[-2].value, at.dataframe[-1].value
    assert list(report["Now"]) == ["old@x.io"] * 3 and list(report["After"]) == ["new@x.io"] * 3
    assert list(report["Conflict"]) == ["", "both changed", ""]
    assert report["Policy"][1] == "held for review on the Conflicts page"
    assert list(report["Direction"]) == ["vendor → ToothPick"] * 2 + ["ToothPick → vendor"]
    assert sorted(totals["Direction"]) == ["ToothPick → vendor", "vendor → ToothPick"]
    pull = totals[totals["Direction"] == "vendor → ToothPick"].iloc[0]
    assert (pull["Updates"], pull["Conflicts"]) == (1, 1)
    assert any("Download the report (CSV)" in str(d.proto) for d in at.get("download_button"))
    assert dry_run_report.as_csv(run).splitlines()[0].startswith("Entity,Record,Direction")
    assert "old@x.io,new@x.io" in dry_run_report.as_csv(run)


def test_a_running_sync_shows_a_percentage_from_the_last_run_of_its_kind(
    open_page: OpenPage, system_info: SystemInfo, service: IntegrationService
) -> None:
    from datetime import timedelta

    from core.models import EntityCounts, RunProgress

    connection = _connected(service, system_info)
    store, entity = service.runtime.store, system_info.supported_entities[0]
    before = utcnow() - timedelta(hours=6)
    store.create_run(
        SyncRun(
            organisation_id=ORG, connection_id=connection.id, system=connection.system,
            state=RunState.SUCCEEDED, created_at=before, started_at=before, finished_at=before,
            counts={entity: EntityCounts(read=1000)},
        )
    )  # fmt: skip
    service.syncs.queue_sync(ORG, connection.id)
    now = utcnow()
    running = store.claim_next_run("w1", now=now, stale_before=now - timedelta(minutes=5))
    assert running is not None
    store.heartbeat_run(
        running.id, "w1", now=now, progress=RunProgress(current_entity=entity, records=250),
        counts={},
    )  # fmt: skip
    at = open_page("sync")
    texts = [str(p.proto) for p in at.get("progress")]
    assert any("About 25 % done" in t for t in texts), texts


def test_a_running_sync_with_the_vendors_count_shows_its_share_and_place(
    open_page: OpenPage, system_info: SystemInfo, service: IntegrationService
) -> None:
    from datetime import timedelta

    from core.models import RunProgress

    connection = _connected(service, system_info)
    store, entity = service.runtime.store, system_info.supported_entities[0]
    service.syncs.queue_sync(ORG, connection.id)
    now = utcnow()
    running = store.claim_next_run("w1", now=now, stale_before=now - timedelta(minutes=5))
    assert running is not None
    store.heartbeat_run(
        running.id, "w1", now=now, counts={},
        progress=RunProgress(
            current_entity=entity, records=400, entity_read=400, entity_expected=1000,
            entity_started_at=now - timedelta(seconds=8), entity_number=1, entity_count=2,
            rate_limit_wait_s=2.0,
        ),
    )  # fmt: skip
    at = open_page("sync")
    texts = [p.proto.text for p in at.get("progress")]
    expected = f"{entity.value}: 40 % of 1,000 records (the vendor's count), about "
    assert any(expected in t for t in texts), texts
    assert any(m.label == "Entity 1 of 2" for m in at.metric)
    assert any("Waited 2.0 s on the vendor's rate limit so far" in c.value for c in at.caption)
    at.switch_page("pages/overview.py").run()
    assert any(f"40 % of {entity.value}" in m.value for m in at.markdown)


def test_a_running_sync_with_no_ground_says_there_is_no_percentage(
    open_page: OpenPage, system_info: SystemInfo, service: IntegrationService
) -> None:
    from datetime import timedelta

    from core.models import RunProgress

    connection = _connected(service, system_info)
    store = service.runtime.store
    service.syncs.queue_sync(ORG, connection.id)
    now = utcnow()
    running = store.claim_next_run("w1", now=now, stale_before=now - timedelta(minutes=5))
    assert running is not None
    store.heartbeat_run(running.id, "w1", now=now, progress=RunProgress(records=5), counts={})
    at = open_page("sync")
    assert not at.get("progress")
    assert any("No percentage yet" in c.value for c in at.caption)
