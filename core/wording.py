"""Counted nouns in words ("1 record", "3 records"), shared by the service and the pages."""

from __future__ import annotations

_IRREGULAR = {"entry": "entries", "activity": "activities", "opportunity": "opportunities"}


def plural(count: int, noun: str, *, many: str | None = None) -> str:
    """ "1 record", "2 records", "1,204 log entries" (`many` for irregular nouns).

    >>> plural(1, "record"), plural(3, "conflict"), plural(2, "entry")
    ('1 record', '3 conflicts', '2 entries')
    """
    if count == 1:
        return f"1 {noun}"
    word = many or _IRREGULAR.get(noun) or f"{noun}s"
    return f"{count:,} {word}"
