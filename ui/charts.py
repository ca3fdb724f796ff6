"""Plotly charts of the overview: every chart titled, both axes labelled, and
each system told apart by name, marker and dash as well as colour."""

from __future__ import annotations

from collections import defaultdict

import plotly.graph_objects as go
import streamlit as st

from core.models import Entity
from core.schemas import CountRow, KpiRow, VolumeRow
from ui import format as fmt
from ui import systems

_CONFIG = {"displayModeBar": False, "responsive": True}
_FONT = "Source Sans Pro, sans-serif"


def _bars_height(count: int) -> int:
    """Horizontal bar charts grow with their rows, so one bar is not a slab."""
    return max(220, min(120 + 44 * count, 380))


def _layout(fig: go.Figure, title: str, x: str, y: str, *, height: int = 340) -> go.Figure:
    fig.update_layout(
        title={
            "text": title,
            "x": 0,
            "xanchor": "left",
            "y": 0.98,
            "yanchor": "top",
            "font": {"size": 16},
        },
        xaxis_title=x,
        yaxis_title=y,
        height=height,
        margin={"l": 8, "r": 8, "t": 48, "b": 8},
        # The legend sits under the plot: above it, a legend that wraps on a phone
        # grows up into the title. Below, the figure's margin grows to hold it.
        legend={"orientation": "h", "yanchor": "top", "y": -0.28, "x": 0, "title": None},
        font={"family": _FONT},
        hoverlabel={"font": {"family": _FONT}},
    )
    return fig


def show(fig: go.Figure, key: str, alt: str) -> None:
    st.plotly_chart(fig, key=key, config=_CONFIG, alt=alt)


def empty(message: str) -> None:
    st.info(message, icon=":material/insert_chart:")


def success_rate(rows: list[KpiRow]) -> go.Figure:
    series: dict[str, list[KpiRow]] = defaultdict(list)
    for row in rows:
        if row.key is not None and row.runs:
            series[row.key].append(row)
    fig = go.Figure()
    for key in sorted(series):
        style = systems.style_of(key)
        points = sorted(series[key], key=lambda r: r.bucket_start or 0)
        fig.add_trace(
            go.Scatter(
                x=[r.bucket_start for r in points],
                y=[(r.success_rate or 0) * 100 for r in points],
                customdata=[[r.runs, r.failed] for r in points],
                name=systems.short(key),
                mode="lines+markers",
                line={"color": systems.colour(key), "dash": style.dash if style else "solid"},
                marker={"symbol": style.symbol if style else "circle", "size": 8},
                hovertemplate="%{x}<br>%{y:.1f} % of %{customdata[0]} syncs succeeded"
                "<br>%{customdata[1]} failed<extra>%{fullData.name}</extra>",
            )
        )
    fig.update_yaxes(range=[0, 104], ticksuffix=" %")
    return _layout(fig, "Success rate over time, by system", "Time (UTC)", "Successful syncs (%)")


def duration(rows: list[KpiRow]) -> go.Figure:
    rows = sorted((r for r in rows if r.key is not None and r.runs), key=lambda r: r.key or "")
    names = [systems.short(r.key) for r in rows]
    fig = go.Figure()
    for label, values, pattern, opacity in (
        ("Average", [(r.avg_duration_ms or 0) / 1000 for r in rows], "", 1.0),
        ("p95", [(r.p95_duration_ms or 0) / 1000 for r in rows], "/", 0.5),
    ):
        fig.add_trace(
            go.Bar(
                x=values,
                y=names,
                orientation="h",
                name=label,
                marker={
                    "color": [systems.colour(r.key or "") for r in rows],
                    "opacity": opacity,
                    "pattern": {"shape": pattern},
                },
                text=[f"{label} {v:.1f} s" for v in values],
                textposition="outside",
                cliponaxis=False,
                textfont={"color": "#0f172a"},
                hovertemplate="%{y}: %{x:.1f} s<extra>" + label + "</extra>",
            )
        )
    longest = max(((r.p95_duration_ms or 0) / 1000 for r in rows), default=1.0)
    fig.update_xaxes(range=[0, longest * 1.45])
    fig.update_layout(barmode="group", showlegend=True)
    fig.update_yaxes(autorange="reversed")
    return _layout(
        fig,
        "Sync duration by system (average and p95)",
        "Seconds",
        "System",
        height=max(260, min(140 + 70 * len(rows), 520)),
    )


def volume(rows: list[VolumeRow]) -> go.Figure:
    totals: dict[Entity, int] = defaultdict(int)
    for row in rows:
        totals[row.entity] += row.records
    ordered = sorted(totals.items(), key=lambda item: item[1])
    fig = go.Figure(
        go.Bar(
            x=[count for _, count in ordered],
            y=[systems.entity_label(entity) for entity, _ in ordered],
            orientation="h",
            marker={"color": [systems.ENTITY_COLOURS[entity] for entity, _ in ordered]},
            text=[fmt.number(count) for _, count in ordered],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{x:,} records<extra></extra>",
            showlegend=False,
        )
    )
    fig.update_xaxes(range=[0, max((c for _, c in ordered), default=1) * 1.25])
    return _layout(
        fig, "Records moved by entity", "Records", "Entity", height=_bars_height(len(ordered))
    )


def error_counts(rows: list[CountRow], *, by_system: bool) -> go.Figure:
    rows = sorted(rows, key=lambda r: r.count)
    if by_system:
        names = [systems.short(r.key) for r in rows]
        colours = [systems.colour(r.key or "") for r in rows]
        title, axis = "Errors by system", "System"
    else:
        names = [(r.key or "uncategorised").capitalize() for r in rows]
        colours = ["#b91c1c"] * len(rows)
        title, axis = "Errors by category", "Category"
    fig = go.Figure(
        go.Bar(
            x=[r.count for r in rows],
            y=names,
            orientation="h",
            marker={"color": colours},
            text=[fmt.number(r.count) for r in rows],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{x:,} errors<extra></extra>",
            showlegend=False,
        )
    )
    fig.update_xaxes(range=[0, max((r.count for r in rows), default=1) * 1.25])
    return _layout(fig, title, "Error log entries", axis, height=_bars_height(len(rows)))
