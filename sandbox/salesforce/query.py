"""query / queryAll and their nextRecordsUrl locators.

A cursor remembers the compiled query and the key of the last record served, so
every page costs O(batch size) on the collection. Locators look like Salesforce's
(`01g...-2000`: cursor id, dash, records already returned) and, as there, idle
cursors expire (15 minutes) and a finished one is gone.
"""

from __future__ import annotations

import re
import time
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cmp_to_key
from itertools import count, islice
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from sandbox.core import Call, Collection, Entry, Tenant, json_response
from sandbox.core.collection import SortKey
from sandbox.salesforce.compile import Compiled, compile_query
from sandbox.salesforce.errors import fail
from sandbox.salesforce.ids import SalesforceIds
from sandbox.salesforce.render import Renderer, compile_renderer
from sandbox.salesforce.soql import parse, render_error
from sandbox.salesforce.soql_ast import SoqlError

DEFAULT_BATCH = 2000
MIN_BATCH, MAX_BATCH = 200, 2000
CURSOR_IDLE_S = 15 * 60
MAX_CURSORS = 2000
_FROM = re.compile(r"\bfrom\s+([A-Za-z_][A-Za-z0-9_]*)", re.IGNORECASE)
_BATCH = re.compile(r"batchSize\s*=\s*(\d+)", re.IGNORECASE)


@dataclass
class Cursor:
    locator: str
    tenant: str
    compiled: Compiled
    version: str
    include_deleted: bool
    total: int = 0
    served: int = 0
    position: SortKey | None = None
    materialized: list[int] | None = None
    renderer: Renderer | None = None
    batch: int = DEFAULT_BATCH
    touched: float = field(default_factory=time.monotonic)


class QueryEngine:
    """Per-sandbox cursor registry plus the query endpoints' logic."""

    def __init__(self, object_names: list[str]) -> None:
        self._names = {name.lower(): name for name in object_names}
        self._cursors: OrderedDict[str, Cursor] = OrderedDict()
        self._ids = count(1)

    # --- object_of helpers (run before authentication) --------------------------------

    async def object_of_query(self, request: Request) -> str | None:
        match = _FROM.search(request.query_params.get("q", ""))
        return self._names.get(match.group(1).lower()) if match else None

    async def object_of_locator(self, request: Request) -> str | None:
        locator = str(request.path_params.get("locator", "")).split("-", 1)[0]
        cursor = self._cursors.get(locator)
        return cursor.compiled.obj.name if cursor else None

    # --- endpoints ---------------------------------------------------------------------

    async def query(self, call: Call, version: str, include_deleted: bool) -> Response:
        text = call.request.query_params.get("q")
        if not text:
            raise fail(400, "MALFORMED_QUERY", "A query string has to be specified")
        try:
            compiled = compile_query(call.tenant, parse(text))
        except SoqlError as exc:
            message = (
                exc.message
                if exc.code == "NUMBER_OUTSIDE_VALID_RANGE"
                else render_error(text, exc.pos, exc.message)
            )
            raise fail(400, exc.code, message) from None
        cursor = self._start(call.tenant, compiled, version, include_deleted)
        return self._page(call, cursor)

    async def more(self, call: Call, version: str) -> Response:
        raw = str(call.request.path_params["locator"])
        locator, _, offset_text = raw.partition("-")
        cursor = self._cursors.get(locator)
        if (
            cursor is None
            or cursor.tenant != call.tenant.name
            or not (offset_text.isascii() and offset_text.isdigit())
            or time.monotonic() - cursor.touched > CURSOR_IDLE_S
        ):
            self._cursors.pop(locator, None)
            raise fail(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
        offset = int(offset_text)
        if offset != cursor.served:
            if offset > cursor.total:
                raise fail(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
            self._rewind(call.tenant, cursor, offset)
        cursor.touched = time.monotonic()
        self._cursors.move_to_end(locator)
        return self._page(call, cursor)

    # --- cursor mechanics ------------------------------------------------------------

    def _start(
        self, tenant: Tenant, compiled: Compiled, version: str, include_deleted: bool
    ) -> Cursor:
        pod = tenant.id_of("User", 0)[3:5]
        locator = SalesforceIds("01g", pod).format(next(self._ids))
        cursor = Cursor(locator, tenant.name, compiled, version, include_deleted)
        collection = tenant.collection(compiled.obj.name)
        plan = compiled.plan
        if plan.kind != "scan":
            cursor.materialized = self._materialize(collection, cursor)
            raw_total = len(cursor.materialized)
        elif compiled.predicate is None:
            raw_total = collection.count_matching(
                plan.since_ms, plan.until_ms, include_deleted=include_deleted, window=plan.window
            )
        else:
            raw_total = sum(1 for _ in self._stream(collection, cursor))
        offset = compiled.query.offset or 0
        total = max(0, raw_total - offset)
        if compiled.query.limit is not None:
            total = min(total, compiled.query.limit)
        cursor.total = total
        if offset:
            for key, _entry in islice(self._stream(collection, cursor), offset):
                cursor.position = key
        return cursor

    def _rewind(self, tenant: Tenant, cursor: Cursor, offset: int) -> None:
        collection = tenant.collection(cursor.compiled.obj.name)
        cursor.position = None
        skip = (cursor.compiled.query.offset or 0) + offset
        for key, _entry in islice(self._stream(collection, cursor), skip):
            cursor.position = key
        cursor.served = offset

    def _stream(self, collection: Collection, cursor: Cursor) -> Iterator[tuple[SortKey, Entry]]:
        plan = cursor.compiled.plan
        if cursor.materialized is not None:
            start = cursor.position if isinstance(cursor.position, int) else 0
            for position in range(start, len(cursor.materialized)):
                entry = collection.entry(cursor.materialized[position])
                if entry is not None:
                    yield position + 1, entry
            return
        predicate = cursor.compiled.predicate
        entries = collection.scan(
            order=plan.order,
            after=cursor.position,
            since_ms=plan.since_ms,
            until_ms=plan.until_ms,
            include_deleted=cursor.include_deleted,
            descending=plan.descending,
            window=plan.window,
        )
        index_order = plan.order == "index"
        for entry in entries:
            if predicate is None or predicate(entry):
                yield (entry.index if index_order else (entry.modified_ms, entry.index)), entry

    def _materialize(self, collection: Collection, cursor: Cursor) -> list[int]:
        plan, predicate = cursor.compiled.plan, cursor.compiled.predicate
        if plan.kind == "ids":
            found = [
                collection.get(i, include_deleted=cursor.include_deleted) for i in plan.ids or []
            ]
            window = plan.window
            entries = sorted(
                {
                    e.index: e
                    for e in found
                    if e is not None and (window is None or e.index in window)
                }.values(),
                key=lambda e: e.index,
            )
        else:
            entries = list(
                collection.scan(
                    since_ms=plan.since_ms,
                    until_ms=plan.until_ms,
                    include_deleted=cursor.include_deleted,
                    window=plan.window,
                )
            )
        entries = [e for e in entries if predicate is None or predicate(e)]
        if plan.sort_keys:
            entries.sort(key=cmp_to_key(_comparator(plan.sort_keys)))
        return [e.index for e in entries]

    def _page(self, call: Call, cursor: Cursor) -> Response:
        collection = call.tenant.collection(cursor.compiled.obj.name)
        cursor.batch = _batch_size(call.request, cursor.batch)
        batch = cursor.batch
        compiled = cursor.compiled
        body: dict[str, Any] = {"totalSize": cursor.total, "done": True}
        if compiled.count_only:
            body["records"] = []
            return json_response(body)
        wanted = min(batch, cursor.total - cursor.served)
        page = list(islice(self._stream(collection, cursor), wanted)) if wanted > 0 else []
        if page:
            cursor.position = page[-1][0]
        cursor.served += len(page)
        if cursor.renderer is None:
            cursor.renderer = compile_renderer(compiled.obj, compiled.columns, cursor.version)
        render = cursor.renderer
        records = [render(entry) for _key, entry in page]
        version = cursor.version
        call.served(len(records))
        if cursor.served < cursor.total and len(page) == wanted:
            body["done"] = False
            body["nextRecordsUrl"] = (
                f"/services/data/v{version}/query/{cursor.locator}-{cursor.served}"
            )
            self._remember(cursor)
        else:
            self._cursors.pop(cursor.locator, None)
        body["records"] = records
        return json_response(body)

    def _remember(self, cursor: Cursor) -> None:
        self._cursors[cursor.locator] = cursor
        self._cursors.move_to_end(cursor.locator)
        while len(self._cursors) > MAX_CURSORS:
            self._cursors.popitem(last=False)


def _batch_size(request: Request, current: int) -> int:
    """The header's batch size; a locator keeps the one its query started with."""
    match = _BATCH.search(request.headers.get("sforce-query-options", ""))
    if not match:
        return current
    return max(MIN_BATCH, min(MAX_BATCH, int(match.group(1))))


def _comparator(keys: list[Any]) -> Any:
    def normal(value: Any) -> Any:
        return value.lower() if isinstance(value, str) else value

    def compare(a: Entry, b: Entry) -> int:
        for get, descending, nulls_last in keys:
            x, y = normal(get(a)), normal(get(b))
            if x == y:
                continue
            if x is None or y is None:
                return (1 if nulls_last else -1) * (1 if x is None else -1)
            result = -1 if x < y else 1
            return -result if descending else result
        return a.index - b.index

    return compare
