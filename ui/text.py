"""Putting user and vendor text on a page safely."""

from __future__ import annotations

import html
import re

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~:$<])")


def md(text: str | None) -> str:
    """Escape text (connection names, vendor messages) for Streamlit markdown."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text or "")


def h(text: str | None) -> str:
    """Escape text for the few places that render HTML."""
    return html.escape(text or "")


def shorten(text: str | None, limit: int = 160) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
