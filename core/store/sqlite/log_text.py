"""Free-text log search through an FTS5 trigram index (schema version 11).

Why an index: the search box's filter was a literal substring test over every
log entry in the window (`instr(message_folded, ?)`), 372 ms over 30 days of a
million entries. FTS5's trigram tokenizer indexes every three-character piece
of the casefolded message, and a quoted phrase of trigrams matches exactly the
entries that contain the text as a substring, which is the filter's meaning.

- External content (`content='logs'`): the index stores no second copy of the
  messages. `add_new_rows` and `remove_rows` keep it in the same transaction as
  the append and the purge (logs are never updated), so the index can never
  disagree with logs. One set-based statement per batch rather than triggers: a
  trigger's per-row insert into FTS5 cost 4.5 times as much (22,000 rows/s of
  CPU against 97,000/s), which pulled appends under 20,000/s.
- `case_sensitive 1` over `message_folded`: the text is casefolded in Python
  (Unicode's full folding, as the rest of the filter), not by FTS5's own rules.
- Fewer than three characters have no trigram: those needles keep the scan.
- The user's text never reaches FTS5's query syntax: it is one quoted string
  (double quotes doubled), so `*`, `NEAR`, `OR`, `:`, `^` or `-` are just
  characters. It is always a bound parameter.
"""

from __future__ import annotations

import sqlite3

V11: tuple[str, ...] = (
    """CREATE VIRTUAL TABLE logs_text USING fts5(
        message_folded, content='logs', content_rowid='seq',
        tokenize='trigram case_sensitive 1'
    )""",
    "INSERT INTO logs_text (logs_text) VALUES ('rebuild')",
)

TRIGRAM = 3
_ADD = "INSERT INTO logs_text (rowid, message_folded) SELECT seq, message_folded FROM logs "
_REMOVE = (
    "INSERT INTO logs_text (logs_text, rowid, message_folded) "
    "SELECT 'delete', seq, message_folded FROM logs "
)
MATCHING = "seq IN (SELECT rowid FROM logs_text WHERE logs_text MATCH ?)"
# How many entries (of any organisation) hold the text, counting no further than `limit`.
MATCHES_UP_TO = "SELECT COUNT(*) FROM (SELECT rowid FROM logs_text WHERE logs_text MATCH ? LIMIT ?)"


def phrase(folded: str) -> str:
    """The text as one FTS5 string: `a "b" c*` -> `"a ""b"" c*"`.

    >>> phrase('timeout OR "x" NEAR(y) *')
    '"timeout OR ""x"" NEAR(y) *"'
    """
    return '"' + folded.replace('"', '""') + '"'


def indexed(folded: str) -> bool:
    """True when the index can answer for this (casefolded) text."""
    return len(folded) >= TRIGRAM


def add_new_rows(connection: sqlite3.Connection, *, after_seq: int) -> None:
    """Index the rows just appended (seq is assigned in increasing order)."""
    connection.execute(_ADD + "WHERE seq > ?", (after_seq,))


def remove_rows(connection: sqlite3.Connection, *, selection: str) -> None:
    """Unindex rows about to be deleted (`selection` is a WHERE term on logs, from module
    constants); external content needs the old text to find its trigrams."""
    connection.execute(_REMOVE + "WHERE " + selection)
