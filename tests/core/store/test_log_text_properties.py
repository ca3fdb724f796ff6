"""Property: the free-text log filter is a literal, case-insensitive substring match.

Whatever a person types in the search box, the store neither fails nor
answers differently from the Python reference below. The alphabet and the
examples mix LIKE, regex and FTS5 query syntax (`*`, `^`, `:`, NEAR, OR, NOT),
quotes, backslashes and accented and CJK letters (whose lower and upper case
Python, SQLite-side folding and MongoDB's case-insensitive regex all agree on);
control characters are left out because no person types them into a search box.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from core.models import LogEntry
from core.store.base import Store
from core.store.queries import LogFilter
from tests.core.store.builders import ORG, OTHER_ORG, at, log

MESSAGES = (
    "Disk 100% full",
    "field user_id missing",
    "a%b and a_b",
    "path C:\\Temp\\Export",
    "quote ' and \" and `",
    "[bracket] (paren) {brace}",
    "^caret$ .dot* +plus? |pipe",
    "Ünïcode ÉTÉ naïve façade",
    "日本語のテキスト",
    "plain message",
    "%%__\\\\",
    "Sync FAILED: HTTP 503",
    'NEAR(a b) OR x AND NOT y: col:"phrase" ^start -minus pre* "',
)
ALPHABET = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 "
    "%_\\'\"`[](){}^$.*+?|:-éÉüÜïÏçÇñÑøØ日本語のテキスト"
)


def reference(messages: dict[str, str], text: str) -> list[str]:
    """What the filter must return: ids of messages containing the text, any case."""
    needle = text.strip()
    if not needle:
        return list(messages)
    return [key for key, message in messages.items() if needle.casefold() in message.casefold()]


def _swap_case(text: str, flips: list[bool]) -> str:
    return "".join(c.swapcase() if flip else c for c, flip in zip(text, flips, strict=False))


@st.composite
def substrings(draw: st.DrawFn) -> str:
    """A piece of a stored message with its letters' case flipped at random (a likely match)."""
    message = draw(st.sampled_from(MESSAGES))
    start = draw(st.integers(0, len(message) - 1))
    end = draw(st.integers(start + 1, len(message)))
    flips = draw(st.lists(st.booleans(), min_size=end - start, max_size=end - start))
    return _swap_case(message[start:end], flips)


@pytest.fixture
def stored(store: Store) -> dict[str, str]:
    entries = [log(at(minutes=n), id=f"m{n:02d}", message=m) for n, m in enumerate(MESSAGES)]
    decoy = log(at(minutes=1), id="other", organisation_id=OTHER_ORG, message=" ".join(MESSAGES))
    store.append_logs([*entries, decoy])
    return {entry.id: entry.message for entry in reversed(entries)}  # newest first


def _search(store: Store, text: str) -> tuple[list[str], int, list[LogEntry]]:
    page = store.query_logs(ORG, LogFilter(text=text), limit=100)
    return [e.id for e in page.items], page.total, list(store.iter_logs(ORG, LogFilter(text=text)))


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.one_of(st.text(alphabet=ALPHABET, max_size=12), substrings()))
@example(text="%")
@example(text="_")
@example(text="\\")
@example(text="%%")
@example(text="a_b")
@example(text="é")
@example(text="ÉTÉ")
@example(text="'")
@example(text="100%")
@example(text="*")
@example(text=".*")
@example(text='"')  # FTS5 query syntax from here on: the SQLite store's trigram index
@example(text='""')
@example(text='x" OR "y')
@example(text="NEAR(a b)")
@example(text="OR x AND")
@example(text="col:")
@example(text="pre*")
@example(text="^start")
@example(text="-minus")
@example(text='"phrase"')
@example(text="message")
def test_text_filter_matches_the_python_reference(
    store: Store, stored: dict[str, str], text: str
) -> None:
    ids, total, exported = _search(store, text)

    expected = reference(stored, text)
    assert ids == expected
    assert total == len(expected)
    assert [e.id for e in exported] == expected
