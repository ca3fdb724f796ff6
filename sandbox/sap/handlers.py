"""The route handlers: resolve service, entity set and key, then read or write.

Every OData answer carries `dataserviceversion: 2.0`, and any GET may carry
`X-CSRF-Token: Fetch` (the handshake before writes).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from sandbox.core import Call, json_response
from sandbox.sap import batch as odata_batch
from sandbox.sap import query, writes
from sandbox.sap.auth import csrf_fetch
from sandbox.sap.catalog import ALL_SETS, SERVICES
from sandbox.sap.edm import EntitySet
from sandbox.sap.errors import NOT_ALLOWED, NOT_FOUND, fail
from sandbox.sap.keys import KeyError_, parse_predicate, split_segment
from sandbox.sap.metadata import edmx, service_document
from sandbox.sap.render import ODATA_ROOT, Renderer, etag_of, sets_for
from sandbox.sap.rows import Row, children, find

JSON = "application/json"


async def keyed_object(request: Request) -> str | None:
    name = str(request.path_params.get("key", "")).split("(", 1)[0]
    return name if name in ALL_SETS else None


async def nav_object(request: Request) -> str | None:
    parent = ALL_SETS.get(str(request.path_params.get("key", "")).split("(", 1)[0])
    nav = parent.nav(str(request.path_params.get("nav", ""))) if parent else None
    return nav.target if nav else None


def _odata(call: Call, response: Response) -> Response:
    response.headers["dataserviceversion"] = "2.0"
    if call.request.method in ("GET", "HEAD"):
        csrf_fetch(call, response)
    return response


def _service(call: Call) -> tuple[str, dict[str, EntitySet], Renderer]:
    service = str(call.request.path_params["service"]).split(";", 1)[0]
    if service not in SERVICES:
        raise fail(
            404,
            "/IWFND/MED/170",
            f"No service found for namespace '/SAP/', name '{service}', version '0001'",
        )
    sets = sets_for(call.tenant)
    return service, sets, Renderer(str(call.request.base_url).rstrip("/"), sets)


def _set(call: Call, name: str) -> tuple[EntitySet, Renderer, dict[str, str]]:
    service, sets, renderer = _service(call)
    entity_set = sets.get(name)
    where = {"service": service}
    if entity_set is None or entity_set.service != service:
        raise fail(404, NOT_FOUND, f"Resource not found for segment '{name}'", **where)
    return entity_set, renderer, {**where, "component": entity_set.component}


def _row(call: Call) -> tuple[EntitySet, Row, Renderer, dict[str, str]]:
    segment = str(call.request.path_params["key"])
    try:
        name, inner = split_segment(segment)
        entity_set, renderer, where = _set(call, name)
        keys = parse_predicate(entity_set, inner)
    except KeyError_ as exc:
        raise fail(400, "/IWBEP/CM_MGW_RT/003", str(exc)) from None
    row = find(call.tenant, renderer.sets, entity_set, keys)
    if row is None:
        raise fail(404, NOT_FOUND, f"Resource not found for segment '{segment}'", **where)
    return entity_set, row, renderer, where


async def service_root(call: Call) -> Response:
    service, _sets, _renderer = _service(call)
    return _odata(call, json_response(service_document(service), media_type=JSON))


async def metadata(call: Call) -> Response:
    service, sets, _renderer = _service(call)
    url = f"{str(call.request.base_url).rstrip('/')}{ODATA_ROOT}/{service}/$metadata"
    body = edmx(service, sets, url)
    return _odata(call, Response(body, media_type="application/xml"))


async def batch(call: Call) -> Response:
    """$batch: retrievals and changesets in one multipart request (see sandbox.sap.batch)."""
    _service(call)
    return _odata(call, await odata_batch.batch(call))


def _list(
    call: Call,
    entity_set: EntitySet,
    renderer: Renderer,
    rows: list[Row],
    options: query.Options,
    more: bool,
    total: int | None,
) -> Response:
    results = [
        renderer.entity(
            entity_set,
            r.fields,
            r.entry,
            inherited=r.inherited,
            expand=options.expand,
            select=options.select,
        )
        for r in rows
    ]
    call.served(len(results))
    body: dict[str, Any] = {"results": results}
    if total is not None:
        body["__count"] = str(total)
    if more:
        body["__next"] = query.next_link(call, options, len(rows))
    return _odata(call, json_response({"d": body}, media_type=JSON))


async def list_set(call: Call) -> Response:
    entity_set, renderer, where = _set(call, str(call.request.path_params["entity_set"]))
    options = query.parse_options(call.request.query_params, entity_set, renderer.sets, where)
    limit = options.top if options.top is not None else query.SERVER_PAGE
    rows, more = query.page(call.tenant, renderer.sets, entity_set, options, limit)
    total = (
        query.count(call.tenant, renderer.sets, entity_set, options)
        if options.inlinecount
        else None
    )
    return _list(call, entity_set, renderer, rows, options, more and options.top is None, total)


async def count(call: Call) -> Response:
    entity_set, renderer, where = _set(call, str(call.request.path_params["entity_set"]))
    options = query.parse_options(call.request.query_params, entity_set, renderer.sets, where)
    total = query.count(call.tenant, renderer.sets, entity_set, options)
    return _odata(call, Response(str(total).encode(), media_type="text/plain"))


async def navigate(call: Call) -> Response:
    entity_set, row, renderer, where = _row(call)
    nav = entity_set.nav(str(call.request.path_params["nav"]))
    if nav is None:
        raise fail(
            404,
            NOT_FOUND,
            f"Resource not found for segment '{call.request.path_params['nav']}'",
            **where,
        )
    target = renderer.sets[nav.target]
    options = query.parse_options(call.request.query_params, target, renderer.sets, where)
    rows = [
        r
        for r in children(row, nav.name, target)
        if options.filter is None or options.filter.predicate(r.comparable)
    ]
    total = len(rows) if options.inlinecount else None
    end = options.skip + options.top if options.top is not None else None
    return _list(call, target, renderer, rows[options.skip : end], options, False, total)


async def read(call: Call) -> Response:
    entity_set, row, renderer, where = _row(call)
    options = query.parse_options(call.request.query_params, entity_set, renderer.sets, where)
    body = renderer.entity(
        entity_set,
        row.fields,
        row.entry,
        inherited=row.inherited,
        expand=options.expand,
        select=options.select,
    )
    call.served(1)
    response = json_response({"d": body}, media_type=JSON)
    etag = etag_of(entity_set, row.fields, row.entry)
    if etag:
        response.headers["etag"] = etag
    return _odata(call, response)


async def create(call: Call) -> Response:
    entity_set, renderer, where = _set(call, str(call.request.path_params["entity_set"]))
    return _odata(call, await writes.create(call, entity_set, renderer, where))


async def update(call: Call) -> Response:
    entity_set, row, renderer, where = _row(call)
    return _odata(call, await writes.update(call, entity_set, row, renderer, where))


async def delete(call: Call) -> Response:
    entity_set, row, _renderer, where = _row(call)
    return _odata(call, await writes.delete(call, entity_set, row, where))


async def tunnel(call: Call) -> Response:
    """POST with X-HTTP-Method: MERGE/PATCH/PUT/DELETE (for clients that cannot send those)."""
    method = call.request.headers.get("x-http-method", "").upper()
    if method in ("MERGE", "PATCH", "PUT"):
        return await update(call)
    if method == "DELETE":
        return await delete(call)
    raise fail(405, NOT_ALLOWED, "POST on an entity needs X-HTTP-Method (MERGE, PUT or DELETE)")


def where_of(entity_set: EntitySet) -> Mapping[str, str]:
    return {"service": entity_set.service, "component": entity_set.component}
