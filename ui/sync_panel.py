"""The Sync page's body (also the demo's Sync tab): pick a connection, set the
options, press Sync now, watch it, read the history."""

from __future__ import annotations

import streamlit as st

from core.errors import ToothpickError
from core.models import ConnectionStatus
from ui import loaders, run_history, sync_control, systems
from ui.context import service
from ui.text import md


def panel(prefix: str, store: str, org: str, *, default_connection_id: str | None = None) -> None:
    connections = loaders.connections(store, org)
    if not connections:
        st.info(
            "No connections to sync yet. Add one on the **Connections** page.",
            icon=":material/add_link:",
        )
        return
    by_id = {c.id: c for c in connections}
    ids = list(by_id)
    chosen = st.selectbox(
        "Connection",
        ids,
        index=ids.index(default_connection_id) if default_connection_id in by_id else 0,
        format_func=lambda cid: f"{by_id[cid].name} · {systems.short(by_id[cid].system)}",
        key=f"{prefix}_conn",
    )
    connection = by_id[chosen]
    if connection.status is ConnectionStatus.DISABLED:
        st.warning(
            "This connection is disabled: enable it on the Connections page to sync it.",
            icon=":material/pause_circle:",
        )
    try:
        info = service().connections.system(connection.system)
    except ToothpickError as exc:
        st.warning(md(f"This connection cannot sync here: {exc}"), icon=":material/block:")
    else:
        sync_control.options_form(prefix, org, connection, info)
    sync_control.live_run(prefix, org, connection.id)
    st.subheader("History", anchor=False)
    only_this = st.toggle("Only this connection", value=True, key=f"{prefix}_only")
    run_history.history(
        prefix, store, org, connections, connection_id=connection.id if only_this else None
    )
