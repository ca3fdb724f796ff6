"""Checking a write's body against an object's fields, in Pipedrive's words.

References are integers (lead ids are UUIDs) and must exist; emails and
phones are lists of {value, primary, label} (a bare string is accepted as the
primary value, as Pipedrive does); custom fields go in `custom_fields` by
their hash keys. Persons are written by `name`; first and last name follow.
"""

from __future__ import annotations

import re
from typing import Any

from sandbox.core import FieldDef, Tenant
from sandbox.core.clock import now_ms
from sandbox.pipedrive.errors import invalid, not_found
from sandbox.pipedrive.render import v2_time
from sandbox.pipedrive.schema import STAGE_BY_ID

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CLOCK = re.compile(r"^\d{2}:\d{2}(:\d{2})?$")
_LISTS = {"emails", "phones"}
_OBJECTS = {"label_ids", "address", "prices", "value"}


def _check(ok: bool, name: str, what: str) -> None:
    if not ok:
        raise invalid(f"Validation failed: {name}: {what}")


def _contacts(name: str, value: Any) -> list[dict[str, Any]]:
    items = [value] if isinstance(value, str) else value
    _check(isinstance(items, list), name, "Expected array")
    out = []
    for n, item in enumerate(items):
        entry = {"value": item} if isinstance(item, str) else item
        _check(
            isinstance(entry, dict) and isinstance(entry.get("value"), str), name, "Invalid item"
        )
        out.append(
            {
                "value": entry["value"],
                "primary": bool(entry.get("primary", n == 0)),
                "label": str(entry.get("label") or "work"),
            }
        )
    return out


def _value(tenant: Tenant, field: FieldDef, value: Any) -> Any:
    name, kind = field.name, field.type
    if value is None:
        return None
    if name in _LISTS:
        return _contacts(name, value)
    if name in _OBJECTS:
        _check(isinstance(value, list | dict), name, "Expected object or array")
        return value
    if kind == "reference":
        number = isinstance(value, int) and not isinstance(value, bool)
        ok = number or field.reference_to == "leads"
        _check(ok, name, "Expected number")
        target = str(field.reference_to)
        if tenant.collection(target).get(str(value)) is None:
            raise not_found(target.rstrip("s") if target != "activities" else "activity")
        return str(value)
    if kind == "boolean":
        _check(isinstance(value, bool), name, "Expected boolean")
        return value
    if kind in ("integer", "number", "currency", "percent"):
        _check(
            isinstance(value, int | float) and not isinstance(value, bool), name, "Expected number"
        )
        return int(value) if kind == "integer" else float(value)
    _check(isinstance(value, str), name, "Expected string")
    if kind == "date":
        _check(bool(_DATE.match(value)), name, "Invalid date, expected YYYY-MM-DD")
    if name in ("due_time", "duration"):
        _check(bool(_CLOCK.match(value)), name, "Invalid time, expected HH:MM")
    if kind == "picklist" and field.options:
        _check(value in field.options, name, f"Must be one of {', '.join(field.options)}")
    return value


def validate(
    tenant: Tenant, obj: str, body: Any, *, current: dict[str, Any] | None
) -> dict[str, Any]:
    """The stored fields a create (current None) or update writes."""
    _check(isinstance(body, dict), "body", "Expected object")
    index = tenant.collection(obj).field_index
    fields: dict[str, Any] = {}
    for key, value in body.items():
        if key == "custom_fields":
            _check(isinstance(value, dict), key, "Expected object")
            for code, item in value.items():
                field = index.get(code)
                _check(
                    field is not None and field.custom,
                    f"custom_fields.{code}",
                    "Unknown custom field",
                )
                assert field is not None
                fields[code] = _value(tenant, field, item)
            continue
        field = index.get(key)
        _check(field is not None and not field.custom, key, "Unknown field")
        assert field is not None
        _check(field.updateable, key, "Field is read-only")
        fields[key] = _value(tenant, field, value)
    for field in index.values():
        required = field.required and (current is None or field.name in fields)
        _check(not required or fields.get(field.name) not in (None, ""), field.name, "Required")
    return _derive(tenant, obj, fields, current)


def _derive(
    tenant: Tenant, obj: str, fields: dict[str, Any], current: dict[str, Any] | None
) -> dict[str, Any]:
    """What Pipedrive fills in: names, stages and pipelines, status times, defaults."""
    now = v2_time(now_ms())
    if obj == "persons" and fields.get("name"):
        first, _, last = str(fields["name"]).strip().partition(" ")
        fields["first_name"], fields["last_name"] = first, last or None
    if obj == "deals":
        if fields.get("stage_id") is not None:
            stage = STAGE_BY_ID.get(int(fields["stage_id"]))
            if stage is None:
                raise not_found("stage")
            fields["pipeline_id"], fields["stage_change_time"] = stage[2], now
        status = fields.get("status")
        if status is not None and status != (current or {}).get("status"):
            fields["close_time"] = None if status == "open" else now
            fields["won_time"] = now if status == "won" else None
            fields["lost_time"] = now if status == "lost" else None
    if obj == "activities" and "done" in fields:
        fields["marked_as_done_time"] = now if fields["done"] else None
    if current is not None:
        return fields
    owner = tenant.id_of("users", 0)
    defaults: dict[str, Any] = {"owner_id": owner, "visible_to": 3, "label_ids": []}
    defaults.update(
        {
            "deals": {
                "status": "open",
                "stage_id": 1,
                "pipeline_id": 1,
                "is_archived": False,
                "origin": "API",
                "currency": tenant.config.settings["currency"],
                "value": 0.0,
            },
            "activities": {"type": "task", "done": False, "busy": False, "creator_user_id": owner},
            "products": {
                "is_linkable": True,
                "prices": [],
                "billing_frequency": "one-time",
                "tax": 0.0,
            },
            "leads": {"source_name": "API", "is_archived": False, "was_seen": False},
            "notes": {"user_id": owner, "pinned_to_deal_flag": False},
        }.get(obj, {})
    )
    out = dict.fromkeys(tenant.collection(obj).field_index)
    out.update({k: v for k, v in defaults.items() if k in out})
    out.update({k: v for k, v in fields.items() if v is not None or k not in defaults})
    return out
