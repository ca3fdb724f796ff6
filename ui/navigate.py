"""Opening one connection's page from anywhere: a table row clicked, a card's link.

The page reads the connection from the URL (`/connection?id=…`), so a link can be
shared and the browser's back button works. A clicked row opens the page at once;
the table's key changes afterwards so that coming back shows it unselected
(a dataframe keeps its selection in the session, and a kept selection would
open the page again).
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from ui.text import md

CONNECTION_PAGE = "pages/connection.py"
_PARAM = "id"


def open_connection(connection_id: str) -> None:
    st.switch_page(CONNECTION_PAGE, query_params={_PARAM: connection_id})


def link(connection_id: str, label: str = "Open connection", *, key: str | None = None) -> None:
    """A link to the connection page (a real link: it opens in a new tab too)."""
    del key  # page links need no key; kept for call sites that name one
    st.page_link(
        CONNECTION_PAGE,
        label=md(label),  # a link's label is Markdown; connection names are data
        icon=":material/open_in_new:",
        query_params={_PARAM: connection_id},
    )


def chosen_connection() -> str | None:
    value = st.query_params.get(_PARAM)
    return value or None


def _key(prefix: str) -> str:
    return f"{prefix}_rows_{st.session_state.get(f'{prefix}_rows_gen', 0)}"


def forget_selection(prefix: str) -> None:
    """The next render of this table starts with no row selected."""
    st.session_state[f"{prefix}_rows_gen"] = st.session_state.get(f"{prefix}_rows_gen", 0) + 1


def picked_row(prefix: str, rows: list[dict[str, Any]], **options: Any) -> int | None:
    """The table, one row selectable by clicking it; the clicked row's index or None."""
    event = st.dataframe(
        rows,
        hide_index=True,
        width="stretch",
        key=_key(prefix),
        on_select="rerun",
        selection_mode="single-row",
        **options,
    )
    picked = list(event.selection.rows) if event is not None else []
    return int(picked[0]) if picked else None
