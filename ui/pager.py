"""Server-side pagination controls: the store returns one page and the total count."""

from __future__ import annotations

import streamlit as st

PAGE_SIZES = (25, 50, 100)


def offset_and_limit(prefix: str) -> tuple[int, int]:
    limit = int(st.session_state.get(f"{prefix}_size", PAGE_SIZES[0]))
    page = int(st.session_state.get(f"{prefix}_page", 1))
    return (max(page, 1) - 1) * limit, limit


def reset(prefix: str) -> None:
    st.session_state[f"{prefix}_page"] = 1


def controls(prefix: str, total: int) -> None:
    """Page number and size under a table, with "x–y of total"."""
    offset, limit = offset_and_limit(prefix)
    pages = max((total + limit - 1) // limit, 1)
    if offset >= total and total:
        st.session_state[f"{prefix}_page"] = pages
        offset = (pages - 1) * limit
    first, last = (offset + 1, min(offset + limit, total)) if total else (0, 0)
    with st.container(horizontal=True, vertical_alignment="bottom", key=f"{prefix}_pager"):
        st.number_input(
            f"Page (of {pages:,})",
            min_value=1,
            max_value=pages,
            step=1,
            key=f"{prefix}_page",
            width=150,
        )
        st.selectbox(
            "Rows per page",
            PAGE_SIZES,
            key=f"{prefix}_size",
            on_change=reset,
            args=(prefix,),
            width=130,
        )
        st.markdown(f"**{first:,}–{last:,}** of **{total:,}**")
