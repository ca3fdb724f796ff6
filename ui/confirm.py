"""The second step of an action that cannot simply be repeated or undone (deleting a
connection, deleting a record): the question in words, then "Yes, delete it" or "Keep it".

The first click stores what it is about under `{key}_confirm`; the box shows while that
is still the thing on screen, so a question never outlives the row it was asked about.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st


def ask(key: str, about: object) -> None:
    """The first click: ask about `about` (the connection's id, the record's key)."""
    st.session_state[f"{key}_confirm"] = about


def asking(key: str, about: object) -> bool:
    return bool(st.session_state.get(f"{key}_confirm") == about)


def forget(key: str) -> None:
    st.session_state.pop(f"{key}_confirm", None)


def box(key: str, question: str, on_yes: Callable[..., None], args: tuple[Any, ...]) -> None:
    """`question` is shown as Markdown: escape what came from a vendor or a person."""
    with st.container(border=True, key=f"{key}_confirm_box"):
        st.warning(question, icon=":material/delete_forever:")
        yes, no = st.columns(2)
        yes.button(
            "Yes, delete it", key=f"{key}_confirm_yes", type="primary", on_click=on_yes, args=args
        )
        if no.button("Keep it", key=f"{key}_confirm_no"):
            forget(key)
            st.rerun()
