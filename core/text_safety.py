"""Text from vendors, files and users is data: shown as it is, never interpreted.

Three surfaces interpret text, and each gets one function here (the dashboard's
Markdown escaping lives in `ui.text`, built on `visible`):

- a terminal interprets control characters (ESC starts colour codes, cursor moves and
  OSC-8 hyperlinks) and right-to-left overrides reorder what follows them; `visible`
  writes both as `\\u202e`-style escapes, so what the operator reads is what was sent;
- a spreadsheet interprets a CSV cell starting with `=`, `+`, `-`, `@`, tab or CR as a
  formula; `spreadsheet_cell` prefixes such a cell with a single quote, as OWASP's
  CSV-injection guidance says (a JSON export is data already and stays exact);
- Rich interprets `[bold]`-style markup: the CLI prints data through consoles built
  with `markup=False` (see core.cli.common), so nothing here is needed for it.

>>> visible("invoice\\u202egpj.exe\\x1b[31m")
'invoice\\\\u202egpj.exe\\\\x1b[31m'
>>> spreadsheet_cell("=cmd|' /C calc'!A0")
"'=cmd|' /C calc'!A0"
>>> spreadsheet_cell("-2+3"), spreadsheet_cell("plain")
("'-2+3", 'plain')
"""

from __future__ import annotations

import re

# C0 controls except tab and newline, DEL, C1 controls; bidirectional embeddings,
# overrides and isolates; the line and paragraph separators (which some renderers
# treat as newlines that a one-line field should not have).
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)
_FORMULA_LEAD = ("=", "+", "-", "@", "\t", "\r")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str | None) -> str:
    """Control and direction-changing characters written out as escapes."""
    return _INVISIBLE.sub(_escape, text or "")


def spreadsheet_cell(value: object) -> object:
    """A CSV cell a spreadsheet will not evaluate (non-text values pass through)."""
    if isinstance(value, str) and value.startswith(_FORMULA_LEAD):
        return "'" + value
    return value
