"""Conflicts: records held because both sides changed, resolved side by side."""

import streamlit as st

from ui import conflict_queue, loaders
from ui.context import open_or_stop, organisation, store_key

open_or_stop()
org, store = organisation(), store_key()
st.title("Conflicts")
conflict_queue.queue("cf", store, org, loaders.connections(store, org))
