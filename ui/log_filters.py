"""The log filters (system, connection, status, level, operation, time range, text),
batched in one form and turned into the store's LogFilter."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import streamlit as st

from core.models import LogLevel, LogStatus, Operation, System
from core.schemas import ConnectionPublic, LogFilter
from ui import pager, systems
from ui.text import md
from ui.timerange import ending_now

RANGES: dict[str, timedelta | None] = {
    "Last hour": timedelta(hours=1),
    "Last 24 h": timedelta(hours=24),
    "Last 7 d": timedelta(days=7),
    "Last 30 d": timedelta(days=30),
    "Any time": None,
    "Custom": None,
}
_FIELDS = ("systems", "connections", "statuses", "levels", "operations", "range", "days", "text")


def _applied(prefix: str) -> dict[str, Any]:
    applied: dict[str, Any] = st.session_state.get(f"{prefix}_applied", {})
    return applied


def _apply(prefix: str) -> None:
    state = st.session_state
    state[f"{prefix}_applied"] = {name: state.get(f"{prefix}_f_{name}") for name in _FIELDS}
    pager.reset(prefix)


def _clear(prefix: str) -> None:
    st.session_state[f"{prefix}_applied"] = {}
    for name in _FIELDS:
        st.session_state.pop(f"{prefix}_f_{name}", None)
    pager.reset(prefix)


def summary(prefix: str, names: dict[str, str]) -> str:
    """The applied filters in a few words (the expander's label)."""
    applied = _applied(prefix)
    parts = [str(applied.get("range") or "Last 7 d")]
    parts += [systems.short(s) for s in applied.get("systems") or []]
    parts += [names.get(c, c) for c in applied.get("connections") or []]
    for name in ("statuses", "levels", "operations"):
        parts += [str(value) for value in applied.get(name) or []]
    if applied.get("text"):
        parts.append(f"“{applied['text']}”")
    return md(" · ".join(parts))  # a label is Markdown: names and text escaped


def form(prefix: str, connections: list[ConnectionPublic]) -> None:
    """The filters, folded in one expander whose label says what is applied (on a
    phone the first rows of the table are then on the first screen)."""
    names = {c.id: c.name for c in connections}
    with (
        st.expander(f"Filters: {summary(prefix, names)}", icon=":material/filter_alt:"),
        st.form(f"{prefix}_filters", border=False),
    ):
        left, middle, right = st.columns(3)
        left.multiselect(
            "System", list(System), format_func=systems.label, key=f"{prefix}_f_systems"
        )
        middle.multiselect(
            "Connection",
            list(names),
            format_func=lambda cid: names.get(cid, cid),
            key=f"{prefix}_f_connections",
        )
        right.multiselect(
            "Operation", list(Operation), format_func=str, key=f"{prefix}_f_operations"
        )
        left, middle, right = st.columns(3)
        left.multiselect("Status", list(LogStatus), format_func=str, key=f"{prefix}_f_statuses")
        middle.multiselect("Level", list(LogLevel), format_func=str, key=f"{prefix}_f_levels")
        right.selectbox("Time range", list(RANGES), index=2, key=f"{prefix}_f_range")
        left, right = st.columns([2, 1])
        left.text_input(
            "Message contains",
            placeholder="e.g. timeout, 429, contact 0031",
            max_chars=200,
            key=f"{prefix}_f_text",
        )
        right.date_input(
            "Custom days (UTC)",
            value=[],
            key=f"{prefix}_f_days",
            help="Used when Time range is Custom.",
        )
        apply, clear = st.columns(2)
        apply.form_submit_button(
            "Apply filters",
            key=f"{prefix}_apply",
            type="primary",
            on_click=_apply,
            args=(prefix,),
            icon=":material/filter_alt:",
            width="stretch",
        )
        clear.form_submit_button(
            "Clear", on_click=_clear, args=(prefix,), icon=":material/close:", width="stretch"
        )


def _window(choice: str | None, days: Any) -> tuple[datetime | None, datetime | None]:
    choice = choice or "Last 7 d"
    if choice == "Custom":
        picked = [d for d in (days or ()) if isinstance(d, date)]
        if not picked:
            return None, None
        start = datetime.combine(picked[0], time.min, tzinfo=UTC)
        return start, datetime.combine(picked[-1], time.min, tzinfo=UTC) + timedelta(days=1)
    length = RANGES.get(choice)
    if length is None:
        return None, None
    window = ending_now(length, choice)
    return window.since, window.until


def current(prefix: str) -> LogFilter:
    """The applied filters (defaults: the last 7 days) as a LogFilter."""
    applied = _applied(prefix)
    since, until = _window(applied.get("range"), applied.get("days"))
    return LogFilter(
        systems=applied.get("systems") or [],
        connection_ids=applied.get("connections") or [],
        statuses=applied.get("statuses") or [],
        levels=applied.get("levels") or [],
        operations=applied.get("operations") or [],
        since=since,
        until=until,
        text=applied.get("text") or None,
    )
