"""Zoho's metadata APIs: fields of a module (with each org's custom fields), the
module list, users and the org. Integrations find custom fields here
(`custom_field: true`) before they can map them.
"""

from __future__ import annotations

from itertools import islice
from typing import Any

from starlette.responses import Response

from sandbox.core import Call, FieldDef, json_response
from sandbox.zoho.errors import fail, invalid_data
from sandbox.zoho.render import render_user
from sandbox.zoho.schema import BY_LOWER, LINE_ITEMS, MODULES

DATA_TYPES = {
    "string": ("text", "string"),
    "text": ("textarea", "string"),
    "email": ("email", "string"),
    "phone": ("phone", "string"),
    "url": ("website", "string"),
    "picklist": ("picklist", "string"),
    "boolean": ("boolean", "boolean"),
    "integer": ("integer", "integer"),
    "number": ("double", "double"),
    "currency": ("currency", "double"),
    "percent": ("percent", "double"),
    "date": ("date", "string"),
    "datetime": ("datetime", "string"),
    "reference": ("lookup", "jsonobject"),
}


def field_json(field: FieldDef, field_id: str) -> dict[str, Any]:
    data_type, json_type = DATA_TYPES[field.type]
    if field.name == "Owner":
        data_type = "ownerlookup"
    if field.name == LINE_ITEMS:
        data_type, json_type = "subform", "jsonarray"
    lookup: dict[str, Any] = {}
    if field.type == "reference" and field.reference_to and field.name != "Owner":
        lookup = {
            "display_label": field.display_label,
            "api_name": field.name,
            "module": field.reference_to,
            "id": field_id,
        }
    return {
        "api_name": field.name,
        "field_label": field.display_label,
        "display_label": field.display_label,
        "data_type": data_type,
        "json_type": json_type,
        "custom_field": field.custom,
        "system_mandatory": field.required,
        "read_only": not field.updateable,
        "field_read_only": not field.updateable,
        "visible": True,
        "length": field.length,
        "decimal_place": 2 if field.type in ("currency", "number") else None,
        "pick_list_values": [
            {"display_value": o, "actual_value": o, "sequence_number": n + 1}
            for n, o in enumerate(field.options)
        ],
        "lookup": lookup,
        "webhook": True,
        "id": field_id,
    }


async def fields(call: Call) -> Response:
    name = call.request.query_params.get("module")
    if not name:
        raise fail(
            400,
            "REQUIRED_PARAM_MISSING",
            "One of the expected parameter is missing",
            {"param_name": "module"},
        )
    module = BY_LOWER.get(name.lower())
    if module is None:
        raise invalid_data("the module name given seems to be invalid", {"param_name": "module"})
    collection = call.collection(module.api_name)
    base = int(call.tenant.config.settings["id_base"]) + 555_000
    listed = [field_json(f, str(base + n)) for n, f in enumerate(collection.fields)]
    return json_response({"fields": listed})


async def modules(call: Call) -> Response:
    base = int(call.tenant.config.settings["id_base"]) + 1_000
    listed = [
        {
            "api_name": m.api_name,
            "module_name": m.plural,
            "singular_label": m.singular,
            "plural_label": m.plural,
            "api_supported": True,
            "creatable": True,
            "editable": True,
            "deletable": True,
            "viewable": True,
            "generated_type": "default",
            "id": str(base + n),
        }
        for n, m in enumerate(MODULES)
    ]
    return json_response({"modules": listed})


async def users(call: Call) -> Response:
    params = call.request.query_params
    kind = params.get("type", "AllUsers")
    try:
        page, per_page = int(params.get("page", "1")), min(int(params.get("per_page", "200")), 200)
    except ValueError:
        raise invalid_data("invalid data", {"param_name": "page"}) from None
    collection = call.collection("users")
    offset = str(call.tenant.config.settings["tz"])
    entries = list(collection.scan())
    if kind == "CurrentUser":
        entries = entries[:1]
    elif kind == "ActiveUsers":
        entries = [e for e in entries if e.fields.get("status") == "active"]
    chunk = list(islice(entries, (page - 1) * per_page, page * per_page))
    return json_response(
        {
            "users": [render_user(e.id, e.fields, offset) for e in chunk],
            "info": {
                "per_page": per_page,
                "count": len(chunk),
                "page": page,
                "more_records": len(entries) > page * per_page,
            },
        }
    )


async def org(call: Call) -> Response:
    settings = call.tenant.config.settings
    currency = str(settings["currency"])
    return json_response(
        {
            "org": [
                {
                    "id": str(settings["org_id"]),
                    "company_name": settings["company"],
                    "iso_code": currency,
                    "currency": currency,
                    "time_zone": settings["time_zone"],
                    "primary_email": f"admin@{call.tenant.name}.sandbox.example.com",
                    "zgid": str(settings["org_id"]),
                    "type": "production",
                    "license_details": {"paid": True, "paid_type": settings["edition"].lower()},
                }
            ]
        }
    )
