"""Connections: the list (a click opens one connection's page) and connecting a system."""

import streamlit as st

from ui import connection_form, connection_list, loaders, notification_channels
from ui.context import open_or_stop, organisation, settings, store_key

open_or_stop()
org, store = organisation(), store_key()
st.title("Connections")
views = loaders.statuses(store, org)
if views:
    connection_list.table("con_list", views, settings().sync_interval_hours)
else:
    st.info(
        "No connections yet. Connect your ERP or CRM below; try it first against the "
        "built-in sandbox (see the Demo page).",
        icon=":material/add_link:",
    )
st.subheader("Connect a system", anchor=False)
connection_form.connect_form("con_new", org)
notification_channels.channels("con", org)
