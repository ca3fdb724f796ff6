"""One set of hostile strings, fed through every place that shows or exports text.

Each is what a vendor error body, an imported file or a user could put in a name,
a message or an external id. Where they are shown they must come out as the same
characters (no link, image, markup, formula or terminal control taking effect).
"""

from __future__ import annotations

# An address on this machine that nothing listens on: a request to it is the leak.
# (The browser test builds the set around a live listener instead; see `hostile_set`.)
BEACON = "http://127.0.0.1:9"
RICH = "evil[/bold] [/oops] [link=https://phish.example]here[/link] [red"
STREAMLIT = ":red[alarm] :material/warning: $x^2$ :smile: **bold** _it_ `code`"
FORMULAS = ("=cmd|' /C calc'!A0", "+SUM(1,2)", "-2+3", "@SUM(A1:A2)", "\t=1+1", "\r=1+1")
CONTROL = "a\x00b\x1b[31mred\x1b[0m\x07\x08c\x1b]8;;https://phish.example\x1b\\link\x1b]8;;\x1b\\"
RTL = "invoice\u202egpj.exe"
HUGE = "A" * (1024 * 1024)


def markdown_image(beacon: str) -> str:
    return f"![pixel]({beacon}/pixel.png) [Re-enter your token here]({beacon}/phish)"


def hostile_set(beacon: str = BEACON) -> dict[str, str]:
    """Name -> text; names are the pytest ids. Links and images point at `beacon`."""
    return {
        "markdown": markdown_image(beacon),
        "autolink": f"<{beacon}/auto> {beacon}/bare www.phish.example",
        "html": (
            f"<script>alert(1)</script><img src={beacon}/img.png onerror=alert(2)>"
            f"<a href='{beacon}/a'>click</a>\n\n![after-blank-line]({beacon}/blank.png)"
        ),
        "rich": RICH,
        "streamlit": STREAMLIT,
        **{f"formula{i}": text for i, text in enumerate(FORMULAS)},
        "control": CONTROL,
        "rtl": RTL,
        "huge": HUGE,
    }


HOSTILE = hostile_set()
MARKDOWN = HOSTILE["markdown"]

SHORT = {name: text for name, text in HOSTILE.items() if name != "huge"}
"""For fields that cap their length (connection names: 100 characters)."""


def name_sized(text: str) -> str:
    """The first 100 characters (a connection name's limit), never empty."""
    return text[:100] or "x"
