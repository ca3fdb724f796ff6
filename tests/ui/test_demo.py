"""The demo page: tabs by functionality, and a way in when the organisation is empty."""

from __future__ import annotations

from core.service import IntegrationService
from tests.ui.builders import stored_connection, with_history
from tests.ui.conftest import OpenPage


def test_tabs_by_functionality(open_page: OpenPage, service: IntegrationService) -> None:
    with_history(service, stored_connection(service))
    at = open_page("demo")
    assert [t.label for t in at.tabs] == [
        "Overview", "Connect", "Sync", "Logs", "Architecture & API",
    ]  # fmt: skip
    assert len(at.metric) >= 5 and len(at.get("plotly_chart")) >= 3
    calls = at.dataframe[-1].value["Call"]
    assert any(call.startswith("queue_sync(") for call in calls)


def test_empty_organisation_offers_the_demo(open_page: OpenPage) -> None:
    at = open_page("demo")
    assert any(b.label == "Load the demo connections" for b in at.button)
