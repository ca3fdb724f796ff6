"""Route handlers: framework version, query parameters, read, write, describe."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from sandbox.core import Call, empty_response, json_response
from sandbox.oracle import access
from sandbox.oracle import batch as batch_actions
from sandbox.oracle.describe import FRAMEWORKS, context_root, describe
from sandbox.oracle.errors import fail
from sandbox.oracle.q import QError, Query, parse_expression, parse_qbe
from sandbox.oracle.render import (
    COLLECTION_TYPE,
    ITEM_TYPE,
    Renderer,
    change_indicator,
    resources_for,
)
from sandbox.oracle.resources import CRM, FSCM, RESOURCES, Resource
from sandbox.oracle.writes import (
    check_precondition,
    prepare_create,
    read_payload,
    remember_created,
    reprice_line,
)

MAX_LIMIT = 500
KNOWN = {
    "q",
    "limit",
    "offset",
    "totalResults",
    "orderBy",
    "fields",
    "onlyData",
    "expand",
    "finder",
    "links",
}


async def resource_of(request: Request) -> str | None:
    name = str(request.path_params.get("resource", ""))
    return name if name in RESOURCES else None


def version_of(call: Call) -> int:
    root = call.request.url.path.split("/")[1]
    raw = call.request.headers.get("rest-framework-version", "1").strip()
    if raw not in FRAMEWORKS.get(root, ("1",)):
        raise fail(400, f"The REST-Framework-Version {raw} is not supported", 1)
    return int(raw)


def _context(call: Call) -> tuple[Resource, Renderer, int]:
    version = version_of(call)
    name = str(call.request.path_params["resource"])
    resource = RESOURCES.get(name)
    root = call.request.url.path.split("/resources/")[0]
    if resource is None or not resource.root.startswith(root):
        raise fail(404, f"The requested resource {name} was not found", version)
    resources = resources_for(call.tenant)
    only = call.request.query_params.get("onlyData", "false").lower() == "true"
    renderer = Renderer(str(call.request.base_url).rstrip("/"), resources, version, only)
    return resources[name], renderer, version


def _answer(
    call: Call, body: Any, status: int = 200, media: str = ITEM_TYPE, etag: str | None = None
) -> Response:
    headers = {"REST-Framework-Version": str(version_of(call))}
    if etag:
        headers["ETag"] = etag
    return json_response(body, status, headers=headers, media_type=media)


def _fields(text: str | None) -> dict[str, set[str] | None] | None:
    if not text:
        return None
    found: dict[str, set[str] | None] = {}
    for part in text.split(";"):
        owner, _, names = part.rpartition(":")
        found[owner] = {n.strip() for n in names.split(",") if n.strip()} or None
    return found


def _query(call: Call, resource: Resource, version: int) -> Query | None:
    text = call.request.query_params.get("q")
    if not text:
        return None
    try:
        return parse_qbe(text, resource) if version == 1 else parse_expression(text, resource)
    except QError as exc:
        raise fail(400, str(exc), version, code="27024", path="q") from None


def _order(call: Call, resource: Resource, version: int) -> tuple[tuple[str, bool], ...]:
    order = []
    for part in filter(None, call.request.query_params.get("orderBy", "").split(",")):
        name, _, direction = part.strip().partition(":")
        if name not in resource.index or direction.lower() not in ("", "asc", "desc"):
            raise fail(400, f"The orderBy value {part} is not valid for {resource.name}", version)
        order.append((name, direction.lower() == "desc"))
    return tuple(order)


def _int(call: Call, name: str, default: int, version: int) -> int:
    raw = call.request.query_params.get(name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit()):
        raise fail(400, f"The value {raw} of the {name} parameter is not a valid integer", version)
    return int(raw)


async def list_items(call: Call) -> Response:
    resource, renderer, version = _context(call)
    params = call.request.query_params
    unknown = sorted(set(params) - KNOWN)
    if unknown:
        raise fail(400, f"The query parameter {unknown[0]} is not valid", version)
    if params.get("finder", "PrimaryKey").split(";")[0] != "PrimaryKey":
        raise fail(
            400, f"The finder {params['finder']} is not defined for {resource.name}", version
        )
    limit, offset = _int(call, "limit", 25, version), _int(call, "offset", 0, version)
    if limit > MAX_LIMIT:
        raise fail(
            400, f"The limit {limit} exceeds the maximum of {MAX_LIMIT} items per page", version
        )
    query, order = _query(call, resource, version), _order(call, resource, version)
    entries, more = access.page(
        call.tenant, resource, query, params.get("q", ""), order, offset, limit
    )
    expand = _expand(params.get("expand"), resource)
    fields = _fields(params.get("fields"))
    items = [renderer.item(resource, e, fields=fields, expand=expand) for e in entries]
    call.served(len(items))
    total = (
        access.count(call.tenant, resource, query) if params.get("totalResults") == "true" else None
    )
    body = renderer.collection(
        resource,
        items,
        url=str(call.request.url),
        limit=limit,
        offset=offset,
        more=more,
        total=total,
    )
    return _answer(call, body, media=COLLECTION_TYPE)


def _expand(text: str | None, resource: Resource) -> set[str]:
    if not text:
        return set()
    names = {n.strip() for n in text.split(",") if n.strip()}
    return set(resource.children) if "all" in names else names & set(resource.children)


def _entry(call: Call, resource: Resource, renderer: Renderer, version: int) -> Any:
    key = str(call.request.path_params["key"])
    entry = access.find(call.tenant, resource, key, renderer)
    if entry is None:
        raise fail(404, f"The requested resource {resource.name}/{key} was not found", version)
    return entry


async def get_item(call: Call) -> Response:
    resource, renderer, version = _context(call)
    entry = _entry(call, resource, renderer, version)
    call.served(1)
    body = renderer.item(
        resource,
        entry,
        fields=_fields(call.request.query_params.get("fields")),
        expand=_expand(call.request.query_params.get("expand"), resource),
    )
    return _answer(call, body, etag=change_indicator(entry))


async def batch(call: Call) -> Response:
    """Batch actions at the version root (see sandbox.oracle.batch)."""
    root = call.request.url.path.rstrip("/")
    return await batch_actions.batch(call, version_of(call), root)


async def create(call: Call) -> Response:
    resource, renderer, version = _context(call)
    if not resource.creatable:
        raise fail(405, f"The resource {resource.name} does not allow POST", version)
    fields = read_payload(await call.json(), resource, version, creating=True)
    entry = call.tenant.create(
        resource.name, prepare_create(call.tenant, resource, fields, version)
    )
    remember_created(call.tenant, resource, entry)
    body = renderer.item(resource, entry, expand=set(resource.children))
    return _answer(call, body, 201, etag=change_indicator(entry))


async def update(call: Call) -> Response:
    resource, renderer, version = _context(call)
    if not resource.updatable:
        raise fail(405, f"The resource {resource.name} does not allow PATCH", version)
    entry = _entry(call, resource, renderer, version)
    check_precondition(call.request.headers, entry, version)
    changes = read_payload(await call.json(), resource, version, creating=False)
    changed = call.tenant.update(
        resource.name, entry.id, {**changes, "LastUpdatedBy": "INTEGRATION"}
    )
    return _answer(call, renderer.item(resource, changed), etag=change_indicator(changed))


async def delete(call: Call) -> Response:
    resource, renderer, version = _context(call)
    if not resource.deletable:
        raise fail(405, f"The resource {resource.name} does not allow DELETE", version)
    entry = _entry(call, resource, renderer, version)
    call.tenant.delete(resource.name, entry.id, hard=True)
    return empty_response(204)


async def children(call: Call) -> Response:
    resource, renderer, version = _context(call)
    entry = _entry(call, resource, renderer, version)
    child = str(call.request.path_params["child"])
    if child not in resource.children:
        raise fail(404, f"The child {child} was not found in {resource.name}", version)
    rows = renderer.child_rows(resource, child, entry)
    call.served(len(rows))
    body = renderer.collection(
        resource,
        rows,
        url=str(call.request.url),
        limit=max(25, len(rows)),
        offset=0,
        more=False,
        total=None,
    )
    return _answer(call, body, media=COLLECTION_TYPE)


async def update_child(call: Call) -> Response:
    """PATCH .../child/lines/{FulfillLineId} or .../child/ItemDFF/{hash}."""
    resource, renderer, version = _context(call)
    entry = _entry(call, resource, renderer, version)
    child, child_key = (
        str(call.request.path_params["child"]),
        str(call.request.path_params["child_key"]),
    )
    spec = renderer.resources.get(f"{resource.name}.{child}")
    if spec is None:
        raise fail(404, f"The child {child} was not found in {resource.name}", version)
    changes = read_payload(await call.json(), spec, version, creating=False)
    if child == "ItemDFF":
        updated = call.tenant.update(resource.name, entry.id, changes)
        return _answer(call, renderer.child_rows(resource, child, updated)[0])
    rows = [dict(r) for r in entry.fields.get(child) or ()]
    position = next((i for i, r in enumerate(rows) if str(r.get(spec.key)) == child_key), None)
    if position is None:
        raise fail(404, f"The requested resource {child}/{child_key} was not found", version)
    rows[position] = reprice_line(rows[position], changes)
    call.tenant.update(resource.name, entry.id, {child: rows, "LastUpdatedBy": "INTEGRATION"})
    return _answer(call, rows[position])


async def describe_resource(call: Call) -> Response:
    resource, renderer, _version = _context(call)
    kids = {c: renderer.resources[f"{resource.name}.{c}"] for c in resource.children}
    return _answer(call, describe(resource, renderer.base_url, kids), media="application/json")


async def catalog(call: Call) -> Response:
    root = call.request.url.path.strip("/").split("/")[0]
    return json_response(context_root(str(call.request.base_url).rstrip("/"), root))


ROOTS = (FSCM, CRM)
