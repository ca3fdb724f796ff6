"""Logs: every audited operation, filtered and paginated in the store, exportable."""

import streamlit as st

from ui import loaders, log_filters, log_table
from ui.context import open_or_stop, organisation, store_key

open_or_stop()
org, store = organisation(), store_key()
st.title("Logs")
connections = loaders.connections(store, org)
log_filters.form("logs", connections)
log_table.table("logs", store, org, connections)
