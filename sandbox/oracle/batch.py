"""Batch actions: `POST <REST root>` with `application/vnd.oracle.adf.batch+json`.

The body is `{"parts": [{"id", "path", "operation", "payload"?, "ifMatch"?}]}`,
each path relative to the version root (`/itemsV2`, `/itemsV2/<key>`), each
operation one of get, create, update, replace, delete. Oracle documents batch
actions as all-or-none: parts run in order, and if one fails none is kept and
the answer lists only the failed parts, each with its error. So every part is
checked first (payload, business rules, key, precondition) and only then are
all applied; a failed batch answers 400 with `{"parts": [{"id", "path",
"operation", "exception": <the error document a single request would get>}]}`.
A successful one answers 200 with every part and its resulting `payload`.
(The exception's field name is the sandbox's reading; Oracle's pages show the
request schema, not a failed answer.) Child paths (`.../child/lines/...`) are
not simulated in a batch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from starlette.responses import Response

from sandbox.core import Call, Entry, VendorReply, json_response
from sandbox.oracle import access
from sandbox.oracle.errors import fail
from sandbox.oracle.render import Renderer, resources_for
from sandbox.oracle.resources import RESOURCES, Resource
from sandbox.oracle.writes import (
    check_precondition,
    prepare_create,
    read_payload,
    remember_created,
)

BATCH_TYPE = "application/vnd.oracle.adf.batch+json"
OPERATIONS = ("get", "create", "update", "replace", "delete")
MAX_PARTS = 500  # the sandbox's own cap; Oracle names none but a request timeout


@dataclass
class _Part:
    id: str
    path: str
    operation: str
    resource: Resource
    key: str | None
    payload: Any
    if_match: str | None
    fields: dict[str, Any] | None = None
    entry: Entry | None = None


def _parse(body: Any, root: str, version: int) -> list[_Part]:
    parts = body.get("parts") if isinstance(body, dict) else None
    if not isinstance(parts, list) or not parts:
        raise fail(400, "A batch request needs a non-empty list of parts", version)
    if len(parts) > MAX_PARTS:
        raise fail(400, f"A batch request takes at most {MAX_PARTS} parts", version)
    found = []
    for raw in parts:
        if not isinstance(raw, dict) or not all(
            isinstance(raw.get(k), str) for k in ("id", "path", "operation")
        ):
            raise fail(400, "Each part needs a string id, path and operation", version)
        if raw["operation"] not in OPERATIONS:
            raise fail(400, f"The operation {raw['operation']} is not valid", version)
        segments = raw["path"].strip("/").split("/")
        resource = RESOURCES.get(segments[0])
        if resource is None or resource.root != root or len(segments) > 2:
            raise fail(400, f"The path {raw['path']} is not a resource of this batch", version)
        key = segments[1] if len(segments) == 2 else None
        found.append(
            _Part(raw["id"], raw["path"], raw["operation"], resource, key,
                  raw.get("payload"), raw.get("ifMatch"))
        )  # fmt: skip
    return found


def _check(call: Call, part: _Part, renderer: Renderer, version: int) -> None:
    """Everything that can refuse the part, without changing anything."""
    resource = renderer.resources[part.resource.name]
    creating = part.operation == "create"
    if creating == (part.key is not None):
        raise fail(
            400, f"The operation {part.operation} does not fit the path {part.path}", version
        )
    if part.key is not None:
        part.entry = access.find(call.tenant, resource, part.key, renderer)
        if part.entry is None:
            raise fail(404, f"The requested resource {part.path} was not found", version)
        if part.if_match:
            check_precondition({"if-match": part.if_match}, part.entry, version)
    if creating:
        if not resource.creatable:
            raise fail(405, f"The resource {resource.name} does not allow POST", version)
        part.fields = read_payload(part.payload, resource, version, creating=True)
        prepare_create(call.tenant, resource, dict(part.fields), version)
    elif part.operation in ("update", "replace"):
        if not resource.updatable:
            raise fail(405, f"The resource {resource.name} does not allow PATCH", version)
        part.fields = read_payload(part.payload, resource, version, creating=False)
    elif part.operation == "delete" and not resource.deletable:
        raise fail(405, f"The resource {resource.name} does not allow DELETE", version)


def _apply(call: Call, part: _Part, renderer: Renderer, version: int) -> dict[str, Any]:
    resource = renderer.resources[part.resource.name]
    answer: dict[str, Any] = {"id": part.id, "path": part.path, "operation": part.operation}
    tenant = call.tenant
    if part.operation == "create":
        record = prepare_create(tenant, resource, dict(part.fields or {}), version)
        entry = tenant.create(resource.name, record)
        remember_created(tenant, resource, entry)
        answer["payload"] = renderer.item(resource, entry, expand=set(resource.children))
    elif part.operation in ("update", "replace") and part.entry is not None:
        changes = {**(part.fields or {}), "LastUpdatedBy": "INTEGRATION"}
        entry = tenant.update(resource.name, part.entry.id, changes)
        answer["payload"] = renderer.item(resource, entry)
    elif part.operation == "delete" and part.entry is not None:
        tenant.delete(resource.name, part.entry.id, hard=True)
    elif part.key is not None:  # a get sees what the parts before it did
        seen = access.find(tenant, resource, part.key, renderer)
        answer["payload"] = renderer.item(resource, seen) if seen is not None else None
    if part.if_match:
        answer["preconditionSucceeded"] = True
    return answer


def _error_document(body: bytes) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:  # framework versions before 4 answer in plain text
        return {"detail": body.decode(errors="replace")}


async def batch(call: Call, version: int, root: str) -> Response:
    """`root`: the version root the batch was posted to (its parts' paths are below it)."""
    if not call.request.headers.get("content-type", "").startswith(BATCH_TYPE):
        raise fail(415, f"A batch request is sent as {BATCH_TYPE}", version)
    parts = _parse(await call.json(), root, version)
    resources = resources_for(call.tenant)
    renderer = Renderer(str(call.request.base_url).rstrip("/"), resources, version, False)
    failed = []
    numbers: set[str] = set()  # item numbers created by this batch: unique within it too
    for part in parts:
        try:
            _check(call, part, renderer, version)
            number = (part.fields or {}).get("ItemNumber") if part.operation == "create" else None
            if part.resource.name == "itemsV2" and number is not None:
                if str(number) in numbers:
                    raise fail(
                        400, f"An item with the number {number} already exists in the "
                        "organization", version, code="EGP-1018", path="ItemNumber",
                    )  # fmt: skip
                numbers.add(str(number))
        except VendorReply as refusal:
            failed.append(
                {"id": part.id, "path": part.path, "operation": part.operation,
                 "exception": _error_document(bytes(refusal.response.body))}
            )  # fmt: skip
    if failed:
        return json_response({"parts": failed}, 400, media_type=BATCH_TYPE)
    done = [_apply(call, part, renderer, version) for part in parts]
    call.served(len(done))
    return json_response({"parts": done}, 200, media_type=BATCH_TYPE)
