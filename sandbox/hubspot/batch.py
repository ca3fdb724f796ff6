"""Batch endpoints: read, create, update, upsert (by a unique property) and archive,
with HubSpot's envelope ({status, results, startedAt, completedAt}) and 207 plus
`errors` when some inputs fail.

Create and upsert answer input by input when the inputs carry `objectWriteTraceId`
(HubSpot's multi-status error handling): the applied ones in `results`, each echoing
its trace id, the refused ones in `errors[]` with `context.objectWriteTraceId`. Without
trace ids one refused input refuses the whole batch (400) and nothing is written."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.responses import Response

from sandbox.core import Call, Collection, VendorReply, empty_response, json_response
from sandbox.hubspot.crud import body_of, create_one, object_type, update_one
from sandbox.hubspot.errors import error_body, validation
from sandbox.hubspot.lookup import UniqueIndex, find
from sandbox.hubspot.render import compile_renderer, iso, wanted_properties
from sandbox.hubspot.schema import TYPES
from sandbox.hubspot.values import validate_properties

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


def _trace(item: Any) -> str | None:
    trace = item.get("objectWriteTraceId") if isinstance(item, dict) else None
    return str(trace) if trace not in (None, "") else None


def _each(
    call: Call, inputs: list[Any], write: Callable[[dict[str, Any]], dict[str, Any]], ok: int
) -> Response:
    """Apply `write` per input; with trace ids a refusal stays that input's own."""
    traced = all(_trace(item) for item in inputs)
    if not traced:  # all or nothing: check every input before writing any
        for item in inputs:
            validate_properties(_collection(call), (item or {}).get("properties", {}))
    results, errors = [], []
    for item in inputs:
        if not isinstance(item, dict):
            raise validation("Each input must be an object")
        try:
            record = write(item)
        except VendorReply as reply:
            if not traced or reply.response.status_code not in (400, 409):
                raise
            error = _error_of(reply)
            error["context"] = {**error.get("context", {}), "objectWriteTraceId": [_trace(item)]}
            errors.append(error)
            continue
        if _trace(item):
            record["objectWriteTraceId"] = _trace(item)
        results.append(record)
    return _envelope(call, results, errors, ok)


def _collection(call: Call) -> Collection:
    return object_type(call)[1]


async def batch_create(call: Call) -> Response:
    name, collection = object_type(call)
    _body, inputs = await _inputs(call)

    def create(item: dict[str, Any]) -> dict[str, Any]:
        return create_one(call, name, collection, item.get("properties", {}))

    return _each(call, inputs, create, 201)


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
    for item in inputs:
        if not isinstance(item, dict) or "id" not in item:
            raise validation("Each input needs an id and an idProperty")

    indexes: dict[str, UniqueIndex] = {}  # per idProperty, one overlay pass per call

    def upsert(item: dict[str, Any]) -> dict[str, Any]:
        id_property = item.get("idProperty")
        properties = dict(item.get("properties") or {})
        definition = collection.field_index.get(str(id_property))
        by_email = name == "contacts" and id_property == "email"
        if by_email or (definition is not None and definition.external_id):
            key = str(id_property)
            index = indexes.get(key) or indexes.setdefault(key, UniqueIndex(collection, name, key))
            existing = index.find(str(item["id"]))
        else:
            index, existing = None, find(collection, name, str(item["id"]), id_property)
        if existing is not None:
            record = update_one(call, name, collection, existing.id, properties)
            record["new"] = False
            return record
        if id_property and id_property != "hs_object_id":
            properties.setdefault(id_property, item["id"])
        checked = index is not None and id_property == "email"
        record = create_one(call, name, collection, properties, unique_checked=checked)
        record["new"] = True
        if index is not None:
            made = collection.get(str(record["id"]))
            if made is not None:
                index.add(made)
        return record

    return _each(call, inputs, upsert, 200)


async def batch_archive(call: Call) -> Response:
    name, collection = object_type(call)
    _body, inputs = await _inputs(call)
    for item in inputs:
        entry = collection.get(str((item or {}).get("id", "")))
        if entry is not None:
            call.tenant.delete(name, entry.id)
    return empty_response(204)
