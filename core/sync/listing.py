"""The ids a full read returned, kept small until the read's sweep and reconciliation.

Every stream of a full sync keeps its listing until it has read its last page.
As a set of strings that is about 110 bytes an id: at 10,000 records per
entity, with 80 streams in flight, some 90 MB of the worker's peak
(bench/throughput_bench.py --profile rss). Here an id is its 64-bit hash in an
array, 8 bytes, and a set is built only for the sweep's own lookups.

Two ids of one entity with the same hash would make one count for both: the
sweep would keep a purged record until the next full sync, whose process hashes
differently (PYTHONHASHSEED), and reconciliation would count one fewer listed
record and look for it. With 64 bits the chance is about n² / 2⁶⁵: 3 in 10¹²
for 10,000 ids, 3 in 10⁸ for a million.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable


class ListedIds:
    def __init__(self) -> None:
        self._hashes = array("q")  # in read order; a page read twice adds its ids twice

    def add(self, ids: Iterable[str]) -> None:
        self._hashes.extend(map(hash, ids))

    def __len__(self) -> int:
        """How many distinct ids were listed."""
        return len(set(self._hashes))

    def contains(self) -> Callable[[str], bool]:
        """A membership test over the listing as it is now, for a sweep of the stored ids."""
        hashes = frozenset(self._hashes)
        return lambda external_id: hash(external_id) in hashes
