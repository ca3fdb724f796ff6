"""Checking one record of a write against the module's fields, in Zoho's words.

Lookups are accepted as `{"id": "..."}` (what Zoho documents) or as the bare
id; they must point at an existing record. Datetimes are stored in the org's
offset, as Zoho would render them back.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sandbox.core import FieldDef, Tenant
from sandbox.core.clock import now_ms
from sandbox.zoho.render import parse_zoho_time, zoho_time
from sandbox.zoho.schema import LINE_ITEMS, STAGES, Module

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NUMBER_TYPES = {
    "integer": "integer",
    "number": "double",
    "currency": "double",
    "percent": "double",
}
_SYSTEM_KEYS = {"id", "Created_Time", "Modified_Time", "Created_By", "Modified_By", "Full_Name"}


class RecordRefused(Exception):
    """One record of a write is refused; the others go ahead."""

    def __init__(self, code: str, message: str, details: Mapping[str, Any]) -> None:
        super().__init__(message)
        self.code, self.message, self.details = code, message, dict(details)


def _bad(name: str, path: str, **extra: Any) -> RecordRefused:
    return RecordRefused(
        "INVALID_DATA", "invalid data", {**extra, "api_name": name, "json_path": f"{path}.{name}"}
    )


def _lookup(tenant: Tenant, target: str, value: Any, name: str, path: str) -> str:
    record_id = value.get("id") if isinstance(value, dict) else value
    if not isinstance(record_id, str | int) or isinstance(record_id, bool):
        raise _bad(name, path, expected_data_type="jsonobject")
    text = str(record_id)
    if target not in tenant.specs or tenant.collection(target).get(text) is None:
        raise RecordRefused(
            "INVALID_DATA",
            "the related id given seems to be invalid",
            {"api_name": name, "json_path": f"{path}.{name}", "id": text},
        )
    return text


def _value(tenant: Tenant, field: FieldDef, value: Any, path: str, module_of_what: str) -> Any:
    kind, name = field.type, field.name
    if value is None:
        return None
    if kind == "reference":
        target = module_of_what if name == "What_Id" else field.reference_to or ""
        return _lookup(tenant, target, value, name, path)
    if kind == "boolean":
        if not isinstance(value, bool):
            raise _bad(name, path, expected_data_type="boolean")
        return value
    if kind in _NUMBER_TYPES:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _bad(name, path, expected_data_type=_NUMBER_TYPES[kind])
        if kind == "integer" and not float(value).is_integer():
            raise _bad(name, path, expected_data_type="integer")
        return int(value) if kind == "integer" else float(value)
    if not isinstance(value, str):
        raise _bad(name, path, expected_data_type="string")
    if kind == "date" and not _DATE.match(value):
        raise _bad(name, path, expected_data_type="date")
    if kind == "datetime":
        try:
            return zoho_time(parse_zoho_time(value), str(tenant.config.settings["tz"]))
        except ValueError:
            raise _bad(name, path, expected_data_type="datetime") from None
    if kind == "picklist" and field.options and value not in field.options:
        raise _bad(name, path)
    if kind == "email" and "@" not in value:
        raise _bad(name, path)
    if len(value) > field.length and kind != "picklist":
        raise RecordRefused(
            "INVALID_DATA",
            "invalid data",
            {"api_name": name, "json_path": f"{path}.{name}", "maximum_length": field.length},
        )
    return value


def _lines(tenant: Tenant, value: Any, path: str) -> list[dict[str, Any]]:
    where = f"{path}.{LINE_ITEMS}"
    if not isinstance(value, list) or not value:
        raise RecordRefused(
            "MANDATORY_NOT_FOUND",
            "required field not found",
            {"api_name": LINE_ITEMS, "json_path": where},
        )
    lines, base = [], int(tenant.config.settings["id_base"]) + 9_000_000_000
    for k, line in enumerate(value):
        at = f"{where}[{k}]"
        if (
            not isinstance(line, dict)
            or line.get("product") is None
            or line.get("quantity") is None
        ):
            raise RecordRefused(
                "MANDATORY_NOT_FOUND",
                "required field not found",
                {"api_name": "product", "json_path": at},
            )
        product_id = _lookup(tenant, "Products", line["product"], "product", at)
        product = tenant.collection("Products").get(product_id)
        price = line.get("list_price", product.fields.get("Unit_Price") if product else 0.0)
        numbers: list[float] = []
        for n in (line["quantity"], price, line.get("Discount") or 0):
            if isinstance(n, bool) or not isinstance(n, int | float):
                raise _bad("quantity", at, expected_data_type="double")
            numbers.append(float(n))
        line_id = str(line.get("id") or base + tenant.collection("Quotes").next_index * 10 + 5 + k)
        lines.append(
            {
                "id": line_id,
                "product": product_id,
                "quantity": float(numbers[0]),
                "list_price": float(numbers[1]),
                "Discount": float(numbers[2]),
                "product_description": line.get("product_description"),
            }
        )
    return lines


def validate(
    tenant: Tenant, module: Module, row: Any, *, creating: bool, path: str
) -> dict[str, Any]:
    """The stored fields of one record of a write; RecordRefused names what is wrong."""
    if not isinstance(row, dict):
        raise RecordRefused("INVALID_DATA", "invalid data", {"json_path": path})
    index = tenant.collection(module.api_name).field_index
    what_module = str(row.get("$se_module") or "Deals")
    if "What_Id" in row and what_module not in ("Deals", "Accounts"):
        raise _bad("$se_module", path)
    fields: dict[str, Any] = {}
    for name, value in row.items():
        if name in _SYSTEM_KEYS or (name.startswith("$") and name != "$se_module"):
            continue
        field = index.get(name)
        if field is None or not field.updateable:
            raise _bad(name, path)
        fields[name] = (
            _lines(tenant, value, path)
            if name == LINE_ITEMS
            else _value(tenant, field, value, path, what_module)
        )
    if "What_Id" in fields and fields["What_Id"] is not None:
        fields["$se_module"] = what_module
    for field in index.values():
        missing = field.name not in fields if creating else False
        if (
            field.required
            and field.updateable
            and (missing or (field.name in fields and fields[field.name] in (None, "")))
        ):
            raise RecordRefused(
                "MANDATORY_NOT_FOUND",
                "required field not found",
                {"api_name": field.name, "json_path": f"{path}.{field.name}"},
            )
    if creating:
        for field in index.values():
            fields.setdefault(field.name, False if field.type == "boolean" else None)
        if fields.get("Owner") is None:
            fields["Owner"] = tenant.id_of("users", 0)
        if module.api_name == "Quotes":
            fields["Quote_Number"] = f"QT-{tenant.collection('Quotes').next_index + 1:06d}"
    if module.api_name == "Tasks" and "Status" in fields:
        done = fields["Status"] == "Completed"
        fields["Closed_Time"] = (
            zoho_time(now_ms(), str(tenant.config.settings["tz"])) if done else None
        )
    return fields


def derive(
    module: str, fields: dict[str, Any], current: Mapping[str, Any] | None
) -> dict[str, Any]:
    """Fields Zoho computes: deal probability and expected revenue, quote totals, task close."""
    merged = {**(current or {}), **fields}
    out = dict(fields)
    if module == "Deals" and ({"Stage", "Amount", "Probability"} & set(fields)):
        if "Stage" in fields and "Probability" not in fields:
            out["Probability"] = float(STAGES.get(str(merged.get("Stage")), 10))
        probability = float(out.get("Probability", merged.get("Probability")) or 0)
        amount = merged.get("Amount")
        out["Expected_Revenue"] = round(float(amount) * probability / 100, 2) if amount else None
    if module == "Quotes" and ({"Product_Details", "Discount", "Tax", "Adjustment"} & set(fields)):
        lines = merged.get("Product_Details") or []
        sub = round(
            sum(
                float(i["quantity"]) * float(i["list_price"]) - float(i.get("Discount") or 0)
                for i in lines
            ),
            2,
        )
        out["Sub_Total"] = sub
        extra = -float(merged.get("Discount") or 0) + float(merged.get("Tax") or 0)
        out["Grand_Total"] = round(sub + extra + float(merged.get("Adjustment") or 0), 2)
    return out
