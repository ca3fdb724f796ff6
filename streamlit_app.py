"""The dashboard's entry point: routes and frames every page (pages/ only compose ui/)."""

import streamlit as st

st.set_page_config(page_title="ToothPick Integration Hub", page_icon="🦷", layout="wide")

overview = st.Page("pages/overview.py", title="Overview", url_path="overview", default=True)
st.navigation([overview]).run()
