"""Basic object endpoints: list (limit/after paging), read, create, update, archive."""

from __future__ import annotations

from itertools import islice
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from sandbox.core import BodyError, Call, Collection, empty_response, json_response
from sandbox.hubspot.errors import fail, not_found, validation
from sandbox.hubspot.lookup import by_email, find
from sandbox.hubspot.render import compile_renderer, requested_properties, wanted_properties
from sandbox.hubspot.schema import canonical_type
from sandbox.hubspot.values import validate_properties

MAX_LIMIT = 100
DEFAULT_LIMIT = 10


async def object_of(request: Request) -> str | None:
    return canonical_type(str(request.path_params.get("object_type", "")))


def object_type(call: Call) -> tuple[str, Collection]:
    raw = str(call.request.path_params["object_type"])
    name = canonical_type(raw)
    if name is None or name not in call.tenant.specs:
        raise validation(f"Unable to infer object type from: {raw}")
    return name, call.tenant.collection(name)


def flag(value: str | None) -> bool:
    return (value or "").lower() == "true"


async def body_of(call: Call) -> Any:
    try:
        return await call.json()
    except BodyError as exc:
        raise validation(f"Invalid input JSON on line 1, column 1: {exc}") from None


async def list_objects(call: Call) -> Response:
    name, collection = object_type(call)
    params = call.request.query_params
    try:
        limit = int(params.get("limit", DEFAULT_LIMIT))
    except ValueError:
        raise validation(f"Invalid limit: {params.get('limit')}") from None
    if not 1 <= limit <= MAX_LIMIT:
        raise validation(f"limit must be between 1 and {MAX_LIMIT}, got {limit}")
    start = -1
    after = params.get("after")
    if after:
        index = collection.spec.ids.parse(after)
        if index is None:
            raise validation(f"Invalid after: {after}")
        start = index - 1
    archived = flag(params.get("archived"))
    names = wanted_properties(collection, name, requested_properties(params.getlist("properties")))
    render = compile_renderer(collection, name, names)
    if archived:
        pool = (e for e in collection.overlay_entries() if e.deleted and e.index > start)
        page = list(islice(pool, limit + 1))
    else:
        page = list(islice(collection.scan(after=start if start >= 0 else None), limit + 1))
    body: dict[str, Any] = {"results": [render(e) for e in page[:limit]]}
    if len(page) > limit:
        next_after = page[limit].id
        link = str(call.request.url.include_query_params(after=next_after))
        body["paging"] = {"next": {"after": next_after, "link": link}}
    call.served(len(body["results"]))
    return json_response(body)


async def get_object(call: Call) -> Response:
    name, collection = object_type(call)
    params = call.request.query_params
    key = str(call.request.path_params["object_id"])
    archived = flag(params.get("archived"))
    entry = find(collection, name, key, params.get("idProperty"), include_deleted=archived)
    if entry is None or entry.deleted != archived:
        raise not_found(key)
    names = wanted_properties(collection, name, requested_properties(params.getlist("properties")))
    call.served(1)
    return json_response(compile_renderer(collection, name, names)(entry))


def _full(collection: Collection, name: str) -> list[str]:
    return wanted_properties(collection, name, [f.name for f in collection.fields])


def create_one(
    call: Call, name: str, collection: Collection, properties: Any, *, unique_checked: bool = False
) -> dict[str, Any]:
    """`unique_checked`: the caller has just looked the email up (a batch upsert's index)."""
    clean = validate_properties(collection, properties)
    if name == "contacts" and clean.get("email") and not unique_checked:
        existing = by_email(collection, str(clean["email"]))
        if existing is not None:
            raise fail(409, "CONFLICT", f"Contact already exists. Existing ID: {existing.id}")
    if name == "quotes":
        clean.setdefault("hs_quote_number", str(20240000 + collection.next_index))
    stored = {f.name: clean.get(f.name) for f in collection.fields}
    entry = call.tenant.create(name, stored)
    return compile_renderer(collection, name, _full(collection, name))(entry)


async def create_object(call: Call) -> Response:
    name, collection = object_type(call)
    body = await body_of(call)
    if not isinstance(body, dict):
        raise validation("Invalid input JSON: expected an object with 'properties'")
    return json_response(create_one(call, name, collection, body.get("properties", {})), 201)


def update_one(
    call: Call,
    name: str,
    collection: Collection,
    key: str,
    properties: Any,
    id_property: str | None = None,
) -> dict[str, Any]:
    entry = find(collection, name, key, id_property)
    if entry is None:
        raise not_found(key)
    clean = validate_properties(collection, properties)
    if name == "contacts" and clean.get("email"):
        other = by_email(collection, str(clean["email"]))
        if other is not None and other.index != entry.index:
            raise fail(409, "CONFLICT", f"Contact already exists. Existing ID: {other.id}")
    updated = call.tenant.update(name, entry.id, clean)
    return compile_renderer(collection, name, _full(collection, name))(updated)


async def update_object(call: Call) -> Response:
    name, collection = object_type(call)
    body = await body_of(call)
    if not isinstance(body, dict):
        raise validation("Invalid input JSON: expected an object with 'properties'")
    key = str(call.request.path_params["object_id"])
    id_property = call.request.query_params.get("idProperty")
    return json_response(
        update_one(call, name, collection, key, body.get("properties", {}), id_property)
    )


async def archive_object(call: Call) -> Response:
    name, collection = object_type(call)
    key = str(call.request.path_params["object_id"])
    entry = collection.get(key)
    if entry is not None:
        call.tenant.delete(name, entry.id)
    elif collection.get(key, include_deleted=True) is None:
        raise not_found(key)
    return empty_response(204)
