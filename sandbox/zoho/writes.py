"""Insert, update, upsert and delete, with Zoho's per-record results.

A write carries up to 100 records in `data`; each gets its own result
(`{"code": "SUCCESS", "details": {...}, "message": "record added", "status":
"success"}` or an error with the offending `api_name` and `json_path`). All
succeeded: 201 for inserts, 200 otherwise; some failed: 207; all failed: 400.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from sandbox.core import BodyError, Call, json_response
from sandbox.zoho.errors import error_body, fail
from sandbox.zoho.records import module_of
from sandbox.zoho.render import tenant_names, zoho_time
from sandbox.zoho.schema import Module
from sandbox.zoho.validate import RecordRefused, derive, validate

MAX_RECORDS = 100


async def _rows(call: Call) -> list[Any]:
    try:
        body = await call.json()
    except BodyError:
        raise fail(400, "INVALID_DATA", "body") from None
    rows = body.get("data") if isinstance(body, dict) else None
    if not isinstance(rows, list) or not rows:
        raise fail(
            400,
            "REQUIRED_PARAM_MISSING",
            "One of the expected parameter is missing",
            {"param_name": "data"},
        )
    if len(rows) > MAX_RECORDS:
        raise fail(
            400, "LIMIT_EXCEEDED", "limit exceeded", {"limit": MAX_RECORDS, "api_name": "data"}
        )
    return rows


def _success(call: Call, module: Module, record_id: str, message: str) -> dict[str, Any]:
    entry = call.collection(module.api_name).get(record_id)
    assert entry is not None
    offset = str(call.tenant.config.settings["tz"])
    owner = tenant_names(call.tenant)("users", str(entry.fields.get("Owner")))
    who = {"name": owner["name"] if owner else None, "id": str(entry.fields.get("Owner"))}
    return {
        "code": "SUCCESS",
        "details": {
            "Modified_Time": zoho_time(entry.modified_ms, offset),
            "Modified_By": who,
            "Created_Time": zoho_time(entry.created_ms, offset),
            "id": entry.id,
            "Created_By": who,
        },
        "message": message,
        "status": "success",
    }


def _answer(results: list[dict[str, Any]], ok_status: int) -> Response:
    failed = sum(1 for r in results if r["status"] == "error")
    status = ok_status if not failed else 400 if failed == len(results) else 207
    return json_response({"data": results}, status)


def _insert(call: Call, module: Module, row: Any, path: str) -> str:
    fields = validate(call.tenant, module, row, creating=True, path=path)
    entry = call.tenant.create(module.api_name, derive(module.api_name, fields, None))
    return entry.id


def _update(call: Call, module: Module, record_id: str, row: Any, path: str) -> None:
    collection = call.collection(module.api_name)
    current = (
        collection.get(record_id) if collection.spec.ids.parse(record_id) is not None else None
    )
    if current is None:
        raise RecordRefused(
            "INVALID_DATA",
            "the id given seems to be invalid",
            {"api_name": "id", "json_path": f"{path}.id"},
        )
    fields = validate(call.tenant, module, row, creating=False, path=path)
    call.tenant.update(module.api_name, record_id, derive(module.api_name, fields, current.fields))


async def insert(call: Call) -> Response:
    module = module_of(call)
    results = []
    for i, row in enumerate(await _rows(call)):
        try:
            new_id = _insert(call, module, row, f"$.data[{i}]")
        except RecordRefused as refused:
            results.append(error_body(refused.code, refused.message, refused.details))
            continue
        results.append(_success(call, module, new_id, "record added"))
    return _answer(results, 201)


async def update(call: Call) -> Response:
    module = module_of(call)
    path_id = call.request.path_params.get("record_id")
    rows = await _rows(call)
    results = []
    for i, row in enumerate(rows):
        path = f"$.data[{i}]"
        record_id = (
            str(path_id) if path_id else str(row.get("id", "")) if isinstance(row, dict) else ""
        )
        try:
            if not record_id:
                raise RecordRefused(
                    "MANDATORY_NOT_FOUND",
                    "required field not found",
                    {"api_name": "id", "json_path": f"{path}.id"},
                )
            _update(call, module, record_id, row, path)
        except RecordRefused as refused:
            results.append(error_body(refused.code, refused.message, refused.details))
            continue
        results.append(_success(call, module, record_id, "record updated"))
    return _answer(results, 200)


async def upsert(call: Call) -> Response:
    """Update the record matching `duplicate_check_fields` (default: the module's
    unique fields, Email for Contacts), insert when none matches."""
    module = module_of(call)
    rows = await _rows(call)
    body = await call.json()
    keys = body.get("duplicate_check_fields") or {
        "Contacts": ["Email"],
        "Accounts": ["Account_Name"],
        "Products": ["Product_Name"],
    }.get(module.api_name, [])
    collection = call.collection(module.api_name)
    index: dict[str, dict[Any, str]] = {}  # duplicate-check field -> value -> record id

    def existing(name: str, value: Any) -> str | None:
        if name not in index:  # one pass over the module per call, not one per row
            index[name] = {}
            for entry in collection.scan():
                index[name].setdefault(entry.fields.get(name), entry.id)
        return index[name].get(value)

    results = []
    for i, row in enumerate(rows):
        path = f"$.data[{i}]"
        try:
            if not isinstance(row, dict):
                raise RecordRefused("INVALID_DATA", "invalid data", {"json_path": path})
            match = next((k for k in keys if row.get(k) not in (None, "")), None)
            found = existing(match, row[match]) if match is not None else None
            if found is not None:
                _update(call, module, found, row, path)
                result = _success(call, module, found, "record updated")
                result.update(action="update", duplicate_field=match)
            else:
                new_id = _insert(call, module, row, path)
                if match is not None:
                    index[match][row[match]] = new_id
                result = _success(call, module, new_id, "record added")
                result.update(action="insert", duplicate_field=None)
        except RecordRefused as refused:
            results.append(error_body(refused.code, refused.message, refused.details))
            continue
        results.append(result)
    return _answer(results, 200)


async def delete(call: Call) -> Response:
    module = module_of(call)
    path_id = call.request.path_params.get("record_id")
    raw = str(path_id) if path_id else call.request.query_params.get("ids", "")
    ids = [i.strip() for i in raw.split(",") if i.strip()]
    if not ids:
        raise fail(
            400,
            "REQUIRED_PARAM_MISSING",
            "One of the expected parameter is missing",
            {"param_name": "ids"},
        )
    if len(ids) > MAX_RECORDS:
        raise fail(
            400, "LIMIT_EXCEEDED", "limit exceeded", {"limit": MAX_RECORDS, "param_name": "ids"}
        )
    collection = call.collection(module.api_name)
    results = []
    for record_id in ids:
        if collection.spec.ids.parse(record_id) is None or collection.get(record_id) is None:
            results.append(
                error_body("INVALID_DATA", "the id given seems to be invalid", {"id": record_id})
            )
            continue
        call.tenant.delete(module.api_name, record_id)
        results.append(
            {
                "code": "SUCCESS",
                "details": {"id": record_id},
                "message": "record deleted",
                "status": "success",
            }
        )
    return _answer(results, 200)
