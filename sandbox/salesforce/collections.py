"""sObject Collections: create (POST), update (PATCH), upsert by an external-id field
(PATCH .../{SObject}/{ExternalIdField}) and delete (DELETE ?ids=a,b), up to 200 records
per call.

As Salesforce documents it: a well-formed request answers 200 with one result per
record in input order, `{"id", "success", "errors": [{"statusCode", "message",
"fields"}]}` (upserts add `created`). With `allOrNone: false` the valid records are
written and each refused one carries its own errors; with `allOrNone: true` one refusal
rolls the whole call back and the others answer ALL_OR_NONE_OPERATION_ROLLED_BACK. A
malformed request (no `records`, more than 200, an unknown external-id field, a value
that cannot be deserialized into its field's type) is one 400/404 with Salesforce's
error array, and nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
from starlette.responses import Response

from sandbox.core import Call, Entry, VendorReply, json_response
from sandbox.salesforce.errors import fail
from sandbox.salesforce.ids import looks_like_id
from sandbox.salesforce.sfschema import SfObject, schema_of
from sandbox.salesforce.sobjects import _body, version_of
from sandbox.salesforce.writes import derive, validate

LIMIT = 200
ROLLED_BACK = {
    "statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK",
    "message": "Record rolled back because not all records were valid and the request was "
    "using AllOrNone header",
    "fields": [],
}
Apply = Callable[[], dict[str, Any]]


class Refused(Exception):
    def __init__(self, code: str, message: str, fields: list[str] | None = None) -> None:
        super().__init__(message)
        self.error = {"statusCode": code, "message": message, "fields": fields or []}


async def create_or_update(call: Call) -> Response:
    version_of(call)
    records, all_or_none = await _records(call)
    creating = call.request.method == "POST"
    plans = [_plan(call, r, creating=creating) for r in records]
    return _answer(call, plans, all_or_none)


async def upsert(call: Call) -> Response:
    version_of(call)
    obj = _object(call, str(call.request.path_params["sobject"]))
    key = obj.canonical(str(call.request.path_params["field"]))
    if key is None or not obj.fields[key].external_id:
        raise fail(
            404,
            "NOT_FOUND",
            "Provided external ID field does not exist or is not accessible: "
            f"{call.request.path_params['field']}",
        )
    records, all_or_none = await _records(call)
    collection = call.tenant.collection(obj.name)
    known: dict[str, list[Entry]] = {}
    for entry in collection.overlay_entries():  # generated records carry no external id
        value = entry.fields.get(key)
        if value is not None and not entry.deleted:
            known.setdefault(str(value), []).append(entry)
    seen: set[str] = set()
    plans = [_upsert_plan(call, obj, key, known, seen, r) for r in records]
    return _answer(call, plans, all_or_none)


async def _records(call: Call) -> tuple[list[Any], bool]:
    body = await _body(call)
    records = body.get("records") if isinstance(body, dict) else None
    if not isinstance(records, list):
        raise fail(400, "JSON_PARSER_ERROR", "Cannot deserialize the request: records expected")
    if len(records) > LIMIT:
        raise fail(
            400,
            "EXCEEDED_ID_LIMIT",
            f"record limit reached. cannot submit more than {LIMIT} records into this call",
        )
    return records, bool(body.get("allOrNone", False))


def _object(call: Call, name: str) -> SfObject:
    obj = schema_of(call.tenant).get(name.lower())
    if obj is None:
        raise Refused("INVALID_TYPE", f"sObject type '{name}' is not supported.")
    if not obj.writable:
        raise Refused(
            "INVALID_TYPE_FOR_OPERATION", f"entity type {obj.name} does not support this operation"
        )
    return obj


def _type_of(record: Any) -> str:
    attributes = record.get("attributes") if isinstance(record, dict) else None
    name = attributes.get("type") if isinstance(attributes, dict) else None
    if not name:
        raise Refused("INVALID_TYPE", "Must send a concrete entity type.")
    return str(name)


def _validated(
    call: Call, obj: SfObject, record: dict[str, Any], *, creating: bool
) -> dict[str, Any]:
    body = {k: v for k, v in record.items() if k not in ("attributes", "id", "Id")}
    try:
        return validate(call.tenant, obj, body, creating=creating)
    except VendorReply as reply:
        [error] = orjson.loads(bytes(reply.response.body))
        if error["errorCode"] == "JSON_PARSER_ERROR":
            raise  # the body cannot be read: the whole request fails, nothing is written
        raise Refused(error["errorCode"], error["message"], error.get("fields")) from None


def _plan(call: Call, record: Any, *, creating: bool) -> Apply | Refused:
    """Validate now, write later (so allOrNone can refuse the whole call first)."""
    try:
        obj = _object(call, _type_of(record))
        if creating:
            if record.get("id") or record.get("Id"):
                raise Refused("INVALID_FIELD", "cannot specify Id in an insert call", ["Id"])
            fields = _validated(call, obj, record, creating=True)
            return lambda: _create(call, obj, fields)
        record_id = str(record.get("id") or record.get("Id") or "")
        if not record_id:
            raise Refused("MISSING_ARGUMENT", "Id not specified in an update call", ["Id"])
        entry = call.tenant.collection(obj.name).get(record_id)
        if entry is None:
            raise Refused("ENTITY_IS_DELETED", "entity is deleted", [])
        fields = _validated(call, obj, record, creating=False)
        return lambda: _update(call, obj, entry, fields)
    except Refused as refused:
        return refused


def _upsert_plan(
    call: Call,
    obj: SfObject,
    key: str,
    known: dict[str, list[Entry]],
    seen: set[str],
    record: Any,
) -> Apply | Refused:
    try:
        if _type_of(record).lower() != obj.name.lower():
            raise Refused("INVALID_TYPE", f"Record type must be {obj.name} for this upsert")
        value = next((v for k, v in record.items() if k.lower() == key.lower()), None)
        if value in (None, ""):
            raise Refused("MISSING_ARGUMENT", f"{key} not specified", [key])
        matches = known.get(str(value), [])
        if str(value) in seen:
            raise Refused("DUPLICATE_VALUE", f"duplicate value found: {key} duplicates value "
                          "on record with id: (this request)", [key])  # fmt: skip
        seen.add(str(value))
        if len(matches) > 1:
            raise Refused(
                "DUPLICATE_EXTERNAL_ID",
                f"{key}: more than one record found for external id field: "
                f"{[m.id for m in matches]}",
                [key],
            )
        if matches:
            entry = matches[0]
            fields = _validated(call, obj, record, creating=False)
            return lambda: {**_update(call, obj, entry, fields), "created": False}
        fields = _validated(call, obj, record, creating=True)
        return lambda: {**_create(call, obj, fields), "created": True}
    except Refused as refused:
        return refused


def _create(call: Call, obj: SfObject, fields: dict[str, Any]) -> dict[str, Any]:
    entry = call.tenant.create(obj.name, derive(call.tenant, obj, fields, None))
    return {"id": entry.id, "success": True, "errors": []}


def _update(call: Call, obj: SfObject, entry: Entry, fields: dict[str, Any]) -> dict[str, Any]:
    call.tenant.update(obj.name, entry.id, derive(call.tenant, obj, fields, entry.fields))
    return {"id": entry.id, "success": True, "errors": []}


def _answer(call: Call, plans: list[Apply | Refused], all_or_none: bool) -> Response:
    if all_or_none and any(isinstance(p, Refused) for p in plans):
        return json_response(
            [
                {"success": False, "errors": [p.error if isinstance(p, Refused) else ROLLED_BACK]}
                for p in plans
            ]
        )
    results = [
        {"success": False, "errors": [p.error]} if isinstance(p, Refused) else p() for p in plans
    ]
    return json_response(results)


async def delete(call: Call) -> Response:
    """`DELETE composite/sobjects?ids=a,b&allOrNone=false`: a DeleteResult per id in order.
    A deleted record goes to the recycle bin (queryAll shows it IsDeleted); an id already
    there answers ENTITY_IS_DELETED, a well-formed id of no record
    INVALID_CROSS_REFERENCE_KEY, a malformed one MALFORMED_ID."""
    version_of(call)
    params = call.request.query_params
    ids = [i.strip() for i in params.get("ids", "").split(",") if i.strip()]
    if not ids:
        raise fail(400, "MISSING_ARGUMENT", "ids parameter is required")
    if len(ids) > LIMIT:
        raise fail(
            400,
            "EXCEEDED_ID_LIMIT",
            f"record limit reached. cannot submit more than {LIMIT} records into this call",
        )
    plans = [_delete_plan(call, record_id) for record_id in ids]
    return _answer(call, plans, params.get("allOrNone", "false").lower() == "true")


def _delete_plan(call: Call, record_id: str) -> Apply | Refused:
    if not looks_like_id(record_id):
        return Refused("MALFORMED_ID", f"malformed id {record_id}")
    for obj in schema_of(call.tenant).values():
        if obj.key_prefix != record_id[:3]:
            continue
        collection = call.tenant.collection(obj.name)
        index = collection.index_of(record_id)
        entry = collection.entry(index) if index is not None else None
        if entry is None:
            continue
        if entry.deleted:
            return Refused("ENTITY_IS_DELETED", "entity is deleted")
        if not obj.writable:
            return Refused(
                "INVALID_TYPE_FOR_OPERATION",
                f"entity type {obj.name} does not support this operation",
            )
        return lambda: _delete(call, obj, entry)
    return Refused("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")


def _delete(call: Call, obj: SfObject, entry: Entry) -> dict[str, Any]:
    call.tenant.delete(obj.name, entry.id)
    return {"id": entry.id, "success": True, "errors": []}
