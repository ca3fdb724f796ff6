"""The overview, as one composable block (the Overview page and the demo's first tab)."""

from __future__ import annotations

import streamlit as st

from core.store.queries import ErrorGroup, KpiGroup
from ui import alerts, charts, kpis, loaders, status_card, timerange


def charts_block(prefix: str, store: str, org: str, window: timerange.Window) -> None:
    by_time = loaders.kpis(store, org, window.since, window.until, KpiGroup.SYSTEM, window.bucket)
    by_system = loaders.kpis(store, org, window.since, window.until, KpiGroup.SYSTEM, None)
    volume = loaders.volume(store, org, window.since, window.until)
    by_error_system = loaders.errors(store, org, window.since, window.until, ErrorGroup.SYSTEM)
    by_category = loaders.errors(store, org, window.since, window.until, ErrorGroup.CATEGORY)
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
    kpis.tiles(prefix, store, org, window)
    charts_block(prefix, store, org, window)
    alerts.open_alerts(prefix, store, org)
    st.subheader("Connections", anchor=False)
    status_card.live_grid(prefix, store, org)
