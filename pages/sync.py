"""Sync: run a connection now with the advanced options, follow it, read the history."""

import streamlit as st

from ui import sync_panel
from ui.context import open_or_stop, organisation, store_key

open_or_stop()
st.title("Sync")
st.caption(
    "Syncs are queued and a worker runs them; this page follows the run live. "
    "A dry run reports what would change and writes nothing."
)
sync_panel.panel("sync", store_key(), organisation())
