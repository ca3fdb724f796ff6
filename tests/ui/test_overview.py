"""The overview: KPI tiles, charts, alerts and one status card per connection."""

from __future__ import annotations

from core.models import Alert, AlertKind, AlertSeverity
from core.service import IntegrationService
from tests.ui.builders import ORG, stored_connection, with_history
from tests.ui.conftest import OpenPage, markdown, press


def test_empty_store_says_what_to_do(open_page: OpenPage) -> None:
    at = open_page("overview")
    assert [m.label for m in at.metric] == [
        "Success rate", "Avg duration", "p95 duration", "Records moved", "Errors",
    ]  # fmt: skip
    assert any("No connections yet" in i.value for i in at.info)
    assert any("No syncs finished" in c.value for c in at.caption)


def test_history_fills_tiles_charts_and_cards(
    open_page: OpenPage, service: IntegrationService
) -> None:
    hubspot = stored_connection(service, name="HubSpot EU")
    with_history(service, hubspot)
    service.runtime.store.raise_alert(
        Alert(
            organisation_id=ORG,
            connection_id=hubspot.id,
            kind=AlertKind.CONSECUTIVE_FAILURES,
            severity=AlertSeverity.CRITICAL,
            message="HubSpot EU: the last 3 syncs failed",
        )
    )
    at = open_page("overview")
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Success rate"].endswith("%") and tiles["Records moved"] != "0"
    assert len(at.get("plotly_chart")) >= 3
    text = markdown(at)
    assert "HubSpot EU" in text and "Last sync:" in text and "Next sync:" in text
    assert "the last 3 syncs failed" in text
    assert any("No scheduler holds the lease" in w.value for w in at.warning)
    assert any(t.value.startswith("Runs: queued") for t in at.text)
    press(at, "Acknowledge")
    [acknowledged] = service.alerts.open_alerts(ORG)  # still open until resolved
    assert acknowledged.acknowledged_by == "dashboard"
    press(at, "Resolve")
    assert service.alerts.open_alerts(ORG) == []


def test_time_range_switches_the_window(open_page: OpenPage, service: IntegrationService) -> None:
    with_history(service, stored_connection(service), days=20)
    at = open_page("overview")
    week = {m.label: m.value for m in at.metric}["Records moved"]
    at.button_group(key="ov_range").set_value("24 h").run()
    assert not at.exception
    day = {m.label: m.value for m in at.metric}["Records moved"]
    assert day != week


def test_an_empty_previous_period_reads_new_not_a_percentage(
    open_page: OpenPage, service: IntegrationService
) -> None:
    with_history(service, stored_connection(service), days=2)  # nothing in the week before
    at = open_page("overview")
    deltas = {m.label: m.delta for m in at.metric}
    assert deltas["Records moved"] == "new"
    assert not any("%" in str(d) for d in deltas.values() if d)
