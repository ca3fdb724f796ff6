"""Search filters: each HubSpot operator on each property type, compiled to a predicate."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sandbox.core import Collection, Entry
from sandbox.hubspot.errors import validation
from sandbox.hubspot.schema import MODIFIED_NAMES, TYPES
from sandbox.hubspot.values import to_epoch_ms

OPERATORS = frozenset(
    (
        *("EQ", "NEQ", "LT", "LTE", "GT", "GTE", "BETWEEN", "IN", "NOT_IN", "HAS_PROPERTY"),
        *("NOT_HAS_PROPERTY", "CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"),
    )
)


Predicate = Callable[[Entry], bool]


def property_getter(
    collection: Collection, object_type: str, prop: str
) -> tuple[str, Callable[[Entry], Any]]:
    info = TYPES[object_type]
    if prop == "hs_object_id":
        return "number", lambda e: float(e.id)
    if prop == info.created:
        return "datetime", lambda e: e.created_ms
    if prop in MODIFIED_NAMES:
        return "datetime", lambda e: e.modified_ms
    definition = collection.field_index.get(prop)
    if definition is None:
        raise validation(f'Property "{prop}" does not exist', subCategory="INVALID_PROPERTY")
    kind = definition.type
    if kind in ("integer", "number", "currency", "percent"):
        return "number", lambda e: _number(e.fields.get(prop))
    if kind in ("date", "datetime"):
        return "datetime", lambda e: to_epoch_ms(str(v)) if (v := e.fields.get(prop)) else None
    return "string", lambda e: str(v).lower() if (v := e.fields.get(prop)) is not None else None


def _number(value: Any) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _convert(kind: str, value: Any, prop: str) -> Any:
    text = str(value)
    if kind == "number":
        number = _number(text)
        if number is None:
            raise validation(f"{text} is not a valid number for {prop}")
        return number
    if kind == "datetime":
        ms = to_epoch_ms(text)
        if ms is None:
            raise validation(f"{text} is not a valid date for {prop}")
        return ms
    return text.lower()


def compile_filter(
    collection: Collection, object_type: str, spec: Any
) -> tuple[str, str, Any, Any, Predicate]:
    if not isinstance(spec, dict) or not isinstance(spec.get("propertyName"), str):
        raise validation("Each filter needs a propertyName and an operator")
    prop, op = spec["propertyName"], str(spec.get("operator", "")).upper()
    if op not in OPERATORS:
        raise validation(f"Invalid operator {op!r} for property {prop}")
    kind, get = property_getter(collection, object_type, prop)
    if op in ("HAS_PROPERTY", "NOT_HAS_PROPERTY"):
        want = op == "HAS_PROPERTY"
        return prop, op, None, None, lambda e: (get(e) not in (None, "")) == want
    if op in ("IN", "NOT_IN"):
        values = {_convert(kind, v, prop) for v in spec.get("values") or []}
        inside = op == "IN"
        return prop, op, None, None, lambda e: (get(e) in values) == inside
    if "value" not in spec:
        raise validation(f"Filter on {prop} with operator {op} needs a value")
    if op in ("CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"):
        pattern = re.compile(re.escape(str(spec["value"]).lower()).replace(r"\*", ".*"))
        want = op == "CONTAINS_TOKEN"

        def tokens(e: Entry) -> bool:
            value = get(e)
            parts = re.split(r"[\s,;@.]+", str(value)) if value is not None else []
            return any(pattern.fullmatch(p) for p in parts) == want

        return prop, op, None, None, tokens
    low = _convert(kind, spec["value"], prop)
    high = _convert(kind, spec.get("highValue", spec["value"]), prop)
    tests: dict[str, Callable[[Any], bool]] = {
        "EQ": lambda v: v == low,
        "NEQ": lambda v: v != low,
        "LT": lambda v: v < low,
        "LTE": lambda v: v <= low,
        "GT": lambda v: v > low,
        "GTE": lambda v: v >= low,
        "BETWEEN": lambda v: low <= v <= high,
    }
    test = tests[op]
    return prop, op, low, high, lambda e: (v := get(e)) is not None and test(v)
