"""Validation of property values sent by clients, in HubSpot's error vocabulary."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from sandbox.core import Collection, FieldDef
from sandbox.hubspot.errors import validation
from sandbox.hubspot.render import as_string
from sandbox.hubspot.schema import SYSTEM_NAMES

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _problem(name: str, error: str, message: str) -> dict[str, Any]:
    return {
        "isValid": False,
        "message": message,
        "error": error,
        "name": name,
        "localizedErrorMessage": message,
    }


def to_epoch_ms(value: str) -> int | None:
    """HubSpot accepts epoch milliseconds or ISO 8601 for date/datetime values."""
    text = value.strip()
    if text.lstrip("-").isdigit():
        return int(text)
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return int(parsed.timestamp() * 1000)


def _check(definition: FieldDef, raw: Any) -> tuple[str | None, dict[str, Any] | None]:
    name = definition.name
    value = as_string(raw)
    if value is None or value == "":
        return None, None
    kind = definition.type
    if kind in ("integer", "number", "currency", "percent"):
        try:
            float(value)
        except ValueError:
            return None, _problem(
                name,
                "INVALID_LONG" if kind == "integer" else "INVALID_DOUBLE",
                f"{value} is not a valid number",
            )
    elif kind == "boolean":
        if value not in ("true", "false"):
            return None, _problem(name, "INVALID_BOOLEAN", f"{value} is not a valid boolean")
    elif kind == "picklist" and definition.options and value not in definition.options:
        allowed = ", ".join(f'[label: "{o}", value: "{o}"]' for o in definition.options)
        return None, _problem(
            name, "INVALID_OPTION", f'"{value}" was not one of the allowed options: {allowed}'
        )
    elif kind == "email" and not _EMAIL.match(value):
        return None, _problem(name, "INVALID_EMAIL", f"Email address {value} is invalid")
    elif kind in ("date", "datetime"):
        ms = to_epoch_ms(value)
        if ms is None:
            return None, _problem(name, "INVALID_DATE", f"{value} is not a valid date")
        if kind == "date" and not _DATE.match(value):
            value = datetime.fromtimestamp(ms / 1000, UTC).date().isoformat()
    return value, None


def validate_properties(collection: Collection, properties: Any) -> dict[str, str | None]:
    """Clean string values, or a 400 listing every bad property as HubSpot does."""
    if not isinstance(properties, dict):
        raise validation("Invalid input JSON on line 1, column 15: properties must be an object")
    problems: list[dict[str, Any]] = []
    clean: dict[str, str | None] = {}
    for name, raw in properties.items():
        definition = collection.field_index.get(name)
        if definition is None:
            if name in SYSTEM_NAMES:
                message = f'Property "{name}" is read-only'
                problems.append(_problem(name, "READ_ONLY_VALUE", message))
            else:
                message = f'Property "{name}" does not exist'
                problems.append(_problem(name, "PROPERTY_DOESNT_EXIST", message))
            continue
        if not definition.updateable:
            problems.append(_problem(name, "READ_ONLY_VALUE", f'Property "{name}" is read-only'))
            continue
        value, problem = _check(definition, raw)
        if problem is not None:
            problems.append(problem)
        else:
            clean[name] = value
    if problems:
        raise validation(f"Property values were not valid: {json.dumps(problems)}")
    return clean
