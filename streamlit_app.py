"""The dashboard's entry point: frames every page and routes (pages/ only compose ui/)."""

import streamlit as st

from core.errors import ToothpickError
from ui import context, frame, login
from ui.text import md

st.set_page_config(
    page_title="ToothPick Integration Hub",
    page_icon="🦷",
    layout="wide",
    initial_sidebar_state="auto",
)

PAGES = {
    "Monitor": [
        st.Page(
            "pages/overview.py",
            title="Overview",
            icon=":material/dashboard:",
            url_path="overview",
            default=True,
        ),
        st.Page("pages/logs.py", title="Logs", icon=":material/receipt_long:", url_path="logs"),
    ],
    "Operate": [
        st.Page("pages/sync.py", title="Sync", icon=":material/sync:", url_path="sync"),
        st.Page(
            "pages/conflicts.py",
            title="Conflicts",
            icon=":material/call_split:",
            url_path="conflicts",
        ),
        st.Page(
            "pages/issues.py",
            title="Record issues",
            icon=":material/report:",
            url_path="issues",
        ),
        st.Page(
            "pages/connections.py",
            title="Connections",
            icon=":material/link:",
            url_path="connections",
        ),
        st.Page(
            "pages/connection.py",
            title="Connection",
            icon=":material/settings_ethernet:",
            url_path="connection",
            visibility="hidden",  # opened from a row, a card or a link, with ?id=
        ),
    ],
    "Showcase": [
        st.Page("pages/demo.py", title="Demo", icon=":material/play_circle:", url_path="demo"),
    ],
}

try:  # bad settings, a locked or newer database, a wrong key: one line, not a traceback
    context.handle()
except ToothpickError as exc:
    st.error(md(f"The hub cannot start: {exc}"), icon=":material/error:")
    st.stop()

login.require_sign_in()  # production only: OIDC (st.login) or the hub's own users

page = st.navigation(PAGES)
frame.styles()
frame.sidebar()
page.run()
