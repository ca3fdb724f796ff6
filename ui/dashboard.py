"""The overview, as one composable block (the Overview page and the demo's first tab)."""

from __future__ import annotations

import streamlit as st

from ui import alerts, charts, kpis, loaders, status_card, system_status, timerange


def charts_block(prefix: str, window: timerange.Window, data: loaders.Aggregates) -> None:
    by_time, by_system, volume = data.by_time, data.by_system, data.volume
    by_error_system, by_category = data.errors_by_system, data.errors_by_category
    left, right = st.columns(2)
    with left:
        if any(row.runs for row in by_time):
            charts.show(
                charts.success_rate(by_time),
                f"{prefix}_chart_rate",
                "Line chart of the share of successful syncs per system over time",
            )
        else:
            charts.empty(f"No finished syncs in {window.label}: nothing to chart yet.")
    with right:
        if any(row.runs for row in by_system):
            charts.show(
                charts.duration(by_system),
                f"{prefix}_chart_duration",
                "Bar chart of average and p95 sync duration per system",
            )
        else:
            charts.empty("Durations appear once syncs have run in this range.")
    left, middle, right = st.columns(3)
    with left:
        if volume:
            charts.show(
                charts.volume(volume),
                f"{prefix}_chart_volume",
                "Bar chart of records moved per entity",
            )
        else:
            charts.empty("No records moved in this range.")
    with middle:
        if by_error_system:
            charts.show(
                charts.error_counts(by_error_system, by_system=True),
                f"{prefix}_chart_err_sys",
                "Bar chart of error log entries per system",
            )
        else:
            st.success(f"No errors in {window.label}.", icon=":material/verified:")
    with right:
        if by_category:
            charts.show(
                charts.error_counts(by_category, by_system=False),
                f"{prefix}_chart_err_cat",
                "Bar chart of error log entries per failure category",
            )


def overview(prefix: str, store: str, org: str) -> None:
    window = timerange.picker(prefix)
    with st.spinner("Aggregating the log…"):
        data = loaders.aggregates(store, org, window.since, window.until, window.bucket)
    kpis.tiles(prefix, window, data)
    charts_block(prefix, window, data)
    alerts.open_alerts(prefix, store, org)
    system_status.panel(prefix, org)
    st.subheader("Connections", anchor=False)
    status_card.live_grid(prefix, store, org)
