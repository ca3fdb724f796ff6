"""sObject resources: describe, CRUD, get updated/deleted, limits and versions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.responses import Response

from sandbox.core import BodyError, Call, empty_response, json_response
from sandbox.core.clock import now_ms
from sandbox.salesforce.describe import describe_global, describe_object, global_entry
from sandbox.salesforce.errors import fail, not_found
from sandbox.salesforce.filters import parse_datetime_ms
from sandbox.salesforce.render import full_columns, render
from sandbox.salesforce.sfschema import SfObject, schema_of, sf_datetime
from sandbox.salesforce.writes import derive, validate

VERSIONS = [f"{major}.0" for major in range(31, 63)]
RELEASES = {59: "Winter '24", 60: "Spring '24", 61: "Summer '24", 62: "Winter '25"}


def version_of(call: Call) -> str:
    version = str(call.request.path_params.get("version", ""))
    if version not in VERSIONS:
        raise not_found()
    return version


def object_of(call: Call) -> SfObject:
    name = str(call.request.path_params["sobject"])
    obj = schema_of(call.tenant).get(name.lower())
    if obj is None:
        raise not_found()
    return obj


async def versions(call: Call) -> Response:
    return json_response(
        [
            {
                "label": RELEASES.get(int(v.split(".")[0]), f"API {v}"),
                "url": f"/services/data/v{v}",
                "version": v,
            }
            for v in VERSIONS
        ]
    )


async def resources(call: Call) -> Response:
    base = f"/services/data/v{version_of(call)}"
    names = ("sobjects", "query", "queryAll", "limits", "search", "composite", "tooling")
    return json_response({name: f"{base}/{name}" for name in names})


async def limits(call: Call) -> Response:
    version_of(call)
    usage = call.tenant.budget.usage()
    return json_response(
        {
            "DailyApiRequests": {"Max": usage.daily_max, "Remaining": usage.daily_remaining},
            "DailyBulkApiBatches": {"Max": 15000, "Remaining": 15000},
            "DailyBulkV2QueryJobs": {"Max": 10000, "Remaining": 10000},
            "DataStorageMB": {"Max": 5, "Remaining": 5},
            "FileStorageMB": {"Max": 20, "Remaining": 20},
            "SingleEmail": {"Max": 15, "Remaining": 15},
        }
    )


async def describe_all(call: Call) -> Response:
    version = version_of(call)
    return json_response(describe_global(list(schema_of(call.tenant).values()), version))


async def basic_info(call: Call) -> Response:
    version = version_of(call)
    obj = object_of(call)
    if call.request.method == "POST":
        return await create(call, obj, version)
    return json_response({"objectDescribe": global_entry(obj, version), "recentItems": []})


async def describe(call: Call) -> Response:
    version = version_of(call)
    return json_response(describe_object(object_of(call), version))


async def create(call: Call, obj: SfObject, version: str) -> Response:
    if not obj.writable:
        raise fail(
            400, "INVALID_TYPE_FOR_OPERATION", f"entity type {obj.name} does not support create"
        )
    fields = validate(call.tenant, obj, await _body(call), creating=True)
    entry = call.tenant.create(obj.name, derive(call.tenant, obj, fields, None))
    return json_response({"id": entry.id, "success": True, "errors": []}, 201)


async def record(call: Call) -> Response:
    version = version_of(call)
    obj = object_of(call)
    record_id = str(call.request.path_params["record_id"])
    collection = call.tenant.collection(obj.name)
    index = collection.index_of(record_id)
    if index is None:
        raise not_found(
            f"Provided external ID field does not exist or is not accessible: {record_id}"
        )
    entry = collection.entry(index)
    method = call.request.method
    if entry is None:
        raise not_found()
    if entry.deleted:
        if method == "GET":
            raise not_found()
        raise fail(404, "ENTITY_IS_DELETED", "entity is deleted")
    if method == "GET":
        columns = full_columns(obj)
        wanted = call.request.query_params.get("fields")
        if wanted:
            names = [obj.canonical(n.strip()) for n in wanted.split(",") if n.strip()]
            if None in names:
                bad = next(n for n in wanted.split(",") if obj.canonical(n.strip()) is None)
                raise fail(
                    400,
                    "INVALID_FIELD",
                    f"No such column '{bad.strip()}' on sobject of type {obj.name}",
                )
            columns = [c for c in columns if c[0] in names]
        call.served(1)
        return json_response(render(obj, columns, entry, version))
    if not obj.writable:
        raise fail(
            400,
            "INVALID_TYPE_FOR_OPERATION",
            f"entity type {obj.name} does not support this operation",
        )
    if method == "PATCH":
        fields = validate(call.tenant, obj, await _body(call), creating=False)
        call.tenant.update(obj.name, entry.id, derive(call.tenant, obj, fields, entry.fields))
        return empty_response(204)
    if method == "DELETE":
        call.tenant.delete(obj.name, entry.id)
        return empty_response(204)
    raise fail(
        405,
        "METHOD_NOT_ALLOWED",
        f"HTTP Method '{method}' not allowed. Allowed are GET,PATCH,DELETE",
    )


def _window(call: Call) -> tuple[int, int]:
    params = call.request.query_params
    if "start" not in params or "end" not in params:
        raise fail(400, "MISSING_ARGUMENT", "start and end parameters are required")
    try:
        start, end = (
            parse_datetime_ms(params["start"].replace(" ", "+")),
            parse_datetime_ms(params["end"].replace(" ", "+")),
        )
    except ValueError:
        raise fail(
            400, "INVALID_REPLICATION_DATE", "start and end must be ISO 8601 date-times"
        ) from None
    oldest = datetime.fromtimestamp(now_ms() / 1000, UTC) - timedelta(days=30)
    if start < int(oldest.timestamp() * 1000):
        raise fail(400, "INVALID_REPLICATION_DATE", "start date cannot be more than 30 days ago")
    if end <= start:
        raise fail(400, "INVALID_REPLICATION_DATE", "end date must be after the start date")
    return start, end


async def updated(call: Call) -> Response:
    version_of(call)
    obj = object_of(call)
    start, end = _window(call)
    entries = call.tenant.collection(obj.name).scan(
        order="modified", since_ms=start, until_ms=end + 1
    )
    ids = [e.id for e in entries]
    call.served(len(ids))
    return json_response({"ids": ids, "latestDateCovered": sf_datetime(end)})


async def deleted(call: Call) -> Response:
    version_of(call)
    obj = object_of(call)
    start, end = _window(call)
    entries = call.tenant.collection(obj.name).scan(
        order="modified", since_ms=start, until_ms=end + 1, include_deleted=True
    )
    gone = [{"id": e.id, "deletedDate": sf_datetime(e.deleted_ms)} for e in entries if e.deleted_ms]
    call.served(len(gone))
    return json_response(
        {
            "deletedRecords": gone,
            "earliestDateAvailable": sf_datetime(start),
            "latestDateCovered": sf_datetime(end),
        }
    )


async def _body(call: Call) -> Any:
    try:
        return await call.json()
    except BodyError as exc:
        raise fail(400, "JSON_PARSER_ERROR", f"Unexpected character: {exc}") from None
