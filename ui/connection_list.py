"""The list of connections, and managing one: test, edit, enable/disable, delete."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from core.errors import ToothpickError
from core.models import ConnectionStatus, Role
from core.schemas import ConnectionPublic, ConnectionStatusView
from ui import (
    alert_thresholds,
    confirm,
    connection_edit,
    feedback,
    loaders,
    navigate,
    run_limits,
    systems,
    vendor_calls,
)
from ui import format as fmt
from ui.context import allows, service
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


def _last_sync(view: ConnectionStatusView) -> str:
    run = view.last_run
    if run is None:
        return "never"
    return f"{fmt.relative(run.finished_at or run.created_at)}, {run.state.value}"


def table(prefix: str, views: list[ConnectionStatusView], default_hours: float) -> None:
    """Health and last sync of every connection; clicking a row opens its page."""
    rows = [
        {
            "Name": v.connection.name,
            "System": systems.label(v.connection.system),
            "Health": systems.HEALTH[v.health].word,
            "Last sync": _last_sync(v),
            "Entities": ", ".join(e.value for e in v.connection.entities),
            "Direction": v.connection.direction.value,
            "Schedule": _schedule(v.connection, default_hours),
        }
        for v in views
    ]
    picked = navigate.picked_row(prefix, rows)
    st.caption("Click a connection to open its page: health, runs, logs, conflicts, settings.")
    if picked is not None and picked < len(views):
        navigate.forget_selection(prefix)
        navigate.open_connection(views[picked].connection.id)


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
    confirm.forget(key)

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
    if not allows(Role.ADMIN):
        st.caption("Testing, editing, disabling and deleting a connection need the admin role.")
        return
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
            confirm.ask(key, connection.id)
    if confirm.asking(key, connection.id):
        confirm.box(
            key,
            f"Delete “{md(connection.name)}”? Its records, sync positions and open conflicts "
            "are removed; its runs and log entries stay. This cannot be undone.",
            _delete,
            (key, org, connection),
        )
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
    with st.expander("Retries and API budget", icon=":material/speed:"):
        run_limits.limits_form(prefix, org, connection)
