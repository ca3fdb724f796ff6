"""KPI tiles: success rate, average and p95 duration, records moved, errors,
each with its change against the previous period of the same length."""

from __future__ import annotations

import streamlit as st

from core.store.queries import KpiRow
from ui import format as fmt
from ui import loaders
from ui.timerange import Window

_TILE_WIDTH = 152  # five in a row beside the sidebar, two side by side on a phone


def _total(rows: list[KpiRow]) -> KpiRow | None:
    return rows[0] if rows else None


def tiles(prefix: str, store: str, org: str, window: Window) -> None:
    current = _total(loaders.kpis(store, org, window.since, window.until, None, None))
    before = window.previous()
    previous = _total(loaders.kpis(store, org, before.since, before.until, None, None))
    compared = f"Change against {before.label}."
    rate = current.success_rate if current else None
    prev_rate = previous.success_rate if previous else None
    spec = [
        (
            "Success rate",
            fmt.percent(rate),
            fmt.change(rate, prev_rate, kind="rate"),
            "normal",
            f"Share of finished syncs that succeeded. {compared}",
        ),
        (
            "Avg duration",
            fmt.duration_ms(current.avg_duration_ms if current else None),
            fmt.change(
                current.avg_duration_ms if current else None,
                previous.avg_duration_ms if previous else None,
                kind="ms",
            ),
            "inverse",
            f"Mean time of one sync. {compared}",
        ),
        (
            "p95 duration",
            fmt.duration_ms(current.p95_duration_ms if current else None),
            fmt.change(
                current.p95_duration_ms if current else None,
                previous.p95_duration_ms if previous else None,
                kind="ms",
            ),
            "inverse",
            f"95 % of syncs finished within this time. {compared}",
        ),
        (
            "Records moved",
            fmt.number(current.records_moved if current else 0),
            fmt.change(
                current.records_moved if current else 0,
                previous.records_moved if previous else 0,
            ),
            "normal",
            f"Records read or written by syncs. {compared}",
        ),
        (
            "Errors",
            fmt.number(current.errors if current else 0),
            fmt.change(current.errors if current else 0, previous.errors if previous else 0),
            "inverse",
            f"Log entries at error level, any operation. {compared}",
        ),
    ]
    with st.container(horizontal=True, wrap=True, gap="small", key=f"{prefix}_kpis"):
        for title, value, delta, colour, help_text in spec:
            st.metric(
                title,
                value,
                delta=delta,
                delta_color=colour,  # type: ignore[arg-type]
                help=help_text,
                border=True,
                width=_TILE_WIDTH,
            )
    if current is None or current.runs == 0:
        st.caption(
            f"No syncs finished in {window.label}. Pick a longer range, or run one from the "
            "Sync page."
        )
