"""search(): domain + active_test + order + offset/limit over one model, fast at any scale.

The two orders an integration pages with, `id` and `write_date, id` (either
direction), stream straight from the collection's index: bounds on `id` and
`write_date` in the domain's top-level AND become the scan's range, so a
keyset page (`id > N`) costs O(page) however large the table. Other orders
sort the matching ids once and keep that list, so offset paging through them
costs one sort. Either way the position reached by a page is remembered, so the
next offset page resumes instead of skipping from the start. Cached positions
are dropped as soon as the model's data changes.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Iterator
from itertools import islice
from operator import itemgetter
from typing import Any

from sandbox.core import Entry
from sandbox.odoo.db import LINES, ORDERS, OdooDb
from sandbox.odoo.domain import (
    Node,
    Predicate,
    Term,
    Tree,
    compile_tree,
    conjuncts,
    mentions,
    parse,
)
from sandbox.odoo.errors import server_error
from sandbox.odoo.values import coerce_operand

Order = list[tuple[str, bool]]  # (field, descending)
_CACHE_KEY = "odoo.search_cache"
_CACHE_SIZE = 64


def parse_order(db: OdooDb, model: str, order: Any) -> Order:
    meta = db.models[model]
    text = order if isinstance(order, str) and order.strip() else meta.order
    parts: Order = []
    for item in text.split(","):
        words = item.split()
        bad = not words or len(words) > 3 or words[0] not in meta.fields
        if not bad and len(words) > 1 and words[1].lower() not in ("asc", "desc"):
            bad = True
        if bad:
            raise server_error(
                f'Invalid "order" specified ({text}). A valid "order" specification is a '
                "comma-separated list of valid field names (optionally followed by asc/desc "
                "for the direction)"
            )
        parts.append((words[0], len(words) > 1 and words[1].lower() == "desc"))
    return parts


def with_active(db: OdooDb, model: str, domain: Any, context: dict[str, Any]) -> Tree:
    """Parse; hide archived records unless the domain names `active` or active_test=False."""
    meta = db.models[model]
    tree = parse(domain if domain is not None else [], meta, db.models)
    if meta.active and context.get("active_test", True) and not mentions(tree, "active"):
        tree = Node("&", (tree, Term(("active",), "=", True)))
    return tree


def search(
    db: OdooDb,
    model: str,
    domain: Any,
    *,
    offset: int = 0,
    limit: int | None = None,
    order: Any = None,
    context: dict[str, Any] | None = None,
) -> list[Entry]:
    tree = with_active(db, model, domain, context or {})
    spec = parse_order(db, model, order)
    offset, limit = _whole(offset, "offset") or 0, _whole(limit, "limit")
    if limit == 0:
        return []
    key = (model, repr(tree), repr(spec))
    cache: OrderedDict[Any, Any] = db.tenant.extras.setdefault(_CACHE_KEY, OrderedDict())
    stamp = _stamp(db, model)
    entry = cache.get(key)
    if entry is None or entry["stamp"] != stamp:
        entry = {"stamp": stamp, "positions": {}, "sorted": None}
    cache[key] = entry
    cache.move_to_end(key)
    while len(cache) > _CACHE_SIZE:
        cache.popitem(last=False)
    stop = None if limit is None else offset + limit
    if _streamable(model, spec):
        start, after = _resume(entry["positions"], offset)
        found = list(
            islice(
                _stream(db, model, tree, spec, after),
                offset - start,
                None if stop is None else stop - start,
            )
        )
        if found:
            entry["positions"][offset + len(found)] = _key(found[-1], spec)
        return found
    if entry["sorted"] is None:  # the rows at hand are this page: no second look-up
        rows = _sorted(db, model, tree, spec)
        entry["sorted"] = [e.id for e in rows]
        return rows[offset:stop]
    ids = entry["sorted"][offset:stop]
    return [row for i in ids if (row := db.record(model, i)) is not None]


def search_ids(
    db: OdooDb,
    model: str,
    domain: Any,
    *,
    offset: int = 0,
    limit: int | None = None,
    order: Any = None,
    context: dict[str, Any] | None = None,
) -> list[int]:
    """`search`: ids only. Every id in id order (what a deletion sweep asks) comes from
    the collection's index without generating a record, as a database answers it."""
    tree = with_active(db, model, domain, context or {})
    spec = parse_order(db, model, order)
    floor = _id_floor(tree)
    if model != LINES and floor is not None and [name for name, _desc in spec] == ["id"]:
        ids = _all_ids(db, model)
        ids = ids[bisect_right(ids, floor) :] if floor > -1 else ids
        ids = ids[::-1] if spec[0][1] else ids
        start = _whole(offset, "offset") or 0
        size = _whole(limit, "limit")
        return ids[start : None if size is None else start + size]
    found = search(db, model, domain, offset=offset, limit=limit, order=order, context=context)
    return [int(e.id) for e in found]


def count(db: OdooDb, model: str, domain: Any, context: dict[str, Any] | None = None) -> int:
    tree = with_active(db, model, domain, context or {})
    if model != LINES and _everything(tree):
        return db.collection(model).count_matching()
    return sum(1 for _ in _stream(db, model, tree, [("id", False)], None))


def _everything(tree: Tree) -> bool:
    return isinstance(tree, Node) and tree.operator == "1"


def _id_floor(tree: Tree) -> int | None:
    """-1 for "every record", n for a lone `id > n`; None for any other domain."""
    if _everything(tree):
        return -1
    if isinstance(tree, Term) and tree.path == ("id",) and tree.operator == ">":
        value = tree.value
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return None


def _all_ids(db: OdooDb, model: str) -> list[int]:
    """Every live id, ascending; kept until the model's data changes (a sweep reads it
    slice by slice, and recomputing it per slice would be quadratic)."""
    cache: dict[str, tuple[Any, list[int]]] = db.tenant.extras.setdefault("odoo.ids_cache", {})
    stamp = _stamp(db, model)
    cached = cache.get(model)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    ids = _compute_ids(db, model)
    cache[model] = (stamp, ids)
    return ids


def _compute_ids(db: OdooDb, model: str) -> list[int]:
    collection = db.collection(model)
    fmt, edited, base = collection.spec.ids.format, collection.edited, collection.count
    ids: list[int] = []
    for index in range(collection.next_index):
        if index < base and not edited(index):
            ids.append(int(fmt(index)))
        elif (found := collection.entry(index)) is not None and not found.deleted:
            ids.append(int(found.id))
    return ids


def _whole(value: Any, name: str) -> int | None:
    if value is None or value is False:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise server_error(
            f"{name} must be a non-negative integer, got {value!r}", "builtins.TypeError"
        )
    return value


def _streamable(model: str, spec: Order) -> bool:
    if model == LINES or not spec:
        return False
    fields = [name for name, _desc in spec]
    same = len({desc for _name, desc in spec}) == 1
    return same and fields in (["id"], ["write_date", "id"], ["write_date"])


def _key(found: Entry, spec: Order) -> tuple[int, int] | int:
    return (found.modified_ms, found.index) if spec[0][0] == "write_date" else found.index


def _resume(positions: dict[int, Any], offset: int) -> tuple[int, Any]:
    """The best remembered position at or before `offset` (0 and None: from the start)."""
    best = max((p for p in positions if p <= offset), default=0)
    return best, positions.get(best)


def _bounds(tree: Tree) -> dict[str, Any]:
    """since/until (ms) from write_date terms and an id window from id terms (the window
    may hold more than the terms allow: the domain is still applied to each record)."""
    found: dict[str, Any] = {}
    for part in conjuncts(tree):
        if not isinstance(part, Term) or len(part.path) != 1 or isinstance(part.value, bool):
            continue
        name, op, value = part.path[0], part.operator, part.value
        if name == "write_date" and op in (">", ">=", "<", "<=") and value is not None:
            ms = coerce_operand("datetime", value)
            if op in (">", ">="):
                since = ms + (1 if op == ">" else 0)
                found["since"] = max(found.get("since", since), since)
            else:
                until = ms + (1 if op == "<=" else 0)
                found["until"] = min(found.get("until", until), until)
        elif name == "id" and op in (">", ">=") and isinstance(value, int):
            after = value - (0 if op == ">" else 1) - 1  # the index just before the first id
            found["after"] = max(found.get("after", after), after)
        elif name == "id" and op in ("<", "<=") and isinstance(value, int):
            before = max(value - (1 if op == "<" else 0), 0)  # indexes below it, or more
            found["before"] = min(found.get("before", before), before)
    return found


def _stream(
    db: OdooDb, model: str, tree: Tree, spec: Order, after: Any, *, name_orders: bool = False
) -> Iterator[Entry]:
    matches = compile_tree(tree, db.models[model], db.models, db)
    if model == LINES:
        return _lines(db, tree, matches, name_orders)
    bounds = _bounds(tree)
    by_modified = spec[0][0] == "write_date"
    descending = spec[0][1]
    start = after
    if start is None and "after" in bounds and not by_modified and not descending:
        start = bounds["after"]
    scan = db.collection(model).scan(
        order="modified" if by_modified else "index",
        after=start,
        since_ms=bounds.get("since"),
        until_ms=bounds.get("until"),
        descending=descending,
        window=range(bounds["before"]) if "before" in bounds else None,
    )
    return (found for found in scan if matches(found))


def _lines(db: OdooDb, tree: Tree, matches: Predicate, name_orders: bool) -> Iterator[Entry]:
    """Matching lines, order by order. `name_orders`: note the display name of each order
    that has one (a sort by order_id asks for exactly those), from the order at hand:
    looking it up again would generate the order a second time."""
    for order in _line_orders(db, tree):
        found = [line for line in db.lines_of(order) if matches(line)]
        if found and name_orders:
            db.display(ORDERS, order)
        yield from found


def _line_orders(db: OdooDb, tree: Tree) -> Iterator[Entry]:
    """Orders whose lines may match: those named by an order_id term, else all of them."""
    for part in conjuncts(tree):
        if isinstance(part, Term) and part.path == ("order_id",) and part.operator in ("=", "in"):
            ids = part.value if isinstance(part.value, list | tuple) else [part.value]
            return (o for i in ids if (o := db.record(ORDERS, i)) is not None)
    return db.collection(ORDERS).scan()


def _sorted(db: OdooDb, model: str, tree: Tree, spec: Order) -> list[Entry]:
    """Each row's sort value is computed once per field: a many2one's is a display name,
    which costs a look-up of the linked record."""
    by_order = model == LINES and any(name == "order_id" for name, _desc in spec)
    rows = list(_stream(db, model, tree, [("id", False)], None, name_orders=by_order))
    for name, descending in reversed(spec):  # stable sorts, least significant first
        keyed = [(_sort_value(db, model, r, field=name), r) for r in rows]
        present = [pair for pair in keyed if pair[0] is not None]
        absent = [r for value, r in keyed if value is None]
        present.sort(key=itemgetter(0), reverse=descending)
        ordered = [r for _value, r in present]
        rows = absent + ordered if descending else ordered + absent  # PostgreSQL's NULLS rule
    return rows


def _sort_value(db: OdooDb, model: str, record: Entry, *, field: str) -> Any:
    name = field
    value = db.value(model, record, name)
    spec = db.models[model].fields[name]
    if spec.type == "many2one" and value:
        relation = spec.relation or ""
        if isinstance(value, int):  # the display-name cache first, the record only if new
            return (db.display_of(relation, value) or "").lower()
        return db.display(relation, db.record(relation, value)).lower()
    if isinstance(value, str):
        return value.lower()
    if isinstance(value, list):
        return len(value)
    return value if value is not False or spec.type == "boolean" else None


def _stamp(db: OdooDb, model: str) -> tuple[int, int]:
    """Changes whenever the model's data does (lines change with their orders)."""
    collection = db.collection(ORDERS if model == LINES else model)
    return id(collection), collection.version
