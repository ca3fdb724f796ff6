"""Record issues: records a vendor refuses or ToothPick cannot read, by cause, to act on."""

import streamlit as st

from ui import issue_queue, loaders
from ui.context import open_or_stop, organisation, store_key

open_or_stop()
org, store = organisation(), store_key()
st.title("Record issues")
issue_queue.queue("iss", store, org, loaders.connections(store, org))
