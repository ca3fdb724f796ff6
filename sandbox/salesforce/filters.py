"""SOQL filter semantics: literal types per field type, date constants, comparison
and LIKE predicates, and Salesforce's wording for the errors they raise."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sandbox.core import Entry, FieldDef
from sandbox.salesforce.ids import checksum18, looks_like_id
from sandbox.salesforce.soql_ast import SoqlError, Value

Predicate = Callable[[Entry], bool]


MODSTAMP = {"SystemModstamp", "LastModifiedDate"}


NUMERIC = {"integer", "number", "currency", "percent"}


TEXTUAL = {"string", "email", "phone", "url", "picklist", "text"}


TYPE_WORD = {"integer": "integer", "boolean": "boolean", "date": "date", "datetime": "dateTime"}


def invalid_field(name: str, obj: str, pos: int) -> SoqlError:
    return SoqlError(
        "INVALID_FIELD",
        f"No such column '{name}' on entity '{obj}'. If you are attempting to use a custom field, "
        "be sure to append the '__c' after the custom field name. Please reference your WSDL or "
        "the describe call for the appropriate names.",
        pos,
    )


def invalid_type(name: str, pos: int) -> SoqlError:
    return SoqlError(
        "INVALID_TYPE",
        f"sObject type '{name}' is not supported. If you are attempting to use a custom object, "
        "be sure to append the '__c' after the entity name. Please reference your WSDL or the "
        "describe call for the appropriate names.",
        pos,
    )


def parse_datetime_ms(text: str) -> int:
    normalized = text.replace("Z", "+00:00")
    if re.search(r"[+-]\d{4}$", normalized):
        normalized = normalized[:-2] + ":" + normalized[-2:]
    return int(datetime.fromisoformat(normalized).timestamp() * 1000)


def constant_range(name: str, now: datetime) -> tuple[datetime, datetime]:
    """[start, end) of a SOQL date constant, in UTC (weeks start on Sunday)."""
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    day = timedelta(days=1)
    base, _, amount = name.partition(":")
    n = int(amount) if amount else 0
    week = today - timedelta(days=(today.weekday() + 1) % 7)
    month = today.replace(day=1)
    year = today.replace(month=1, day=1)

    def add_months(start: datetime, months: int) -> datetime:
        index = start.year * 12 + start.month - 1 + months
        return start.replace(year=index // 12, month=index % 12 + 1)

    table = {
        "TODAY": (today, today + day),
        "YESTERDAY": (today - day, today),
        "TOMORROW": (today + day, today + 2 * day),
        "LAST_N_DAYS": (today - n * day, today + day),
        "NEXT_N_DAYS": (today + day, today + (n + 1) * day),
        "N_DAYS_AGO": (today - n * day, today - (n - 1) * day),
        "THIS_WEEK": (week, week + 7 * day),
        "LAST_WEEK": (week - 7 * day, week),
        "NEXT_WEEK": (week + 7 * day, week + 14 * day),
        "THIS_MONTH": (month, add_months(month, 1)),
        "LAST_MONTH": (add_months(month, -1), month),
        "NEXT_MONTH": (add_months(month, 1), add_months(month, 2)),
        "THIS_YEAR": (year, year.replace(year=year.year + 1)),
        "LAST_YEAR": (year.replace(year=year.year - 1), year),
        "NEXT_YEAR": (year.replace(year=year.year + 1), year.replace(year=year.year + 2)),
    }
    return table[base]


def type_error(name: str, word: str, quoted: bool, pos: int) -> SoqlError:
    tail = (
        "should be enclosed in quotes"
        if word == "id" and not quoted
        else "should not be enclosed in quotes"
    )
    return SoqlError(
        "INVALID_QUERY_FILTER_OPERATOR",
        f"value of filter criterion for field '{name}' must be of type {word} and {tail}",
        pos,
    )


def normalizer(kind: str) -> Callable[[Any], Any]:
    if kind in TEXTUAL:
        return lambda v: v.lower() if isinstance(v, str) else v
    if kind in NUMERIC:
        return lambda v: float(v) if v is not None else None
    if kind == "datetime":
        return lambda v: parse_datetime_ms(v) if isinstance(v, str) else v
    return lambda v: v


def range_test(
    op: str, low: Any, high: Any, get: Callable[[Entry], Any], norm: Callable[[Any], Any]
) -> Predicate:
    exact = low == high

    def test(entry: Entry) -> bool:
        value = norm(get(entry))
        if value is None:
            return op == "!="
        if op == "=":
            return bool(value == low if exact else low <= value < high)
        if op == "!=":
            return bool(value != low if exact else not low <= value < high)
        if op == ">":
            return bool(value > low if exact else value >= high)
        if op == ">=":
            return bool(value >= low)
        if op == "<":
            return bool(value < low)
        return bool(value <= low if exact else value < high)

    return test


def like_regex(pattern: str) -> re.Pattern[str]:
    out, i = [], 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if char == "%" else "." if char == "_" else re.escape(char))
        i += 1
    return re.compile("".join(out), re.IGNORECASE | re.DOTALL)


def literal_bounds(definition: FieldDef, value: Value, now: datetime) -> tuple[Any, Any]:
    """(low, high) bounds of a literal in the field's comparable form; high is the
    exclusive end for date constants and equal to low for plain values."""
    kind, name = definition.type, definition.name
    if value.kind == "null":
        return None, None
    if kind in ("id", "reference"):
        if value.kind != "string":
            raise type_error(name, "id", quoted=False, pos=value.pos)
        text = str(value.value)
        if not looks_like_id(text):
            raise SoqlError("INVALID_QUERY_FILTER_OPERATOR", f"invalid ID field: {text}", value.pos)
        text = checksum18(text) if len(text) == 15 else text
        return text, text
    if kind in TEXTUAL:
        if value.kind != "string":
            raise SoqlError(
                "INVALID_QUERY_FILTER_OPERATOR",
                f"value of filter criterion for field '{name}' must be of type string and "
                "should be enclosed in quotes",
                value.pos,
            )
        return str(value.value).lower(), str(value.value).lower()
    if kind == "boolean":
        if value.kind != "boolean":
            raise type_error(name, "boolean", value.kind == "string", value.pos)
        return value.value, value.value
    if kind in NUMERIC:
        if value.kind != "number":
            raise type_error(name, TYPE_WORD.get(kind, "double"), value.kind == "string", value.pos)
        return float(value.value), float(value.value)
    if kind == "date":
        if value.kind == "dateconst":
            start, end = constant_range(str(value.value), now)
            return start.date().isoformat(), end.date().isoformat()
        if value.kind != "date":
            raise type_error(name, "date", value.kind == "string", value.pos)
        return value.value, value.value
    if value.kind == "dateconst":
        start, end = constant_range(str(value.value), now)
        return int(start.timestamp() * 1000), int(end.timestamp() * 1000)
    if value.kind != "datetime":
        raise type_error(name, "dateTime", value.kind == "string", value.pos)
    ms = parse_datetime_ms(str(value.value))
    return ms, ms + 1
