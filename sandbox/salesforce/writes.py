"""Validation and defaults of sObject create/update bodies, in Salesforce's words."""

from __future__ import annotations

import re
from typing import Any

from sandbox.core import FieldDef, Tenant
from sandbox.salesforce.errors import fail
from sandbox.salesforce.filters import parse_datetime_ms
from sandbox.salesforce.ids import SalesforceIds, checksum18, looks_like_id
from sandbox.salesforce.objects import stage_fields
from sandbox.salesforce.sfschema import SfObject, autonumber_field, sf_datetime

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_JSON_NAMES = {
    bool: "VALUE_TRUE",
    int: "VALUE_NUMBER_INT",
    float: "VALUE_NUMBER_FLOAT",
    str: "VALUE_STRING",
}


def _parser_error(kind: str, value: Any) -> Exception:
    token = _JSON_NAMES.get(type(value), "START_OBJECT")
    return fail(
        400,
        "JSON_PARSER_ERROR",
        f"Cannot deserialize instance of {kind} from {token} value {value} or request may be "
        "missing a required field at [line:1, column:1]",
    )


def _coerce(tenant: Tenant, definition: FieldDef, value: Any) -> Any:
    kind, name = definition.type, definition.name
    if value is None:
        if kind == "boolean":
            raise _parser_error("boolean", value)
        return None
    if kind == "boolean":
        if not isinstance(value, bool):
            raise _parser_error("boolean", value)
        return value
    if kind in ("integer", "number", "currency", "percent"):
        if isinstance(value, bool):
            raise _parser_error("double", value)
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise _parser_error("int" if kind == "integer" else "double", value) from None
        return int(number) if kind == "integer" else number
    if kind == "date":
        if not isinstance(value, str) or not _DATE.match(value):
            raise fail(
                400,
                "JSON_PARSER_ERROR",
                f'Cannot deserialize value of type `java.util.Date` from String "{value}": '
                'expected format "yyyy-MM-dd"',
            )
        return value
    if kind == "datetime":
        try:
            return sf_datetime(parse_datetime_ms(str(value)))
        except ValueError:
            raise fail(
                400,
                "JSON_PARSER_ERROR",
                f'Cannot deserialize value of type `java.util.Date` from String "{value}": '
                "not a valid representation",
            ) from None
    if isinstance(value, dict | list):
        raise _parser_error("string", value)
    text = (
        value
        if isinstance(value, str)
        else str(value).lower()
        if isinstance(value, bool)
        else str(value)
    )
    if kind == "reference":
        target = definition.reference_to or ""
        ids = tenant.specs[target].ids
        normalized = checksum18(text) if len(text) == 15 and looks_like_id(text) else text
        if not isinstance(ids, SalesforceIds) or not normalized.startswith(ids.prefix):
            raise fail(
                400,
                "MALFORMED_ID",
                f"{definition.display_label}: id value of incorrect type: {text}",
                [name],
            )
        if tenant.collection(target).get(normalized) is None:
            raise fail(
                400,
                "INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY",
                f"insufficient access rights on cross-reference id: {text}",
                [name],
            )
        return normalized
    if len(text) > definition.length:
        raise fail(
            400,
            "STRING_TOO_LONG",
            f"{definition.display_label}: data value too large: {text[:60]} "
            f"(max length={definition.length})",
            [name],
        )
    return text


def validate(tenant: Tenant, obj: SfObject, body: Any, *, creating: bool) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise _parser_error(obj.name, body)
    fields: dict[str, Any] = {}
    for key, value in body.items():
        if key == "attributes":
            continue
        name = obj.canonical(key)
        if name is None:
            raise fail(
                400, "INVALID_FIELD", f"No such column '{key}' on sobject of type {obj.name}"
            )
        if name == "Id":
            if creating:
                raise fail(
                    400,
                    "INVALID_FIELD",
                    "The Id field should not be specified in the sobject data.",
                )
            continue
        definition = obj.fields[name]
        if not definition.updateable or not obj.is_stored(name):
            raise fail(
                400,
                "INVALID_FIELD_FOR_INSERT_UPDATE",
                f"Unable to create/update fields: {name}. Please check the security settings of "
                "this field and verify that it is read/write for your profile or permission set.",
                [name],
            )
        fields[name] = _coerce(tenant, definition, value)
    missing = [
        d.name
        for d in obj.fields.values()
        if d.required
        and d.updateable
        and obj.is_stored(d.name)
        and (
            (creating and fields.get(d.name) is None)
            or (d.name in fields and fields[d.name] is None)
        )
    ]
    if missing:
        raise fail(
            400,
            "REQUIRED_FIELD_MISSING",
            f"Required fields are missing: [{', '.join(missing)}]",
            missing,
        )
    return fields


def derive(
    tenant: Tenant, obj: SfObject, fields: dict[str, Any], current: dict[str, Any] | None
) -> dict[str, Any]:
    """Fields Salesforce fills in itself: defaults, autonumbers, stage and status effects."""
    out = dict(fields)
    merged = {**(current or {}), **fields}
    if current is None:
        for definition in obj.fields.values():
            if obj.is_stored(definition.name) and definition.name not in out:
                out[definition.name] = False if definition.type == "boolean" else None
        if "OwnerId" in obj.fields and out.get("OwnerId") is None:
            out["OwnerId"] = obj.integration_user
        if "CurrencyIsoCode" in obj.fields and out.get("CurrencyIsoCode") is None:
            out["CurrencyIsoCode"] = str(tenant.config.settings.get("currency", "USD"))
        number_field = autonumber_field(obj.name)
        if number_field:
            out[number_field] = f"{tenant.collection(obj.name).next_index + 1:08d}"
        if obj.name == "Task":
            out["Status"] = out.get("Status") or "Not Started"
            out["Priority"] = out.get("Priority") or "Normal"
            out["TaskSubtype"] = out.get("TaskSubtype") or "Task"
        if obj.name == "Quote":
            for money in ("Subtotal", "TotalPrice", "GrandTotal"):
                out[money] = 0.0
            opportunity = tenant.collection("Opportunity").get(str(out.get("OpportunityId")))
            out["AccountId"] = opportunity.fields.get("AccountId") if opportunity else None
        if obj.name == "Order":
            out["TotalAmount"] = 0.0
    if obj.name == "Opportunity" and "StageName" in fields:
        out.update(stage_fields(str(merged["StageName"])))
    if obj.name == "Task" and "Status" in out:
        out["IsClosed"] = out["Status"] == "Completed"
    if obj.name == "Event" and ("StartDateTime" in fields or "DurationInMinutes" in fields):
        start = merged.get("StartDateTime")
        if start:
            minutes = int(merged.get("DurationInMinutes") or 60)
            start_ms = parse_datetime_ms(str(start))
            out["ActivityDate"] = str(start)[:10]
            out["DurationInMinutes"] = minutes
            out["EndDateTime"] = sf_datetime(start_ms + minutes * 60_000)
    return out
