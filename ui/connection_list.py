"""The list of connections, and managing one: test, edit, enable/disable, delete."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from core.errors import ToothpickError
from core.models import ConnectionStatus
from core.schemas import ConnectionPublic
from ui import alert_thresholds, connection_edit, feedback, loaders, systems, vendor_calls
from ui.context import service
from ui.settings_inputs import DIRECTIONS, POLICIES
from ui.text import md

_STATUS = {
    ConnectionStatus.ACTIVE: "● Active",
    ConnectionStatus.DISABLED: "○ Disabled",
    ConnectionStatus.NEEDS_RECONNECT: "⚠ Needs reconnecting",
    ConnectionStatus.ERROR: "✖ Error",
}


def _schedule(connection: ConnectionPublic, default_hours: float) -> str:
    schedule = connection.schedule
    if not schedule.enabled:
        return "manual only"
    if schedule.cron:
        return f"cron {schedule.cron} (UTC)"
    return f"every {schedule.interval_hours or default_hours:g} h"


def table(connections: list[ConnectionPublic], default_hours: float) -> None:
    rows = [
        {
            "Name": c.name,
            "System": systems.label(c.system),
            "Status": _STATUS[c.status],
            "Entities": ", ".join(e.value for e in c.entities),
            "Direction": c.direction.value,
            "Schedule": _schedule(c, default_hours),
        }
        for c in connections
    ]
    st.dataframe(rows, hide_index=True, width="stretch")


def _run(key: str, action: str, call: Callable[[], str]) -> None:
    feedback.clear(key)
    try:
        message = call()
    except ToothpickError as exc:
        feedback.put(key, feedback.Outcome(False, f"{action} failed: {exc}"))
        return
    loaders.forget_writes()
    feedback.put(key, feedback.Outcome(True, message))


def _test(key: str, org: str, connection: ConnectionPublic) -> None:
    feedback.clear(key)
    try:
        result = vendor_calls.run(lambda s: s.connections.test_connection(org, connection.id))
    except ToothpickError as exc:
        feedback.put(key, feedback.Outcome(False, f"Testing failed: {exc}"))
        return
    feedback.put(key, feedback.checked(systems.label(connection.system), result))


def _toggle(key: str, org: str, connection: ConnectionPublic) -> None:
    enable = connection.status is ConnectionStatus.DISABLED

    def toggle() -> str:
        service().connections.set_enabled(org, connection.id, enable)
        return f"“{connection.name}” is {'enabled' if enable else 'disabled'}."

    _run(key, "Enabling" if enable else "Disabling", toggle)


def _delete(key: str, org: str, connection: ConnectionPublic) -> None:
    st.session_state.pop(f"{key}_confirm", None)

    def delete() -> str:
        service().connections.delete_connection(org, connection.id)
        return f"Deleted “{connection.name}”. Its runs and log entries stay for the audit trail."

    _run(key, "Deleting", delete)


def outcome(prefix: str) -> None:
    """The last action's result (also after a delete, when its connection is gone)."""
    feedback.show(f"{prefix}_manage")


def manage(prefix: str, org: str, connection: ConnectionPublic) -> None:
    key = f"{prefix}_manage"
    st.markdown(
        f"{systems.badge_html(connection.system)} **{md(connection.name)}** · "
        f"{md(_STATUS[connection.status])}",
        unsafe_allow_html=True,
    )
    if connection.status_detail:
        st.warning(md(connection.status_detail), icon=":material/warning:")
    stored = ", ".join(connection.secret_fields) or "none"
    st.caption(
        f"Direction: {DIRECTIONS[connection.direction]} · Conflicts: "
        f"{POLICIES[connection.conflict_policy]} · Secrets stored (never shown): {md(stored)}"
    )
    with st.container(horizontal=True, key=f"{key}_actions"):
        st.button(
            "Test connection",
            key=f"{key}_test",
            on_click=_test,
            args=(key, org, connection),
            icon=":material/network_check:",
        )
        disabled = connection.status is ConnectionStatus.DISABLED
        st.button(
            "Enable" if disabled else "Disable",
            key=f"{key}_toggle",
            on_click=_toggle,
            args=(key, org, connection),
            icon=":material/play_circle:" if disabled else ":material/pause_circle:",
        )
        if st.button("Delete…", key=f"{key}_delete", icon=":material/delete:"):
            st.session_state[f"{key}_confirm"] = connection.id
    if st.session_state.get(f"{key}_confirm") == connection.id:
        with st.container(border=True, key=f"{key}_confirm_box"):
            st.warning(
                f"Delete “{md(connection.name)}”? Its records, sync positions and open conflicts "
                "are removed; its runs and log entries stay. This cannot be undone.",
                icon=":material/delete_forever:",
            )
            yes, no = st.columns(2)
            yes.button(
                "Yes, delete it",
                key=f"{key}_confirm_yes",
                type="primary",
                on_click=_delete,
                args=(key, org, connection),
            )
            if no.button("Keep it", key=f"{key}_confirm_no"):
                st.session_state.pop(f"{key}_confirm", None)
                st.rerun()
    feedback.show(key)
    try:
        info = service().connections.system(connection.system)
    except ToothpickError as exc:
        st.warning(md(f"This connection cannot be edited here: {exc}"), icon=":material/block:")
        return
    with st.expander("Edit settings, fields and mappings", icon=":material/edit:"):
        connection_edit.edit_form(prefix, org, connection, info)
    with st.expander("Alert thresholds", icon=":material/notifications:"):
        alert_thresholds.thresholds_form(prefix, org, connection)
