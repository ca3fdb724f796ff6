"""API v2: persons, organizations, deals, activities and products.

Lists page with an opaque `cursor` (`additional_data.next_cursor`, null on the
last page) and `limit` (default 100, at most 500), sort by id, update_time or
add_time, and filter with `updated_since` (inclusive) / `updated_until`
(exclusive) in RFC 3339, `ids`, owner/org/person/deal ids, and for deals
`status` (deleted deals only when asked for). Updates are PATCH; deletes are
soft (Pipedrive keeps deleted records 30 days).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from datetime import datetime
from itertools import islice
from typing import Any

import orjson
from starlette.responses import Response

from sandbox.core import BodyError, Call, Entry, json_response
from sandbox.core.collection import BASE_SPAN_MS, BASE_START_MS, Order
from sandbox.pipedrive.errors import invalid, not_found
from sandbox.pipedrive.render import render_v2
from sandbox.pipedrive.schema import ENTITIES
from sandbox.pipedrive.validate import validate

SORTS = {"id": "index", "add_time": "index", "update_time": "modified"}
FILTERS = ("owner_id", "org_id", "person_id", "deal_id", "pipeline_id", "stage_id")


def entity_of(call: Call) -> str:
    obj = str(call.request.path_params["obj"])
    if obj not in ENTITIES:
        raise not_found("resource")
    return obj


def word(obj: str) -> str:
    return ENTITIES[obj][0]


def parse_time(name: str, text: str) -> int:
    try:
        return int(datetime.fromisoformat(text.strip().replace("Z", "+00:00")).timestamp() * 1000)
    except ValueError:
        raise invalid(f"Validation failed: {name}: Invalid RFC 3339 date-time") from None


def _cursor(state: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(state)).decode().rstrip("=")


def _uncursor(text: str, fingerprint: str) -> Any:
    try:
        state = orjson.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (ValueError, orjson.JSONDecodeError):
        state = None
    if not isinstance(state, dict) or state.get("f") != fingerprint:
        raise invalid("Invalid cursor")
    key = state["k"]
    return tuple(key) if isinstance(key, list) else key


def _int(call: Call, name: str, default: int, top: int) -> int:
    raw = call.request.query_params.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= top:
        raise invalid(f"Validation failed: {name}: Number must be between 1 and {top}")
    return int(raw)


async def list_records(call: Call) -> Response:
    obj = entity_of(call)
    params = call.request.query_params
    limit = _int(call, "limit", 100, 500)
    sort_by = params.get("sort_by", "id")
    direction = params.get("sort_direction", "asc")
    if sort_by not in SORTS or direction not in ("asc", "desc"):
        raise invalid("Validation failed: sort_by: Invalid sort field or direction")
    since = (
        parse_time("updated_since", params["updated_since"]) if "updated_since" in params else None
    )
    until = (
        parse_time("updated_until", params["updated_until"]) if "updated_until" in params else None
    )
    statuses = set(params.get("status", "").split(",")) - {""} if obj == "deals" else set()
    ids = {i.strip() for i in params.get("ids", "").split(",") if i.strip()}
    wanted = {name: params[name] for name in FILTERS if name in params}
    query = orjson.dumps(
        [obj, sort_by, direction, since, until, sorted(statuses), sorted(ids), wanted]
    )
    fingerprint = hashlib.sha1(query, usedforsecurity=False).hexdigest()[:12]
    after = _uncursor(params["cursor"], fingerprint) if params.get("cursor") else None
    order: Order = "index" if SORTS[sort_by] == "index" else "modified"
    if statuses == {"deleted"}:  # deletions happen now, after every generated record's time
        since = max(since or 0, BASE_START_MS + BASE_SPAN_MS)
    collection = call.collection(obj)
    entries: Iterator[Entry] = collection.scan(
        order=order,
        after=after,
        since_ms=since,
        until_ms=until,
        include_deleted="deleted" in statuses,
        descending=direction == "desc",
    )
    if statuses:
        entries = (
            e for e in entries if ("deleted" if e.deleted else e.fields.get("status")) in statuses
        )
    if ids:
        entries = (e for e in entries if e.id in ids)
    for name, value in wanted.items():
        entries = (e for e in entries if str(e.fields.get(name)) == value)
    chunk = list(islice(entries, limit + 1))
    more, chunk = len(chunk) > limit, chunk[:limit]
    data = [
        render_v2(obj, e.id, e.fields, e.created_ms, e.modified_ms, deleted=e.deleted)
        for e in chunk
    ]
    call.served(len(data))
    nxt = _cursor({"k": collection.key_of(chunk[-1], order), "f": fingerprint}) if more else None
    return json_response({"success": True, "data": data, "additional_data": {"next_cursor": nxt}})


def _entry(call: Call, obj: str) -> Entry:
    record_id = str(call.request.path_params["record_id"])
    found = call.collection(obj).get(record_id, include_deleted=obj == "deals")
    if found is None:
        raise not_found(word(obj))
    return found


def _answer(call: Call, obj: str, entry: Entry) -> Response:
    data = render_v2(
        obj, entry.id, entry.fields, entry.created_ms, entry.modified_ms, deleted=entry.deleted
    )
    call.served(1)
    return json_response({"success": True, "data": data})


async def _body(call: Call) -> Any:
    try:
        return await call.json()
    except BodyError:
        raise invalid("Validation failed: body: Invalid JSON") from None


async def get_record(call: Call) -> Response:
    obj = entity_of(call)
    return _answer(call, obj, _entry(call, obj))


async def create(call: Call) -> Response:
    obj = entity_of(call)
    fields = validate(call.tenant, obj, await _body(call), current=None)
    return _answer(call, obj, call.tenant.create(obj, fields))


async def update(call: Call) -> Response:
    obj = entity_of(call)
    entry = _entry(call, obj)
    if entry.deleted:
        raise not_found(word(obj))
    fields = validate(call.tenant, obj, await _body(call), current=dict(entry.fields))
    return _answer(call, obj, call.tenant.update(obj, entry.id, fields))


async def delete(call: Call) -> Response:
    obj = entity_of(call)
    if not str(call.request.path_params["record_id"]).isdigit():  # v2 validates the path
        raise invalid("Validation failed: id: Expected number, received nan")
    entry = _entry(call, obj)
    if entry.deleted:
        raise not_found(word(obj))
    call.tenant.delete(obj, entry.id)
    return json_response({"success": True, "data": {"id": int(entry.id)}})
