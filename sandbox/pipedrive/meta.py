"""Metadata: the *Fields endpoints (v1 and v2), pipelines, stages and users.

Custom fields are found here: v2 lists `field_code` (the 40-character key
records use under `custom_fields`) with `is_custom_field`; v1 lists `key`
with `edit_flag` true for custom fields.
"""

from __future__ import annotations

from itertools import islice
from typing import Any

from starlette.responses import Response

from sandbox.core import Call, FieldDef, json_response
from sandbox.pipedrive.errors import not_found
from sandbox.pipedrive.render import v1_time
from sandbox.pipedrive.schema import FIELDS_ENDPOINTS, PIPELINES, STAGES

TYPES = {
    "string": "varchar",
    "text": "text",
    "email": "varchar",
    "phone": "phone",
    "url": "varchar",
    "picklist": "enum",
    "boolean": "enum",
    "integer": "int",
    "number": "double",
    "currency": "monetary",
    "percent": "double",
    "date": "date",
    "datetime": "date",
}
REFERENCE_TYPES = {
    "users": "user",
    "organizations": "org",
    "persons": "people",
    "deals": "deal",
    "leads": "lead",
}
SPECIAL = {"stage_id": "stage", "status": "status", "visible_to": "visible_to", "label_ids": "set"}
CREATED_MS = 1_577_836_800_000  # 2020-01-01: when the standard fields "were added"


def field_type(field: FieldDef) -> str:
    if field.name in SPECIAL:
        return SPECIAL[field.name]
    if field.type == "reference":
        return REFERENCE_TYPES.get(str(field.reference_to), "varchar")
    return TYPES.get(field.type, "varchar")


def _fields_of(call: Call) -> tuple[str, list[FieldDef]]:
    name = call.request.url.path.rstrip("/").rsplit("/", 1)[-1]
    obj = FIELDS_ENDPOINTS.get(name)
    if obj is None:
        raise not_found("resource")
    return obj, list(call.collection(obj).fields)


def _options(field: FieldDef) -> list[dict[str, Any]] | None:
    return (
        [{"id": n + 1, "label": o} for n, o in enumerate(field.options)] if field.options else None
    )


async def fields_v2(call: Call) -> Response:
    _obj, fields = _fields_of(call)
    data = [
        {
            "field_name": f.display_label if f.custom else f.name.replace("_", " ").capitalize(),
            "field_code": f.name,
            "field_type": field_type(f),
            "is_custom_field": f.custom,
            "is_optional_response_field": False,
            "options": _options(f),
            "subfields": None,
            "ui_visibility": {"add_visible_flag": True, "details_visible_flag": True},
            "important_fields": {"enabled": False, "stage_ids": []},
            "required_fields": {"enabled": f.required, "stage_ids": []},
        }
        for f in fields
    ]
    return json_response({"success": True, "data": data, "additional_data": {"next_cursor": None}})


async def fields_v1(call: Call) -> Response:
    _obj, fields = _fields_of(call)
    params = call.request.query_params
    start, limit = (
        int(params.get("start", "0") or 0),
        min(int(params.get("limit", "100") or 100), 500),
    )
    page = list(islice(enumerate(fields), start, start + limit))
    data = [
        {
            "id": n + 1,
            "key": f.name,
            "name": f.display_label if f.custom else f.name.replace("_", " ").capitalize(),
            "order_nr": n + 1,
            "field_type": field_type(f),
            "add_time": v1_time(CREATED_MS),
            "update_time": v1_time(CREATED_MS),
            "last_updated_by_user_id": None,
            "created_by_user_id": None,
            "active_flag": True,
            "edit_flag": f.custom,
            "index_visible_flag": True,
            "details_visible_flag": True,
            "add_visible_flag": True,
            "important_flag": False,
            "bulk_edit_allowed": f.updateable,
            "searchable_flag": False,
            "filtering_allowed": True,
            "sortable_flag": True,
            "mandatory_flag": f.required,
            "options": _options(f),
        }
        for n, f in page
    ]
    more = start + limit < len(fields)
    pagination: dict[str, Any] = {"start": start, "limit": limit, "more_items_in_collection": more}
    if more:
        pagination["next_start"] = start + limit
    return json_response(
        {"success": True, "data": data, "additional_data": {"pagination": pagination}}
    )


async def pipelines(call: Call) -> Response:
    data = [
        {
            "id": i,
            "name": name,
            "order_nr": i,
            "is_deleted": False,
            "is_deal_probability_enabled": True,
        }
        for i, name in PIPELINES
    ]
    return json_response({"success": True, "data": data, "additional_data": {"next_cursor": None}})


async def stages(call: Call) -> Response:
    pipeline = call.request.query_params.get("pipeline_id")
    data = [
        {
            "id": i,
            "name": name,
            "pipeline_id": p,
            "deal_probability": prob,
            "order_nr": i,
            "is_deleted": False,
        }
        for i, name, p, prob in STAGES
        if pipeline is None or str(p) == pipeline
    ]
    return json_response({"success": True, "data": data, "additional_data": {"next_cursor": None}})


def _user(record_id: str, fields: dict[str, Any], company_id: int) -> dict[str, Any]:
    return {
        "id": int(record_id),
        **fields,
        "company_id": company_id,
        "locale": "en_US",
        "lang": 1,
        "has_created_company": record_id.endswith("1"),
        "role_id": 1,
    }


async def users(call: Call) -> Response:
    company = int(call.tenant.config.settings["company_id"])
    data = [_user(e.id, e.fields, company) for e in call.collection("users").scan()]
    return json_response({"success": True, "data": data})


async def me(call: Call) -> Response:
    entry = next(iter(call.collection("users").scan()))
    settings = call.tenant.config.settings
    data = _user(entry.id, entry.fields, int(settings["company_id"]))
    data.update(company_name=call.tenant.name.title(), company_domain=settings["company_domain"])
    return json_response({"success": True, "data": data})
