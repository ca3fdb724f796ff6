"""The sync settings of a connection (entities, direction, conflict policy, schedule),
shared by the connect and edit forms. Widgets live inside the caller's st.form;
`read` turns their session-state values into ConnectionCreate/Update fields."""

from __future__ import annotations

from typing import Any

import streamlit as st

from core.models import ConflictPolicy, Direction, Entity, Schedule
from core.schemas import SystemInfo

DIRECTIONS = {
    Direction.PULL: "Pull: vendor → ToothPick",
    Direction.PUSH: "Push: ToothPick → vendor",
    Direction.BOTH: "Both ways",
}
POLICIES = {
    ConflictPolicy.TIMESTAMP: "Newest change wins",
    ConflictPolicy.MANUAL: "Hold for review on the Conflicts page",
    ConflictPolicy.SKIP: "Skip and log",
}
NAMES = ("entities", "direction", "conflict_policy", "approve_deletes", "schedule")
_SCHEDULES = ("Every N hours", "Cron expression", "Off (manual only)")


def inputs(
    key: str,
    info: SystemInfo,
    *,
    entities: list[Entity] | None = None,
    direction: Direction = Direction.PULL,
    policy: ConflictPolicy = ConflictPolicy.TIMESTAMP,
    approve_deletes: bool = False,
    schedule: Schedule | None = None,
    default_hours: float = 6.0,
) -> None:
    schedule = schedule or Schedule()
    supported = info.supported_entities
    st.multiselect(
        "Entities to sync",
        supported,
        default=[e for e in (entities or supported) if e in supported],
        format_func=lambda e: e.value,
        key=f"{key}_entities",
        help="Leave empty for every entity this system supports.",
    )
    left, right = st.columns(2)
    left.selectbox(
        "Direction",
        list(DIRECTIONS),
        index=list(DIRECTIONS).index(direction),
        format_func=DIRECTIONS.__getitem__,
        key=f"{key}_direction",
    )
    right.selectbox(
        "When both sides changed",
        list(POLICIES),
        index=list(POLICIES).index(policy),
        format_func=POLICIES.__getitem__,
        key=f"{key}_policy",
    )
    mode = 2 if not schedule.enabled else 1 if schedule.cron else 0
    left, middle, right = st.columns(3)
    left.selectbox("Schedule", _SCHEDULES, index=mode, key=f"{key}_schedule")
    middle.number_input(
        "Hours between syncs",
        min_value=0.25,
        max_value=24.0 * 31,
        value=float(schedule.interval_hours or default_hours),
        step=1.0,
        key=f"{key}_hours",
    )
    right.text_input(
        "Cron (UTC)",
        value=schedule.cron or "",
        placeholder="0 */4 * * *",
        key=f"{key}_cron",
        help="Five fields: minute hour day month weekday. Used when Schedule is Cron.",
    )
    st.checkbox(
        "Hold deletions for approval",
        value=approve_deletes,
        key=f"{key}_approve",
        help="A record the vendor deleted waits on the Conflicts page instead of going at once.",
    )


def read(key: str) -> dict[str, Any]:
    state = st.session_state
    mode = state[f"{key}_schedule"]
    if mode == _SCHEDULES[1]:
        schedule: dict[str, Any] = {"enabled": True, "cron": state[f"{key}_cron"]}
    elif mode == _SCHEDULES[2]:
        schedule = {"enabled": False}
    else:
        schedule = {"enabled": True, "interval_hours": state[f"{key}_hours"]}
    return {
        "entities": list(state[f"{key}_entities"]),
        "direction": state[f"{key}_direction"],
        "conflict_policy": state[f"{key}_policy"],
        "approve_deletes": bool(state[f"{key}_approve"]),
        "schedule": schedule,
    }
