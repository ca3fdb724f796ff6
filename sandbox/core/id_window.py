"""The indexes of a collection whose ids fall in an id range, so a vendor's filter on its
key (`Id >= 'a' AND Id < 'b'`, `hs_object_id` GTE/LT, `Product ge '..'`, `ItemId < n`)
counts and pages in O(overlay + page) however large the collection is, as real vendors
answer from their key index.

The window is exact where the id format keeps index order under the comparison: numeric
ids compared as numbers, and fixed-width ids (Salesforce's base 62, zero-padded keys)
compared as text. Where it does not (ids of different widths compared as text, ids a
client chose), there is no window and the vendor scans, applying its filter to each
record as before; the vendor applies its filter inside a window too, so a window only
ever narrows what is scanned, never what matches.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sandbox.core.collection import Collection


def id_window(
    collection: Collection, low: Any = None, high: Any = None, *, text: bool
) -> range | None:
    """Indexes [start, stop) whose ids are >= low and < high (None: unbounded), ids and
    bounds compared as text (`text`) or as integers; None where no exact window exists."""
    if (low is None and high is None) or not index_ordered(collection, text=text):
        return None
    stop = collection.next_index
    fmt = collection.spec.ids.format
    key: Callable[[Any], Any] = str if text else _number
    try:
        bounds = [key(b) for b in (low, high) if b is not None]
    except ValueError:
        return None

    def first_at_or_above(bound: Any) -> int:
        lo, hi = 0, stop
        while lo < hi:
            mid = (lo + hi) // 2
            if key(fmt(mid)) < bound:
                lo = mid + 1
            else:
                hi = mid
        return lo

    it = iter(bounds)
    start = first_at_or_above(next(it)) if low is not None else 0
    end = first_at_or_above(next(it)) if high is not None else stop
    return range(start, max(start, end))


def index_ordered(collection: Collection, *, text: bool) -> bool:
    """Whether ids sort as the indexes do (compared as text, or as integers), so that
    ordering by the id is the collection's own index order."""
    stop = collection.next_index
    if stop == 0 or collection.named_ids:
        return stop == 0
    fmt = collection.spec.ids.format
    key: Callable[[Any], Any] = str if text else _number
    try:
        first, middle, last = (key(fmt(i)) for i in (0, stop // 2, stop - 1))
    except ValueError:
        return False
    if not first <= middle <= last:
        return False
    return not text or len(first) == len(middle) == len(last)


def _number(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError("not an id")
    if isinstance(value, int):
        return value
    text = str(value)
    if not text.isdigit():
        raise ValueError("not a numeric id")
    return int(text)
