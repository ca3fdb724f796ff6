"""Batch endpoints: read, create, update, upsert (by a unique property) and archive,
with HubSpot's envelope ({status, results, startedAt, completedAt}) and 207 plus
`errors` when some inputs fail."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from sandbox.core import Call, VendorReply, empty_response, json_response
from sandbox.hubspot.crud import body_of, create_one, object_type, update_one
from sandbox.hubspot.errors import error_body, validation
from sandbox.hubspot.lookup import find
from sandbox.hubspot.render import compile_renderer, iso, wanted_properties
from sandbox.hubspot.schema import TYPES

MAX_INPUTS = 100


async def _inputs(call: Call) -> tuple[dict[str, Any], list[Any]]:
    body = await body_of(call)
    inputs = body.get("inputs") if isinstance(body, dict) else None
    if not isinstance(inputs, list):
        raise validation('Invalid input JSON: expected {"inputs": [...]}')
    if len(inputs) > MAX_INPUTS:
        raise validation(
            f"Batch input limit exceeded: at most {MAX_INPUTS} inputs, got {len(inputs)}"
        )
    return body, inputs


def _envelope(
    call: Call, results: list[dict[str, Any]], errors: list[dict[str, Any]], status: int
) -> Response:
    now = iso(call.sandbox.now_ms())
    body: dict[str, Any] = {
        "status": "COMPLETE",
        "results": results,
        "startedAt": now,
        "completedAt": now,
    }
    if errors:
        body["numErrors"] = len(errors)
        body["errors"] = errors
        status = 207
    call.served(len(results))
    return json_response(body, status)


def _error_of(reply: VendorReply) -> dict[str, Any]:
    import orjson

    parsed: dict[str, Any] = orjson.loads(bytes(reply.response.body))
    parsed.pop("correlationId", None)
    return parsed


async def batch_read(call: Call) -> Response:
    name, collection = object_type(call)
    body, inputs = await _inputs(call)
    archived = call.request.query_params.get("archived", "").lower() == "true"
    names = wanted_properties(collection, name, body.get("properties") or None)
    render = compile_renderer(collection, name, names)
    id_property = body.get("idProperty")
    results, missing = [], []
    for item in inputs:
        key = str(item.get("id", "")) if isinstance(item, dict) else ""
        entry = find(collection, name, key, id_property, include_deleted=archived)
        if entry is None or entry.deleted != archived:
            missing.append(key)
        else:
            results.append(render(entry))
    errors = []
    if missing:
        singular = TYPES[name].singular.upper()
        errors.append(
            error_body(
                "OBJECT_NOT_FOUND",
                f"Could not get some {singular} objects, they may be deleted or not exist. "
                "Check that ids are valid.",
                context={"ids": missing},
            )
        )
        errors[-1].pop("correlationId", None)
    return _envelope(call, results, errors, 200)


async def batch_create(call: Call) -> Response:
    name, collection = object_type(call)
    _body, inputs = await _inputs(call)
    results = [create_one(call, name, collection, (i or {}).get("properties", {})) for i in inputs]
    return _envelope(call, results, [], 201)


async def batch_update(call: Call) -> Response:
    name, collection = object_type(call)
    _body, inputs = await _inputs(call)
    results, errors = [], []
    for item in inputs:
        if not isinstance(item, dict) or "id" not in item:
            raise validation("Each input needs an id")
        try:
            results.append(
                update_one(
                    call,
                    name,
                    collection,
                    str(item["id"]),
                    item.get("properties", {}),
                    item.get("idProperty"),
                )
            )
        except VendorReply as reply:
            if reply.response.status_code != 404:
                raise
            errors.append(_error_of(reply))
    return _envelope(call, results, errors, 200)


async def batch_upsert(call: Call) -> Response:
    name, collection = object_type(call)
    _body, inputs = await _inputs(call)
    results = []
    for item in inputs:
        if not isinstance(item, dict) or "id" not in item:
            raise validation("Each input needs an id and an idProperty")
        id_property = item.get("idProperty")
        properties = dict(item.get("properties") or {})
        existing = find(collection, name, str(item["id"]), id_property)
        if existing is not None:
            record = update_one(call, name, collection, existing.id, properties)
            record["new"] = False
        else:
            if id_property and id_property != "hs_object_id":
                properties.setdefault(id_property, item["id"])
            record = create_one(call, name, collection, properties)
            record["new"] = True
        results.append(record)
    return _envelope(call, results, [], 200)


async def batch_archive(call: Call) -> Response:
    name, collection = object_type(call)
    _body, inputs = await _inputs(call)
    for item in inputs:
        entry = collection.get(str((item or {}).get("id", "")))
        if entry is not None:
            call.tenant.delete(name, entry.id)
    return empty_response(204)
