"""KPI tiles: success rate, average and p95 duration, records moved, errors,
each with its change against the previous period of the same length."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import streamlit as st

from core.schemas import KpiRow
from ui import format as fmt
from ui.loaders import Aggregates
from ui.timerange import Window

_TILE_WIDTH = 148  # five in a row beside the sidebar, two side by side on a phone


@dataclass(frozen=True)
class Tile:
    title: str
    read: Callable[[KpiRow], float | None]
    shown: Callable[[float | None], str]
    kind: str  # how `format.change` words the delta: rate, ms or count
    good: Literal["normal", "inverse"]  # "inverse": going down is good
    help: str


TILES = (
    Tile("Success rate", lambda r: r.success_rate, fmt.percent, "rate", "normal",
         "Share of finished syncs that succeeded."),
    Tile("Avg duration", lambda r: r.avg_duration_ms, fmt.duration_ms, "ms", "inverse",
         "Mean time of one sync."),
    Tile("p95 duration", lambda r: r.p95_duration_ms, fmt.duration_ms, "ms", "inverse",
         "95 % of syncs finished within this time."),
    Tile("Records moved", lambda r: r.records_moved, fmt.number, "count", "normal",
         "Records read or written by syncs."),
    Tile("Errors", lambda r: r.errors, fmt.number, "count", "inverse",
         "Log entries at error level, any operation."),
)  # fmt: skip


def _total(rows: list[KpiRow]) -> KpiRow:
    return rows[0] if rows else KpiRow(
        key=None, bucket_start=None, runs=0, succeeded=0, failed=0, avg_duration_ms=None,
        p95_duration_ms=None, records_moved=0, errors=0,
    )  # fmt: skip


def tiles(prefix: str, window: Window, data: Aggregates) -> None:
    current, previous = _total(data.total), _total(data.previous_total)
    before = window.previous()
    with st.container(horizontal=True, wrap=True, gap="small", key=f"{prefix}_kpis"):
        for tile in TILES:
            now, then = tile.read(current), tile.read(previous)
            # Nothing ran before: a difference against nothing is no trend, just "new".
            fresh = previous.runs == 0 and not previous.errors and bool(now)
            same = not fresh and now is not None and now == then
            delta = "new" if fresh else fmt.change(now, then, kind=tile.kind)
            st.metric(
                tile.title,
                tile.shown(now),
                delta="no change" if same else delta,
                delta_color="off" if same or fresh else tile.good,
                delta_arrow="off" if same or fresh else "auto",
                help=f"{tile.help} Compared with {before.label}.",
                border=True,
                width=_TILE_WIDTH,
            )
    if current.runs == 0:
        st.caption(
            f"No syncs finished in {window.label}. Pick a longer range, or run one from the "
            "Sync page."
        )
