"""POST /crm/v3/objects/{type}/search: filterGroups (OR of ANDs), sorts, query,
properties, limit (max 200), offset-style `after`, and the 10,000-result cap (a
per-tenant knob: `PUT /__sandbox__/hubspot/{tenant}/caps {"search": 150}`).

Filters on the modified timestamp become the collection's index range, sorting by
it or by id uses the collection's native orders, and `hs_object_id GT x` (the
usual way around the cap) starts the scan at x; paging positions are cached so a
page costs O(limit), not O(offset).
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

import orjson
from starlette.responses import Response

from sandbox.core import Call, Collection, Entry, Order, json_response
from sandbox.core.collection import SortKey
from sandbox.hubspot.crud import body_of, object_type
from sandbox.hubspot.errors import validation
from sandbox.hubspot.filters import Predicate, compile_filter, property_getter
from sandbox.hubspot.render import compile_renderer, wanted_properties
from sandbox.hubspot.schema import MODIFIED_NAMES, TYPES

MAX_LIMIT, CAP, MAX_GROUPS, MAX_FILTERS = 200, 10_000, 5, 25


@dataclass
class Plan:
    order: str = "index"  # index | modified | sorted
    descending: bool = False
    since_ms: int | None = None
    until_ms: int | None = None
    after_index: int | None = None
    before_index: int | None = None  # `hs_object_id` LT/LTE: indexes below this one
    predicate: Predicate | None = None
    sort_key: Callable[[Entry], Any] | None = None


@dataclass
class _Positions:
    """Last key before each served offset, per distinct search (LRU)."""

    keys: OrderedDict[tuple[Any, ...], SortKey | int] = field(default_factory=OrderedDict)
    sorted_lists: OrderedDict[tuple[Any, ...], list[int]] = field(default_factory=OrderedDict)
    totals: OrderedDict[tuple[Any, ...], int] = field(default_factory=OrderedDict)


def plan_search(collection: Collection, object_type: str, body: dict[str, Any]) -> Plan:
    groups = body.get("filterGroups") or []
    if not isinstance(groups, list) or len(groups) > MAX_GROUPS:
        raise validation(f"Too many filter groups: at most {MAX_GROUPS} are allowed")
    if sum(len(g.get("filters") or []) for g in groups if isinstance(g, dict)) > MAX_FILTERS:
        raise validation(f"Too many filters: at most {MAX_FILTERS} are allowed in all groups")
    plan = Plan()
    compiled = [
        [compile_filter(collection, object_type, f) for f in (g.get("filters") or [])]
        for g in groups
        if isinstance(g, dict)
    ]
    residual_groups: list[list[Predicate]] = []
    for group in compiled:
        residual: list[Predicate] = []
        for prop, op, low, high, predicate in group:
            if len(compiled) == 1 and _absorb(collection, plan, prop, op, low, high):
                continue
            residual.append(predicate)
        residual_groups.append(residual)
    query = str(body.get("query") or "").strip().lower()
    searchable = TYPES[object_type].searchable
    checks: list[Predicate] = []
    if any(residual_groups) or len(residual_groups) > 1:
        checks.append(lambda e: any(all(p(e) for p in group) for group in residual_groups))
    if query:
        checks.append(
            lambda e: any(query in str(e.fields.get(p) or "").lower() for p in searchable)
        )
    if checks:
        plan.predicate = checks[0] if len(checks) == 1 else (lambda e: all(c(e) for c in checks))
    _sorts(collection, object_type, body.get("sorts") or [], plan)
    return plan


def _absorb(collection: Collection, plan: Plan, prop: str, op: str, low: Any, high: Any) -> bool:
    if prop in MODIFIED_NAMES and op in ("GT", "GTE", "LT", "LTE", "EQ", "BETWEEN"):
        since = {"GT": low + 1, "GTE": low, "EQ": low, "BETWEEN": low}.get(op)
        until = {"LT": low, "LTE": low + 1, "EQ": low + 1, "BETWEEN": high + 1}.get(op)
        if since is not None:
            plan.since_ms = since if plan.since_ms is None else max(plan.since_ms, since)
        if until is not None:
            plan.until_ms = until if plan.until_ms is None else min(plan.until_ms, until)
        return True
    if prop == "hs_object_id" and op in ("GT", "GTE"):
        index = collection.spec.ids.parse(str(int(low)))
        if index is None:
            return False
        bound = index if op == "GT" else index - 1
        plan.after_index = bound if plan.after_index is None else max(plan.after_index, bound)
        return True
    if prop == "hs_object_id" and op in ("LT", "LTE"):
        edge = math.floor(low) if op == "LTE" else math.ceil(low)
        index = collection.spec.ids.parse(str(edge)) if edge > 0 else None
        below = 0 if index is None else index + (op == "LTE")
        plan.before_index = below if plan.before_index is None else min(plan.before_index, below)
        return True
    return False


def _window(plan: Plan) -> range | None:
    return None if plan.before_index is None else range(max(plan.before_index, 0))


def _sorts(collection: Collection, object_type: str, sorts: Any, plan: Plan) -> None:
    if not isinstance(sorts, list) or not sorts:
        return
    first = sorts[0]
    if isinstance(first, dict):
        prop = str(first.get("propertyName", ""))
        plan.descending = str(first.get("direction", "ASCENDING")).upper().startswith("DESC")
    else:
        text = str(first)
        plan.descending, prop = text.startswith("-"), text.lstrip("-")
    if prop in MODIFIED_NAMES:
        plan.order = "modified"
    elif prop in ("hs_object_id", TYPES[object_type].created):
        plan.order = "index"
    else:
        _kind, get = property_getter(collection, object_type, prop)
        plan.order = "sorted"
        plan.sort_key = lambda e: (v is None, v) if (v := get(e)) is not None else (True, 0)


class Searcher:
    def __init__(self) -> None:
        self._positions = _Positions()

    async def search(self, call: Call) -> Response:
        name, collection = object_type(call)
        body = await body_of(call)
        if not isinstance(body, dict):
            raise validation("Invalid input JSON: expected a search request object")
        limit = body.get("limit", 10)
        if not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
            raise validation(f"limit must be between 1 and {MAX_LIMIT}")
        after = str(body.get("after") or "0")
        if not (after.isascii() and after.isdigit()):
            raise validation(f"Invalid after: {after}")
        offset = int(after)
        cap = call.tenant.result_cap("search", CAP)  # a test may lower it (control API)
        if offset >= cap:
            raise validation(
                f"The maximum number of results that can be returned is {cap:,}. after={offset}"
            )
        limit = min(limit, cap - offset)
        plan = plan_search(collection, name, body)
        signature = (
            call.tenant.name,
            name,
            orjson.dumps(
                {k: v for k, v in body.items() if k not in ("after", "limit")},
                option=orjson.OPT_SORT_KEYS,
            ).decode(),  # a str of its own size: orjson's bytes keep a 4 KiB buffer
        )
        versioned = (*signature, id(collection), collection.version)
        total = self._total(collection, plan, versioned)
        page = list(islice(self._stream(collection, plan, signature, versioned, offset), limit))
        names = wanted_properties(collection, name, body.get("properties") or None)
        render = compile_renderer(collection, name, names)
        result: dict[str, Any] = {"total": total, "results": [render(e) for _k, e in page]}
        if page:
            self._remember((*signature, offset + len(page)), page[-1][0])
        if offset + len(page) < total and len(page) == limit:
            result["paging"] = {"next": {"after": str(offset + len(page))}}
        call.served(len(page))
        return json_response(result)

    def _total(self, collection: Collection, plan: Plan, signature: tuple[Any, ...]) -> int:
        if plan.predicate is None and plan.order != "sorted":
            return collection.count_matching(
                plan.since_ms, plan.until_ms, after_index=plan.after_index, window=_window(plan)
            )
        totals = self._positions.totals
        found = totals.get(signature)
        if found is None:  # a full scan: paid once per distinct search and data version
            found = sum(1 for _ in self._scan(collection, plan, None))
            totals[signature] = found
            while len(totals) > 256:
                totals.popitem(last=False)
        return found

    def _scan(
        self, collection: Collection, plan: Plan, after: SortKey | None
    ) -> Iterator[tuple[SortKey, Entry]]:
        bound = plan.after_index
        if plan.order == "index" and not plan.descending and bound is not None:
            after = bound if after is None or (isinstance(after, int) and after < bound) else after
        order: Order = "modified" if plan.order == "modified" else "index"
        for entry in collection.scan(
            order=order,
            after=after,
            since_ms=plan.since_ms,
            until_ms=plan.until_ms,
            descending=plan.descending,
            window=_window(plan),
        ):
            if plan.after_index is not None and entry.index <= plan.after_index:
                continue
            if plan.predicate is None or plan.predicate(entry):
                yield Collection.key_of(entry, order), entry

    def _stream(
        self,
        collection: Collection,
        plan: Plan,
        signature: tuple[Any, ...],
        versioned: tuple[Any, ...],
        offset: int,
    ) -> Iterator[tuple[SortKey, Entry]]:
        """Positions are keyed without the data version (a key cursor survives writes);
        sorted result lists are keyed with it (a write can reorder them)."""
        if plan.order == "sorted":
            indexes = self._sorted(collection, plan, versioned)
            for position in range(offset, len(indexes)):
                entry = collection.entry(indexes[position])
                if entry is not None:
                    yield position, entry
            return
        remembered = self._positions.keys.get((*signature, offset)) if offset else None
        if offset and remembered is None:
            yield from islice(self._scan(collection, plan, None), offset, None)
            return
        yield from self._scan(collection, plan, remembered)

    def _sorted(self, collection: Collection, plan: Plan, signature: tuple[Any, ...]) -> list[int]:
        cached = self._positions.sorted_lists.get(signature)
        if cached is None:
            assert plan.sort_key is not None
            entries = [
                e
                for _k, e in self._scan(
                    collection,
                    Plan(since_ms=plan.since_ms, until_ms=plan.until_ms, predicate=plan.predicate),
                    None,
                )
            ]
            entries.sort(key=plan.sort_key, reverse=plan.descending)
            cached = [e.index for e in entries]
            self._positions.sorted_lists[signature] = cached
            while len(self._positions.sorted_lists) > 8:
                self._positions.sorted_lists.popitem(last=False)
        return cached

    def _remember(self, key: tuple[Any, ...], value: SortKey | int) -> None:
        keys = self._positions.keys
        keys[key] = value
        keys.move_to_end(key)
        while len(keys) > 2000:
            keys.popitem(last=False)
