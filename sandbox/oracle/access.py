"""Finding and listing Oracle resource items in the sandbox's collections.

Path keys are either an attribute (HeaderId or OrderKey, PartyNumber) or the
opaque hash of a composite key; both resolve to the sandbox record id. Lists
take `q`, `orderBy`, `offset` and `limit`; a client walking offsets page by
page resumes from a remembered position, so deep pages cost O(limit).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator
from itertools import islice
from typing import Any

from sandbox.core import Collection, Entry, Order, Tenant
from sandbox.core.id_window import id_window, index_ordered
from sandbox.oracle.q import Query, typed
from sandbox.oracle.render import Renderer, unhash
from sandbox.oracle.resources import Resource

_REMEMBERED = 256


def record_id(resource: Resource, key: str) -> str | None:
    """The sandbox id behind a path key, or None when the key cannot be one of ours."""
    if resource.key != "hash":
        if resource.name == "salesOrdersForOrderHub" and ":" in key:
            return _order_by_key(key)
        return key
    values = unhash(key)
    if values is None or len(values) != len(resource.hash_of):
        return None
    parts = dict(zip(resource.hash_of, values, strict=True))
    if resource.name == "itemsV2":
        return parts["ItemId"]
    return f"{parts['InventoryItemId']}_{parts['SubinventoryCode']}_{parts['LocatorId']}"


def _order_by_key(order_key: str) -> str | None:
    system, _, source = order_key.partition(":")
    if system == "OPS" and source.startswith("R13_") and source[4:].isdigit():
        return str(300000100000000 + int(source[4:]))
    return None


def find(tenant: Tenant, resource: Resource, key: str, renderer: Renderer) -> Entry | None:
    found_id = record_id(resource, key)
    collection = tenant.collection(resource.name)
    entry = collection.get(found_id) if found_id else None
    if entry is None and resource.name == "salesOrdersForOrderHub" and ":" in key:
        entry = next((e for e in collection.scan() if e.fields.get("OrderKey") == key), None)
    if entry is not None and resource.key == "hash" and renderer.path_key(resource, entry) != key:
        return None
    if entry is not None and resource.name == "salesOrdersForOrderHub" and ":" in key:
        return entry if entry.fields.get("OrderKey") == key else None
    return entry


def page(
    tenant: Tenant,
    resource: Resource,
    query: Query | None,
    q_text: str,
    order: tuple[tuple[str, bool], ...],
    offset: int,
    limit: int,
) -> tuple[list[Entry], bool]:
    """Up to `limit` entries from `offset`, and whether more follow."""
    collection = tenant.collection(resource.name)
    predicate = query.predicate if query else None

    def matches(entry: Entry) -> bool:
        return predicate is None or predicate(_getter(resource, entry))

    by_id = len(order) == 1 and order[0][0] == resource.id_attr and _ordered(resource, collection)
    native = (
        not order
        or by_id
        or order == (("LastUpdateDate", False),)
        or order == (("LastUpdateDate", True),)
    )
    if not native:
        everything = [e for e in collection.scan() if matches(e)]
        for name, descending in reversed(order):
            attr = resource.index[name]
            everything.sort(
                key=lambda e, a=attr: _sort_key(a.type, Renderer.value(a, e.fields, e)),  # type: ignore[misc]
                reverse=descending,
            )
        found = everything[offset : offset + limit + 1]
        return found[:limit], len(found) > limit
    kind: Order = "modified" if order and not by_id else "index"
    descending = bool(order and order[0][1])
    since = query.since_ms if query else None
    # An offset means "that many matching records in", so a position is good only for
    # the data it was found in: a remembered one from before a write would serve records
    # from a shifted place (and a listing that trusts totalResults would end short).
    signature = (resource.name, id(collection), collection.version, q_text, order)
    remembered: OrderedDict[Any, dict[int, Any]] = tenant.extras.setdefault(
        "oracle.positions", OrderedDict()
    )
    known = remembered.get(signature, {})
    start = max((n for n in known if n <= offset), default=0)
    entries: Iterator[Entry] = collection.scan(
        order=kind,
        after=known.get(start) if start else None,
        since_ms=since,
        descending=descending,
        window=_window(resource, collection, query),
    )
    found = list(
        islice((e for e in entries if matches(e)), offset - start, offset - start + limit + 1)
    )
    taken = found[:limit]
    if taken:
        remembered.setdefault(signature, {})[offset + len(taken)] = Collection.key_of(
            taken[-1], kind
        )
        remembered.move_to_end(signature)
        while len(remembered) > _REMEMBERED:
            remembered.popitem(last=False)
    return taken, len(found) > limit


def _sort_key(kind: str, value: Any) -> tuple[bool, Any]:
    converted = typed(kind, value)
    return (converted is None, converted if converted is not None else 0)


def count(tenant: Tenant, resource: Resource, query: Query | None) -> int:
    collection = tenant.collection(resource.name)
    if query is None:
        return collection.count_matching()
    window = _window(resource, collection, query)
    if window is not None and query.id_only:  # the key's index answers it
        return collection.count_matching(query.since_ms, window=window)
    total = 0
    for entry in collection.scan(since_ms=query.since_ms, window=window):
        if query.predicate(_getter(resource, entry)):
            total += 1
    return total


def _getter(resource: Resource, entry: Entry) -> Callable[[str], Any]:
    return lambda name: Renderer.value(resource.index[name], entry.fields, entry)


def _ordered(resource: Resource, collection: Collection) -> bool:
    """Whether ordering by the id attribute is the collection's own index order."""
    assert resource.id_attr is not None
    text = resource.index[resource.id_attr].type not in ("integer", "number")
    return index_ordered(collection, text=text)


def _window(resource: Resource, collection: Collection, query: Query | None) -> range | None:
    """The indexes a range on the id attribute in `q` allows (as text for a string one,
    as numbers otherwise); the query is still applied to each record in it."""
    if query is None or resource.id_attr is None:
        return None
    text = resource.index[resource.id_attr].type not in ("integer", "number")
    return id_window(collection, query.id_low, query.id_high, text=text)
