"""The properties API: each portal's property definitions, custom ones included."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from sandbox.core import Call, FieldDef, json_response
from sandbox.hubspot.crud import object_type
from sandbox.hubspot.errors import fail
from sandbox.hubspot.schema import TYPES

_TYPES = {
    "string": ("string", "text"),
    "text": ("string", "textarea"),
    "email": ("string", "text"),
    "phone": ("string", "phonenumber"),
    "url": ("string", "text"),
    "picklist": ("enumeration", "select"),
    "boolean": ("enumeration", "booleancheckbox"),
    "integer": ("number", "number"),
    "number": ("number", "number"),
    "currency": ("number", "number"),
    "percent": ("number", "number"),
    "date": ("date", "date"),
    "datetime": ("datetime", "date"),
    "reference": ("number", "number"),
    "id": ("number", "number"),
}
STAMP = "2019-08-06T02:43:01.000Z"


def _property(definition: FieldDef, group: str, order: int) -> dict[str, Any]:
    kind, field_type = _TYPES[definition.type]
    options = list(definition.options)
    if definition.type == "boolean":
        options = ["true", "false"]
    return {
        "updatedAt": STAMP,
        "createdAt": STAMP,
        "name": definition.name,
        "label": definition.display_label,
        "type": kind,
        "fieldType": field_type,
        "description": definition.description,
        "groupName": group,
        "options": [
            {"label": o.replace("_", " ").title(), "value": o, "displayOrder": i, "hidden": False}
            for i, o in enumerate(options)
        ],
        "displayOrder": order,
        "calculated": False,
        "externalOptions": False,
        "hasUniqueValue": definition.name == "email" or definition.external_id,
        "hidden": False,
        "hubspotDefined": not definition.custom,
        "modificationMetadata": {
            "archivable": definition.custom,
            "readOnlyDefinition": not definition.custom,
            "readOnlyValue": not definition.updateable,
        },
        "formField": definition.custom,
        "archived": False,
    }


def _all(call: Call) -> tuple[str, list[dict[str, Any]]]:
    name, collection = object_type(call)
    info = TYPES[name]
    group = f"{info.singular}information"
    system = (
        FieldDef("hs_object_id", "id", label="Record ID", updateable=False),
        FieldDef(info.created, "datetime", label="Create Date", updateable=False),
        FieldDef(info.modified, "datetime", label="Last Modified Date", updateable=False),
    )
    definitions = list(collection.fields) + list(system)
    return name, [_property(d, group, i) for i, d in enumerate(definitions)]


async def list_properties(call: Call) -> Response:
    _name, properties = _all(call)
    return json_response({"results": properties})


async def get_property(call: Call) -> Response:
    name, properties = _all(call)
    wanted = str(call.request.path_params["property_name"])
    for prop in properties:
        if prop["name"] == wanted:
            return json_response(prop)
    raise fail(404, "OBJECT_NOT_FOUND", f"Unable to find property {wanted} for object type {name}")
