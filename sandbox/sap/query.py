"""Reading entity sets: system query options, server paging, counts.

`$top` above 5,000 is refused; without `$top` a page holds at most 1,000
entities and ends with a `__next` link carrying `$skiptoken` (SAP KBA 3072317
describes this for its APIs). `$skip` paging resumes from a remembered
position when a client walks a result page by page, so every page costs
O(page size) even deep into a million records.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from itertools import islice
from typing import Any
from urllib.parse import urlencode

from starlette.datastructures import QueryParams

from sandbox.core import Call, Collection, Order, Tenant
from sandbox.core.collection import SortKey
from sandbox.core.id_window import id_window, index_ordered
from sandbox.sap.edm import EntitySet
from sandbox.sap.errors import BAD_OPTION, fail
from sandbox.sap.filter import Compiled, FilterError, compile_filter
from sandbox.sap.render import parse_expand
from sandbox.sap.rows import Row, all_rows

MAX_TOP = 5000
SERVER_PAGE = 1000
KNOWN = {"$top", "$skip", "$skiptoken", "$filter", "$orderby", "$select", "$expand"}
KNOWN |= {"$inlinecount", "$format", "sap-client", "sap-language", "search"}
_POSITIONS = 256
SAFE = "$'(),:"  # SAP leaves these readable in __next links


@dataclass(frozen=True)
class Options:
    top: int | None
    skip: int
    filter_text: str
    filter: Compiled | None
    orderby: tuple[tuple[str, bool], ...]
    select: frozenset[str] | None
    expand: dict[str, Any]
    inlinecount: bool


def _integer(params: QueryParams, name: str, where: Mapping[str, str]) -> int | None:
    raw = params.get(name)
    if raw is None:
        return None
    if not (raw.isascii() and raw.isdigit()):
        raise fail(
            400, BAD_OPTION, f"Invalid value '{raw}' for system query option {name}", **where
        )
    return int(raw)


def parse_options(
    params: QueryParams,
    entity_set: EntitySet,
    sets: Mapping[str, EntitySet],
    where: Mapping[str, str],
) -> Options:
    for name in params:
        if name.startswith("$") and name not in KNOWN:
            raise fail(400, BAD_OPTION, f"System query option '{name}' is not supported", **where)
    top = _integer(params, "$top", where)
    if top is not None and top > MAX_TOP:
        raise fail(
            400,
            BAD_OPTION,
            f"The value {top} of $top exceeds the maximum page size {MAX_TOP}",
            **where,
        )
    skip = (_integer(params, "$skip", where) or 0) + (_integer(params, "$skiptoken", where) or 0)
    if params.get("$format", "json") not in ("json", "application/json"):
        raise fail(400, BAD_OPTION, "Only $format=json is offered by this simulator", **where)
    text = params.get("$filter", "").strip()
    try:
        compiled = compile_filter(text, entity_set) if text else None
    except FilterError as exc:
        raise fail(
            400,
            "/IWBEP/CM_MGW_RT/022",
            f"Invalid filter expression: {exc}".replace(
                "Invalid filter expression: Invalid filter expression", "Invalid filter expression"
            ),
            **where,
        ) from None
    orderby = []
    for part in filter(None, (p.strip() for p in params.get("$orderby", "").split(","))):
        name, _, direction = part.partition(" ")
        if name not in entity_set.prop_index or direction.strip() not in ("", "asc", "desc"):
            raise fail(
                400,
                BAD_OPTION,
                f"Invalid $orderby: property {name} not found in type {entity_set.type_name}",
                **where,
            )
        orderby.append((name, direction.strip() == "desc"))
    select = None
    if "$select" in params:
        select = frozenset(p.strip() for p in params["$select"].split(",") if p.strip())
        unknown = [
            p
            for p in select
            if p != "*" and p not in entity_set.prop_index and entity_set.nav(p) is None
        ]
        if unknown:
            raise fail(
                400,
                BAD_OPTION,
                f"Property {unknown[0]} not found in type {entity_set.type_name}",
                **where,
            )
        select = None if "*" in select else select
    expand = parse_expand(params.get("$expand"))
    _check_expand(entity_set, expand, sets, where)
    inline = params.get("$inlinecount", "none")
    if inline not in ("allpages", "none"):
        raise fail(400, BAD_OPTION, f"Invalid value '{inline}' for $inlinecount", **where)
    return Options(top, skip, text, compiled, tuple(orderby), select, expand, inline == "allpages")


def _check_expand(
    entity_set: EntitySet,
    tree: Mapping[str, Any],
    sets: Mapping[str, EntitySet],
    where: Mapping[str, str],
) -> None:
    for name, subtree in tree.items():
        nav = entity_set.nav(name)
        if nav is None:
            raise fail(
                400,
                BAD_OPTION,
                f"Navigation property {name} not found in type {entity_set.type_name}",
                **where,
            )
        _check_expand(sets[nav.target], subtree, sets, where)


def page(
    tenant: Tenant,
    sets: Mapping[str, EntitySet],
    entity_set: EntitySet,
    options: Options,
    limit: int,
) -> tuple[list[Row], bool]:
    """Up to `limit` rows from position `options.skip`, and whether more follow."""
    compiled = options.filter
    predicate = compiled.predicate if compiled else None
    by_key = _by_key(tenant, entity_set, options.orderby)
    if entity_set.parent is not None or not (by_key or _native(options.orderby)):
        rows: Iterator[Row] = all_rows(tenant, sets, entity_set.name)
        if predicate is not None:
            rows = (r for r in rows if predicate(r.comparable))
        if options.orderby:
            rows = iter(_sorted(list(rows), options.orderby))
        found = list(islice(rows, options.skip, options.skip + limit + 1))
        return found[:limit], len(found) > limit
    return _scan(tenant, entity_set, options, predicate, limit, by_key=by_key)


def _by_key(tenant: Tenant, entity_set: EntitySet, orderby: tuple[tuple[str, bool], ...]) -> bool:
    """Ordered by its single key alone, whose values sort as the collection's indexes."""
    if len(orderby) != 1 or len(entity_set.keys) != 1 or orderby[0][0] != entity_set.keys[0]:
        return False
    return entity_set.parent is None and index_ordered(
        tenant.collection(entity_set.name), text=True
    )


# Orders that are the collection's own modification order (ties broken by key).
MODIFIED_ORDERS = (
    ("LastChangeDateTime",),
    ("LastChangeDate",),
    ("LastChangeDate", "LastChangeTime"),
)


def _native(orderby: tuple[tuple[str, bool], ...]) -> bool:
    names = tuple(name for name, _descending in orderby)
    return not orderby or (names in MODIFIED_ORDERS and len({d for _n, d in orderby}) == 1)


def _sort_key(row: Row, name: str) -> tuple[bool, Any]:
    value = row.comparable(name)
    return (value is None, value if value is not None else 0)


def _sorted(rows: list[Row], orderby: tuple[tuple[str, bool], ...]) -> list[Row]:
    for name, descending in reversed(orderby):
        rows.sort(key=lambda r, n=name: _sort_key(r, n), reverse=descending)  # type: ignore[misc]
    return rows


def _scan(
    tenant: Tenant,
    entity_set: EntitySet,
    options: Options,
    predicate: Any,
    limit: int,
    *,
    by_key: bool = False,
) -> tuple[list[Row], bool]:
    collection = tenant.collection(entity_set.name)
    order: Order = "modified" if options.orderby and not by_key else "index"
    descending = bool(options.orderby and options.orderby[0][1])
    since = options.filter.since_ms if options.filter else None
    # A $skip counts matching rows in the current data: a position remembered before a
    # write would serve rows from a shifted place (a prefetched page first of all).
    signature = (
        entity_set.name,
        id(collection),
        collection.version,
        options.filter_text,
        options.orderby,
        by_key,
    )
    positions: OrderedDict[Any, dict[int, SortKey]] = tenant.extras.setdefault(
        "sap.positions", OrderedDict()
    )
    known = positions.get(signature, {})
    start = max((n for n in known if n <= options.skip), default=0)
    after = known.get(start) if start else None
    window = _window(collection, options.filter)
    entries = collection.scan(
        order=order, after=after, since_ms=since, descending=descending, window=window
    )
    rows: Iterator[Row] = (Row(entity_set, e.fields, e) for e in entries)
    if predicate is not None:
        rows = (r for r in rows if predicate(r.comparable))
    found = list(islice(rows, options.skip - start, options.skip - start + limit + 1))
    taken = found[:limit]
    if taken:
        slot = positions.setdefault(signature, {})
        slot[options.skip + len(taken)] = Collection.key_of(taken[-1].top, order)
        positions.move_to_end(signature)
        while len(positions) > _POSITIONS:
            positions.popitem(last=False)
    return taken, len(found) > limit


def count(
    tenant: Tenant, sets: Mapping[str, EntitySet], entity_set: EntitySet, options: Options
) -> int:
    if options.filter is None and entity_set.parent is None:
        return tenant.collection(entity_set.name).count_matching()
    if entity_set.parent is None and options.filter is not None:
        collection = tenant.collection(entity_set.name)
        window = _window(collection, options.filter)
        rows: Iterator[Row] = (
            Row(entity_set, e.fields, e)
            for e in collection.scan(since_ms=options.filter.since_ms, window=window)
        )
    else:
        rows = all_rows(tenant, sets, entity_set.name)
    predicate = options.filter.predicate if options.filter else None
    return sum(1 for r in rows if predicate is None or predicate(r.comparable))


def next_link(call: Call, options: Options, served: int) -> str:
    params = [
        (k, v)
        for k, v in call.request.query_params.multi_items()
        if k not in ("$skip", "$skiptoken")
    ]
    params.append(("$skiptoken", str(options.skip + served)))
    base = str(call.request.url).split("?", 1)[0]
    return f"{base}?{urlencode(params, safe=SAFE)}"


def _window(collection: Collection, compiled: Compiled | None) -> range | None:
    """The indexes a key range in `$filter` allows (every key here is an Edm.String,
    compared as text); the filter is still applied to each record in it."""
    if compiled is None:
        return None
    return id_window(collection, compiled.key_low, compiled.key_high, text=True)
