"""The demo page: tabs by functionality, and a way in when the organisation is empty."""

from __future__ import annotations

from core.models import System
from core.service import IntegrationService
from tests.ui.builders import ORG, stored_connection, with_history
from tests.ui.conftest import OpenPage, press


def test_tabs_by_functionality(open_page: OpenPage, service: IntegrationService) -> None:
    with_history(service, stored_connection(service))
    at = open_page("demo")
    assert [t.label for t in at.tabs] == [
        "Overview", "Connect", "Sync", "Logs", "Architecture & API",
    ]  # fmt: skip
    assert len(at.metric) >= 5 and len(at.get("plotly_chart")) >= 3
    calls = at.dataframe[-1].value["Call"]
    assert any(call.startswith("syncs.queue_sync(") for call in calls)
    assert not any(call.startswith("syncs.claim_next_run(") for call in calls)  # workers only


def test_empty_organisation_offers_the_demo(open_page: OpenPage) -> None:
    at = open_page("demo")
    assert any(b.label == "Load the demo connections" for b in at.button)


def test_loading_the_demo_adds_sandbox_connections_with_history(
    open_page: OpenPage, service: IntegrationService
) -> None:
    at = press(open_page("demo"), "Load the demo connections")
    assert any(s.value.startswith("Loaded") for s in at.success), [e.value for e in at.error]
    connections = service.connections.list_connections(ORG)
    assert connections and all(c.name.endswith("(sandbox)") for c in connections)
    assert service.syncs.list_runs(ORG).total > 100 * len(connections)  # 30 days, every 6 hours
    assert "Load the demo connections" not in [b.label for b in at.button]


def test_the_connect_tab_fills_in_the_sandbox_credentials_itself(
    open_page: OpenPage, service: IntegrationService
) -> None:
    at = open_page("demo")
    keys = {t.key for t in at.text_input}
    assert "demo_new_hubspot_f_private_app_token" not in keys  # nothing to look up or type
    assert any("sandbox's demo credentials" in c.value for c in at.caption)
    assert any("generated" in c.value and "live" in c.value for c in at.caption)
    assert service.admin.sandbox_credentials(System.HUBSPOT)["private_app_token"]
