"""Demo: the whole product on sandbox connections, tab by tab (the seed's /demo/integrations)."""

import streamlit as st

from core.models import System
from ui import (
    connection_form,
    dashboard,
    demo_docs,
    loaders,
    log_filters,
    log_table,
    sync_panel,
)
from ui.context import open_or_stop, organisation, store_key
from ui.demo_seed import seed_button

service = open_or_stop()
org, store = organisation(), store_key()
st.title("Integrations demo")
st.caption(
    "A sandbox connection for every supported system. The 30 days of history behind the "
    "charts, logs and past runs are generated when the demo is seeded; Test, Sync and "
    "Connect call the local sandbox live, so new runs and log entries are real."
)
connections = loaders.connections(store, org)
hubspot = next((c.id for c in connections if c.system is System.HUBSPOT), None)
seed_button("demo", org, connections)
overview, connect, sync, logs, docs = st.tabs(
    ["Overview", "Connect", "Sync", "Logs", "Architecture & API"], key="demo_tabs"
)
with overview:
    dashboard.overview("demo_ov", store, org)
with connect:
    st.markdown(
        "Connect a system exactly as a customer would, against the local sandbox: the "
        "form fills in the sandbox's address and demo credentials itself. Press **Save "
        "connection**: it is tested first, then saved."
    )
    connection_form.connect_form(
        "demo_new",
        org,
        default_system=System.HUBSPOT,
        presets={
            info.system: service.admin.sandbox_preset(info.system)
            for info in service.connections.systems()
        },
        default_name="HubSpot (my test)",
        sandbox_secrets={
            info.system: service.admin.sandbox_credentials(info.system)
            for info in service.connections.systems()
        },
    )
with sync:
    sync_panel.panel("demo_sync", store, org, default_connection_id=hubspot)
with logs:
    log_filters.form("demo_logs", connections)
    log_table.table("demo_logs", store, org, connections)
with docs:
    demo_docs.show(service.connections.systems())
