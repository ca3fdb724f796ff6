"""Overview: KPI tiles, charts, open alerts and a live status card per connection."""

import streamlit as st

from ui import dashboard
from ui.context import open_or_stop, organisation, store_key

open_or_stop()
st.title("Overview")
st.caption("How every connection is doing: success, speed, volume and errors.")
dashboard.overview("ov", store_key(), organisation())
