"""Putting user and vendor text on a page safely.

Every Streamlit element that takes a string body (markdown, caption, the alert boxes,
widget labels, radio options) reads it as Markdown, with Streamlit's own directives
(`:red[...]`, `:material/icon:`, `$latex$`) on top. Data goes through `md` before it
meets any of them: every ASCII punctuation character is backslash-escaped (CommonMark
allows that for all of them), so no link, image, emphasis, HTML tag, directive or
formula can start from data, and control/direction characters are shown as escapes.

Escaping is not enough for one thing: Streamlit's GFM support turns any text that looks
like an address (`http://…`, `www.…`, `name@host.tld`) into a link *after* parsing,
escapes or not. A word joiner (U+2060, invisible, no line break) after the scheme, the
`www` or the `@` stops the match, so the address is shown, never linked.
"""

from __future__ import annotations

import html
import re

from core.text_safety import visible

_MARKDOWN_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")
_LINE_BREAK = re.compile(r"\r?\n[ \t]*")
_LINK_LIKE = re.compile(r"(?i)(\b(?:https?|ftp|mailto|xmpp|www)(?=[:.])|@)")
_WORD_JOINER = "\u2060"


def md(text: str | None) -> str:
    """Escape text (connection names, vendor messages) for Streamlit markdown."""
    unlinked = _LINK_LIKE.sub(lambda m: m.group(1) + _WORD_JOINER, visible(text))
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", unlinked)
    return _LINE_BREAK.sub("  \n", escaped)


def h(text: str | None) -> str:
    """Escape text for the few places that render HTML inside markdown.

    A blank line ends a raw HTML block and Markdown parsing resumes after it, so
    line breaks become `<br>` and cannot let data out of the block. Streamlit still
    reads `:material/icon:` codes in the block's text: a word joiner after every colon
    keeps them text.
    """
    escaped = html.escape(visible(text)).replace(":", ":" + _WORD_JOINER)
    return _LINE_BREAK.sub("<br>", escaped)


def shorten(text: str | None, limit: int = 160) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
