"""Connections: the list, managing one (test, edit, disable, delete), and connecting a system."""

import streamlit as st

from ui import connection_form, connection_list, loaders, notification_channels, systems
from ui.context import open_or_stop, organisation, settings, store_key

open_or_stop()
org, store = organisation(), store_key()
st.title("Connections")
connections = loaders.connections(store, org)
if connections:
    connection_list.table(connections, settings().sync_interval_hours)
    by_id = {c.id: c for c in connections}
    chosen = st.selectbox(
        "Manage",
        list(by_id),
        format_func=lambda cid: f"{by_id[cid].name} · {systems.short(by_id[cid].system)}",
        key="con_pick",
    )
    if chosen is not None:
        with st.container(border=True, key="con_manage_box"):
            connection_list.manage("con", org, by_id[chosen])
else:
    connection_list.outcome("con")
    st.info(
        "No connections yet. Connect your ERP or CRM below; try it first against the "
        "built-in sandbox (see the Demo page).",
        icon=":material/add_link:",
    )
st.subheader("Connect a system", anchor=False)
connection_form.connect_form("con_new", org)
notification_channels.channels("con", org)
