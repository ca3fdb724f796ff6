"""Narrowing a count difference to ids by bisecting the id space with the vendor's
filtered counts, so a reconciliation reads O(d · log n) counts and d small listings
for d differences among n records, instead of listing every record.

The hub's own stored ids are the split points: sorted in the vendor's id order they
are free, and their quantiles halve the hub's records, so a range is small (one
listing page) after log2(n / page) halvings however the ids are spread. A range is
the half-open id interval [lo, hi) between two stored ids (unbounded at both ends at
the top, so a vendor record below the first or above the last stored id is still in
a range). Only the left half of a differing range costs a count: the right half's is
the range's count less the left's. A range whose counts agree is left alone; a small
one is listed and its ids compared with the stored ones (missing and extra, exact).

Counts see net differences only. A range holding as many missing as extra records
(one record purged and one created that no incremental read saw, in the same range)
counts equal and is not looked into: what it holds is not found here. The net
difference, though, is always explained in full (each split's two halves sum to the
range), so a reconciliation whose counts still differ after the repair knows that
something moved meanwhile and falls back to listing. A backfill lists everything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

Bound = str | None  # an id bound of a range; None: unbounded on that side
CountRange = Callable[[Bound, Bound], int]
ListRange = Callable[[Bound, Bound], Iterable[str]]


@dataclass
class Narrowed:
    missing: list[str] = field(default_factory=list)  # the vendor lists it, the hub not
    extra: list[str] = field(default_factory=list)  # the hub holds it, the vendor not
    counts: int = 0  # filtered count calls made
    listings: int = 0  # ranges listed
    listed: int = 0  # ids those listings returned


@dataclass(frozen=True)
class _Range:
    start: int  # the stored ids of the range: held[start:stop]
    stop: int
    vendor: int  # the vendor's count of the range


def narrow_by_counts(
    held: Sequence[str],
    vendor_total: int,
    count: CountRange,
    listing: ListRange,
    *,
    leaf: int,
) -> Narrowed:
    """`held`: the hub's ids, unique and sorted in the vendor's id order; `vendor_total`:
    the vendor's count of all of them; `count(lo, hi)` / `listing(lo, hi)`: the vendor's
    live records in [lo, hi); `leaf`: the most records a range may hold to be listed."""
    if leaf < 1:
        raise ValueError("leaf must be at least 1")
    found = Narrowed()
    n = len(held)

    def bounds(r: _Range) -> tuple[Bound, Bound]:
        return (held[r.start] if r.start > 0 else None, held[r.stop] if r.stop < n else None)

    pending = [_Range(0, n, vendor_total)]
    while pending:
        r = pending.pop()
        size = r.stop - r.start
        if r.vendor == size:
            continue
        if size <= 1 or (size <= leaf and r.vendor <= leaf):
            lo, hi = bounds(r)
            listed = set(listing(lo, hi))
            found.listings += 1
            found.listed += len(listed)
            mine = held[r.start : r.stop]
            found.missing.extend(sorted(listed.difference(mine)))
            found.extra.extend(i for i in mine if i not in listed)
            continue
        middle = (r.start + r.stop) // 2
        left = _Range(r.start, middle, 0)
        lo, _ = bounds(left)
        on_left = count(lo, held[middle])
        found.counts += 1
        # right first onto the stack: ranges are looked into in id order
        pending.append(_Range(middle, r.stop, max(r.vendor - on_left, 0)))
        pending.append(_Range(r.start, middle, on_left))
    return found


def call_bound(differences: int, held: int, leaf: int) -> int:
    """The most vendor calls (counts and listings) narrowing `differences` among `held`
    records takes: per difference, one count per halving until a range fits a listing
    (plus the last halving's, when a boundary record leaves a range one short of fitting),
    and one listing."""
    depth = 0
    while -(-held // (1 << depth)) > leaf:
        depth += 1
    return differences * (depth + 2)
