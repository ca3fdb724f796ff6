"""Reads of objects wider than a request URL: field groups read by id and merged.

Three vendors take a read's field list in the URL: Salesforce (the SOQL select list in
`q`), HubSpot (the list's `properties`) and Zoho (`fields`, at most 50 names). An object
with a thousand mapped custom fields makes that URL longer than the vendor's front door
takes (Salesforce answers 414 past 16,384 bytes; see sandbox/README.md for each vendor),
so the list is split: each page is read with the fields that fit (the key and the
modified stamp always among them), and the other groups are read for the page's ids
(SOQL `Id IN (...)`, HubSpot's batch read with the names in its body, Zoho's `ids`) and
merged into the page's records by id. A list that fits is one group: the read is the
usual one, with no extra call.

Why no library: the split depends on each vendor's URL grammar (what a name costs once
encoded, what else the URL carries); what is shared is the grouping and the merge.

A record changed between its page and a group's read carries the group's newer values
under the page's older stamp; the next incremental read takes it again (its stamp moved
on), so the hub ends with the vendor's record. A record gone by then keeps the values
its page had.

>>> split_fields(["Id", "A", "B", "C"], keep=["Id"], page_room=3, group_room=2,
...              cost=len).page, split_fields(["Id", "A", "B", "C"], keep=["Id"],
...              page_room=3, group_room=2, cost=len).rest
(['Id', 'A'], (['B', 'C'],))
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FieldGroups:
    """`page`: asked for on each page request; `rest`: each read by id for a page."""

    page: list[str]
    rest: tuple[list[str], ...] = ()


def split_fields(
    names: Sequence[str],
    *,
    keep: Sequence[str] = (),
    page_room: int,
    group_room: int | None,
    cost: Callable[[str], int],
    most: int | None = None,
) -> FieldGroups:
    """Names in URL-sized groups: the page group takes `keep` and then names in order
    while their `cost` (characters in the URL, separator included) fits `page_room` and
    their count `most`; the others fill groups of `group_room` (None: no limit, the
    names travel in a body) and `most`, in order."""
    names = list(dict.fromkeys(names))
    if sum(cost(n) for n in names) <= page_room and (most is None or len(names) <= most):
        return FieldGroups(names)
    page = [n for n in dict.fromkeys(keep) if n in names]
    used = sum(cost(n) for n in page)
    waiting = [n for n in names if n not in page]
    while waiting and used + cost(waiting[0]) <= page_room and (most is None or len(page) < most):
        used += cost(waiting[0])
        page.append(waiting.pop(0))
    rest: list[list[str]] = []
    group: list[str] = []
    used = 0
    for name in waiting:
        full = (group_room is not None and used + cost(name) > group_room) or (
            most is not None and len(group) >= most
        )
        if group and full:
            rest.append(group)
            group, used = [], 0
        if group_room is not None and cost(name) > group_room:
            raise ValueError(f"the field name {name!r} alone is longer than a request URL takes")
        group.append(name)
        used += cost(name)
    if group:
        rest.append(group)
    return FieldGroups(page, tuple(rest))


def merge_groups(
    records: list[Any],
    groups: FieldGroups,
    *,
    key: Callable[[Any], Any],
    read: Callable[[list[str], list[str]], Iterable[Any]],
    merge: Callable[[Any, Any], None] = lambda target, found: target.update(found),
) -> list[Any]:
    """The page's records with every group of `rest` read for their ids (`read(ids,
    names)`) and merged in by id (`merge(record, found)`); no call when there is none."""
    if not groups.rest or not records:
        return records
    by_id: dict[str, Any] = {}
    for record in records:
        found = key(record) if isinstance(record, Mapping) else None
        if found not in (None, ""):
            by_id[str(found)] = record
    ids = list(by_id)
    for names in groups.rest:
        for found in read(ids, names):
            target = by_id.get(str(key(found))) if isinstance(found, Mapping) else None
            if target is not None:
                merge(target, found)
    return records
