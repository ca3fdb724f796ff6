"""The connection page: one connection whole, opened from the Connections table,
the Overview's cards, the Logs rows and the Sync history."""

from __future__ import annotations

from core.models import ConnectionStatus, Direction, RunState, System
from core.schemas import ConnectionUpdate
from core.service import IntegrationService
from tests.ui.builders import ORG, conflict, error_log, stored_connection, with_history
from tests.ui.conftest import OpenPage, click_row, open_connection_page, press, texts

PAGE = "pages/connection.py"


def test_shows_health_entities_runs_logs_conflicts_and_alerts(
    open_page: OpenPage, service: IntegrationService
) -> None:
    connection = stored_connection(service, name="HubSpot EU")
    with_history(service, connection, days=2)
    service.runtime.store.add_conflict(conflict(connection))
    service.runtime.store.append_logs([error_log(connection, "HubSpot answered 503")])
    at = open_connection_page(open_page, connection)
    metrics = {m.label: m.value for m in at.metric}
    assert set(metrics) >= {"Last sync", "Next sync", "Records held", "Open conflicts"}
    assert metrics["Open conflicts"] == "1"
    assert [t.label for t in at.tabs][:4] == ["Entities", "Field mapping", "Runs", "Logs"]
    shown = texts(at)
    assert "1 record waits for a decision" in shown
    assert "HubSpot answered 503" in shown  # its logs, pre-filtered
    runs = next(d.value for d in at.dataframe if "Trigger" in d.value.columns)
    assert set(runs["Connection"]) == {"HubSpot EU"}


def test_other_connections_logs_stay_out(open_page: OpenPage, service: IntegrationService) -> None:
    mine = stored_connection(service, name="HubSpot EU")
    other = stored_connection(service, name="HubSpot US")
    service.runtime.store.append_logs([error_log(other, "only the other one")])
    at = open_connection_page(open_page, mine)
    assert "only the other one" not in texts(at)


def test_a_missing_connection_says_so(open_page: OpenPage) -> None:
    at = open_page("overview")
    at.query_params["id"] = "no-such-connection"
    at.switch_page(PAGE).run()
    assert not at.exception
    assert any("no longer exists" in i.value for i in at.info)


def test_clicking_a_connections_row_opens_its_page(
    open_page: OpenPage, service: IntegrationService
) -> None:
    connection = stored_connection(service, name="HubSpot EU")
    at = open_page("connections")
    table = at.dataframe[0].value
    assert "Health" in table.columns and "Last sync" in table.columns
    assert "Status" not in table.columns and "Active" not in table.to_string()
    assert list(table["Health"]) == ["Not synced"] or table["Last sync"][0] == "never"
    click_row(at, "con_list_rows_0", 0)
    assert not at.exception
    assert at.title[0].value == connection.name


def test_logs_and_history_rows_lead_to_the_connection(
    open_page: OpenPage, service: IntegrationService
) -> None:
    connection = stored_connection(service, name="HubSpot EU")
    with_history(service, connection, days=1)
    at = open_page("logs")
    click_row(at, "logs_rows_0", 0)
    links = list(at.get("page_link"))
    assert any("Open HubSpot EU" in str(link.proto) for link in links)
    at = open_page("sync")
    click_row(at, "sync_hist_rows_0", 0)
    assert any("Open HubSpot EU" in str(link.proto) for link in at.get("page_link"))


def test_overview_cards_link_to_the_page(open_page: OpenPage, service: IntegrationService) -> None:
    connection = stored_connection(service, name="HubSpot EU")
    at = open_page("overview")
    assert any(connection.id in str(link.proto) for link in at.get("page_link"))


def test_sync_now_disable_and_delete(open_page: OpenPage, service: IntegrationService) -> None:
    connection = stored_connection(service, name="HubSpot EU")
    at = open_connection_page(open_page, connection)
    press(at, "Sync now")
    [run] = service.syncs.list_runs(ORG).items
    assert run.state is RunState.QUEUED
    assert any("Queued a sync" in s.value for s in at.success)
    at.button(key="cp_manage_toggle").click().run()
    stored = service.connections.get_connection(ORG, connection.id)
    assert stored.status is ConnectionStatus.DISABLED
    at.button(key="cp_manage_delete").click().run()
    at.button(key="cp_manage_confirm_yes").click().run()
    assert service.connections.list_connections(ORG) == []
    assert any("Deleted" in s.value for s in at.success)
    assert any("no longer exists" in i.value for i in at.info)


def test_a_local_choice_on_a_pull_only_connection_says_it_stays_local(
    open_page: OpenPage, service: IntegrationService
) -> None:
    connection = stored_connection(service, name="HubSpot EU")
    assert connection.direction is Direction.PULL
    held = service.runtime.store.add_conflict(conflict(connection))
    at = click_row(open_page("conflicts"), "cf_rows_0", 0)
    at.button(key=f"cf_resolve_local_{held.id}").click().run()
    [said] = [s.value for s in at.success if s.value.startswith("Resolved")]
    assert "stay in ToothPick only" in said and "pushed on the next sync" not in said
    press(at, "Push it now")
    [run] = service.syncs.list_runs(ORG).items
    assert run.options.direction is Direction.PUSH
    assert any("Queued a push" in s.value for s in at.success)


def test_turning_on_two_way_sync_after_a_local_choice(
    open_page: OpenPage, service: IntegrationService
) -> None:
    connection = stored_connection(service, name="HubSpot EU")
    held = service.runtime.store.add_conflict(conflict(connection))
    at = click_row(open_page("conflicts"), "cf_rows_0", 0)
    at.button(key=f"cf_resolve_local_{held.id}").click().run()
    press(at, "Turn on two-way sync")
    assert service.connections.get_connection(ORG, connection.id).direction is Direction.BOTH
    assert any("now syncs both ways" in s.value for s in at.success)


def test_a_two_way_connection_says_the_choice_is_pushed(
    open_page: OpenPage, service: IntegrationService
) -> None:
    connection = stored_connection(service, name="HubSpot EU")
    service.connections.update_connection(
        ORG, connection.id, ConnectionUpdate(direction=Direction.BOTH)
    )
    held = service.runtime.store.add_conflict(conflict(connection))
    at = click_row(open_page("conflicts"), "cf_rows_0", 0)
    at.button(key=f"cf_resolve_local_{held.id}").click().run()
    assert any("pushed to the vendor on the next sync" in s.value for s in at.success)
    assert not [b for b in at.button if b.label == "Push it now"]


def test_the_vendors_fields_become_the_mapping_choices_and_a_record_previews(
    open_page: OpenPage, service: IntegrationService
) -> None:
    from core.models import Entity, RecordWrite
    from core.schemas import ConnectionCreate
    from tests.support.memory_vendor import MemoryVendor, memory_system

    with memory_system(MemoryVendor(), valid_token="tok"):
        connection = service.connections.connect(
            ORG,
            ConnectionCreate(system=System.HUBSPOT, name="Memory CRM",
                             fields={"api_token": "tok"}, entities=[Entity.CONTACT]),
            test_first=False,
        )  # fmt: skip
        service.runtime.store.upsert_records(
            ORG, connection.id, Entity.CONTACT,
            [RecordWrite(external_id="c1", data={"email": "lucia@x.io"}, content_hash="h")],
            run_id=None,
        )  # fmt: skip
        at = open_connection_page(open_page, connection)
        assert [d for d in at.dataframe if "ToothPick field" in d.value.columns]  # preview
        preview = next(d.value for d in at.dataframe if "ToothPick field" in d.value.columns)
        assert list(preview["Value"]) == ["lucia@x.io"]
        press(at, "Read HubSpot's fields")
        found = next(d.value for d in at.dataframe if "Vendor field" in d.value.columns)
        assert list(found["Vendor field"]) == ["loyalty"] and found["Custom"][0] == "custom"
        editor = at.data_editor(key=f"cp_edit_{connection.id}_overrides")
        assert "loyalty" in str(editor.proto.columns)
