"""One connection whole: its health and why, last and next sync, its entities with
their counts and cursors, its runs, its logs, its records, its open conflicts and
alerts, and the actions (sync, test, edit, disable, delete).

Every value that comes from data (names, vendor messages, cursors) is shown as
plain text (st.text, st.metric, dataframe cells) or escaped.
"""

from __future__ import annotations

import streamlit as st

from core.errors import NotFoundError, RunAlreadyActiveError, ToothpickError
from core.models import Alert, ConflictStatus, Role
from core.schemas import ConnectionDetail, ConnectionPublic
from core.wording import plural
from ui import (
    conflict_diff,
    conflict_followup,
    connection_list,
    connection_records,
    feedback,
    field_mapping,
    loaders,
    log_table,
    navigate,
    pager,
    run_history,
    sync_control,
    systems,
)
from ui import format as fmt
from ui.context import allows, service
from ui.settings_inputs import DIRECTIONS, POLICIES
from ui.text import md


def _sync_now(prefix: str, org: str, connection: ConnectionPublic) -> None:
    key = f"{prefix}_quick"
    feedback.clear(key)
    try:
        run = service().syncs.queue_sync(org, connection.id)
    except RunAlreadyActiveError as exc:
        st.session_state[sync_control.run_key(prefix)] = exc.run_id
        feedback.put(key, feedback.Outcome(False, str(exc)))
        return
    except ToothpickError as exc:
        feedback.put(key, feedback.Outcome(False, f"Queueing the sync failed: {exc}"))
        return
    st.session_state[sync_control.run_key(prefix)] = run.id
    loaders.forget_writes()
    feedback.put(key, feedback.Outcome(True, f"Queued a sync of “{connection.name}”."))


def _facts(detail: ConnectionDetail) -> None:
    view, c = detail.status, detail.status.connection
    st.caption(
        md(
            f"{systems.label(c.system)} · {DIRECTIONS[c.direction]} · "
            f"when both sides changed: {POLICIES[c.conflict_policy].lower()}"
        )
    )
    with st.container(horizontal=True, vertical_alignment="center", key="cp_health"):
        st.markdown(systems.health_markdown(view.health), width="content")
        st.text(view.health_reason, width="stretch")
    with st.container(horizontal=True, wrap=True, key="cp_facts"):
        last = view.last_run
        st.metric(
            "Last sync",
            fmt.relative(last.finished_at or last.created_at) if last else "never",
            border=True,
            width=170,
        )
        st.metric(
            "Next sync",
            fmt.relative(view.next_sync_at) if view.next_sync_at else "not scheduled",
            border=True,
            width=170,
        )
        st.metric("Records held", fmt.number(view.records_total), border=True, width=170)
        st.metric("Open conflicts", f"{detail.open_conflicts:,}", border=True, width=170)
    if view.last_error:
        st.text(f"Last error: {view.last_error}")


def _entities(detail: ConnectionDetail) -> None:
    if not detail.entities:
        st.caption("No entities chosen for this connection.")
        return
    rows = [
        {
            "Entity": state.entity.value,
            "Records": state.records,
            "Resumes from": state.cursor or "the beginning",
            "Last full read": fmt.timestamp(state.last_full_sync_at),
            "Position saved": fmt.relative(state.updated_at) if state.updated_at else "never",
        }
        for state in detail.entities
    ]
    st.dataframe(rows, hide_index=True, width="stretch")
    st.caption("“Resumes from” is the vendor's cursor: the next incremental sync reads after it.")


def _conflicts(prefix: str, store: str, org: str, connection: ConnectionPublic) -> None:
    feedback.show(f"{prefix}_cf_resolve")
    conflict_followup.offer(f"{prefix}_cf_resolve", org)
    offset, limit = pager.offset_and_limit(f"{prefix}_cf")
    page = loaders.conflicts(
        store, org, ConflictStatus.OPEN, offset, limit, connection_id=connection.id
    )
    if not page.total:
        st.caption("No records of this connection wait for a decision.")
        return
    verb = "waits" if page.total == 1 else "wait"
    st.text(f"{plural(page.total, 'record')} {verb} for a decision. Click one to review it.")
    rows = [
        {
            "Held": fmt.relative(c.detected_at),
            "Entity": c.entity.value,
            "Record": c.external_id,
            "Kind": conflict_diff.kind_words(c),
            "Differing fields": ", ".join(c.differing_fields),
        }
        for c in page.items
    ]
    picked = navigate.picked_row(f"{prefix}_cf", rows)
    pager.controls(f"{prefix}_cf", page.total)
    if picked is not None and picked < len(page.items):
        with st.container(border=True, key=f"{prefix}_cf_detail"):
            conflict_diff.detail(f"{prefix}_cf", org, page.items[picked], connection.name)


def _alerts(alerts: list[Alert]) -> None:
    if not alerts:
        st.caption("No open alerts for this connection.")
        return
    rows = [
        {
            "Severity": a.severity.value,
            "Alert": a.message,
            "Seen": fmt.relative(a.last_seen_at),
            "Times": a.count,
        }
        for a in alerts
    ]
    st.dataframe(rows, hide_index=True, width="stretch")
    st.caption("Acknowledge alerts on the Overview page.")


def show(prefix: str, store: str, org: str, connection_id: str | None) -> None:
    if connection_id is None:
        st.info("Choose a connection on the Connections page.", icon=":material/link:")
        st.page_link("pages/connections.py", label="Connections", icon=":material/link:")
        return
    try:
        detail = service().monitoring.connection_detail(org, connection_id)
    except NotFoundError:
        connection_list.outcome(prefix)  # e.g. "Deleted …" after the delete button
        st.info("This connection no longer exists.", icon=":material/link_off:")
        st.page_link("pages/connections.py", label="All connections", icon=":material/link:")
        return
    connection = detail.status.connection
    st.title(md(connection.name), anchor=False)
    _facts(detail)
    if allows(Role.OPERATOR):
        with st.container(horizontal=True, key=f"{prefix}_quick_actions"):
            st.button(
                "Sync now",
                key=f"{prefix}_sync_now",
                type="primary",
                icon=":material/sync:",
                on_click=_sync_now,
                args=(prefix, org, connection),
            )
    feedback.show(f"{prefix}_quick")
    sync_control.live_run(prefix, org, connection.id)
    connections = loaders.connections(store, org)
    alerts = [a for a in loaders.alerts(store, org) if a.connection_id == connection.id]
    entities, mapping, runs, logs, records, review, manage = st.tabs(
        [
            "Entities",
            "Field mapping",
            "Runs",
            "Logs",
            "Records",
            f"Conflicts and alerts ({detail.open_conflicts + len(alerts)})",
            "Test, edit, disable, delete",
        ],
        key=f"{prefix}_tabs",
    )
    with entities:
        _entities(detail)
    with mapping:
        field_mapping.tab(org, connection)
    with runs:
        run_history.history(
            prefix, store, org, connections, connection_id=connection.id, link_connection=False
        )
    with logs:
        log_table.table(f"{prefix}_logs", store, org, connections, connection_id=connection.id)
    with records:
        connection_records.panel(prefix, org, connection)
    with review:
        st.subheader("Open conflicts", anchor=False)
        _conflicts(prefix, store, org, connection)
        st.subheader("Open alerts", anchor=False)
        _alerts(alerts)
    with manage:
        connection_list.manage(prefix, org, connection)
