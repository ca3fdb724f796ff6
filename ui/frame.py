"""What frames every page: the theme's extra CSS and the sidebar (organisation,
one line of system health)."""

from __future__ import annotations

import streamlit as st

from core.errors import ToothpickError
from ui import loaders, status_card
from ui.context import organisation, store_key
from ui.text import md

_CSS = """
<style>
.tp-badge { display: inline-block; padding: 1px 10px; border-radius: 999px; font-weight: 700;
  font-size: 0.8rem; letter-spacing: 0.02em; margin-right: 0.5rem; line-height: 1.6rem;
  white-space: nowrap; }
.tp-card-head { display: flex; align-items: center; flex-wrap: wrap; gap: 0.15rem; }
.tp-card-name { font-weight: 600; font-size: 1.05rem; overflow-wrap: anywhere; }
.tp-diff { overflow-x: auto; margin-bottom: 0.75rem; }
.tp-diff table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
.tp-diff th, .tp-diff td { border-bottom: 1px solid #e2e8f0; padding: 6px 10px; text-align: left;
  vertical-align: top; overflow-wrap: anywhere; }
.tp-diff thead th { background: #f1f5f9; }
.tp-diff tr.tp-differs { background: #fef3c7; }
.tp-mark { color: #92400e; font-weight: 700; font-size: 0.75rem; white-space: nowrap; }
@media (max-width: 640px) {
  [data-testid="stMainBlockContainer"] { padding-left: 0.9rem; padding-right: 0.9rem;
    padding-top: 3.5rem; }
  h1 { font-size: 1.7rem !important; }
}
</style>
"""


def styles() -> None:
    st.html(_CSS)


def sidebar() -> None:
    org = organisation()
    with st.sidebar:
        st.markdown("### :material/hub: ToothPick Integration Hub")
        st.caption(f"Organisation: **{md(org)}**")
        try:
            views = loaders.statuses(store_key(), org)
        except ToothpickError as exc:
            st.error(md(f"Store unavailable: {exc}"), icon=":material/error:")
            return
        if not views:
            st.caption("System health: no connections yet.")
            return
        failing = sum(v.health.value in {"failing", "needs_reconnect"} for v in views)
        icon = ":red[:material/error:]" if failing else ":green[:material/check_circle:]"
        st.markdown(f"{icon} **System health:** {status_card.health_summary(views)}")
