"""Odoo values in and out: server datetime strings, domain operands, LIKE patterns.

Odoo writes datetimes as naive UTC "YYYY-MM-DD HH:MM:SS" (seconds; the database
keeps microseconds, which is why `write_date > '...'` can match a record whose
displayed write_date equals the bound). Domain operands are cast the way
PostgreSQL would cast them, and refused with its words when it could not.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from sandbox.core.timefmt import formatter
from sandbox.odoo.errors import server_error

_PG = "psycopg2.errors.InvalidTextRepresentation"
_PG_DATE = "psycopg2.errors.InvalidDatetimeFormat"


ms_text = formatter(separator=" ", millis=False, suffix="")
"""Epoch milliseconds as Odoo shows a datetime: "2024-01-31 10:00:00" (sub-seconds dropped)."""


@lru_cache(maxsize=4096)
def text_ms(text: str) -> int:
    """A datetime (or date) operand as epoch milliseconds; ValueError if unreadable."""
    value = text.strip().replace("T", " ").removesuffix("Z")
    if len(value) == 10:
        value += " 00:00:00"
    parsed = datetime.strptime(
        value[:26], "%Y-%m-%d %H:%M:%S.%f" if "." in value else "%Y-%m-%d %H:%M:%S"
    )
    return int(parsed.replace(tzinfo=UTC).timestamp() * 1000)


def iso_to_odoo(text: str) -> str:
    """A stored ISO datetime ("2024-01-02T10:00:00Z", from generic custom-field data) in
    Odoo's format; Odoo-format text passes through."""
    return ms_text(text_ms(text)) if "T" in text else text


def coerce_operand(kind: str, value: Any) -> Any:
    """A domain operand in the comparable form of a field of type `kind`."""
    if kind in ("integer", "float", "monetary", "many2one"):
        if isinstance(value, bool):
            return int(value)
        try:
            number = float(value)
        except (TypeError, ValueError):
            pg_type = "integer" if kind in ("integer", "many2one") else "double precision"
            raise server_error(f'invalid input syntax for type {pg_type}: "{value}"', _PG) from None
        return int(number) if kind in ("integer", "many2one") and number.is_integer() else number
    if kind == "boolean":
        return bool(value)
    if kind == "datetime":
        try:
            return text_ms(str(value))
        except ValueError:
            raise server_error(
                f'invalid input syntax for type timestamp: "{value}"', _PG_DATE
            ) from None
    if kind == "date":
        try:
            return date.fromisoformat(str(value)[:10]).isoformat()
        except ValueError:
            raise server_error(f'invalid input syntax for type date: "{value}"', _PG_DATE) from None
    return str(value)


@lru_cache(maxsize=1024)
def _pattern(pattern: str, insensitive: bool) -> re.Pattern[str]:
    out, escaped = [], False
    for char in pattern:
        if escaped:
            out.append(re.escape(char))
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "%":
            out.append(".*")
        elif char == "_":
            out.append(".")
        else:
            out.append(re.escape(char))
    return re.compile("".join(out), re.DOTALL | (re.IGNORECASE if insensitive else 0))


def like_matcher(operator: str, operand: Any) -> Callable[[str], bool]:
    """SQL LIKE semantics: `like`/`ilike` look for the text anywhere (Odoo wraps it in
    %...%), `=like`/`=ilike` use it as the whole pattern; `i` ignores case."""
    text = "" if operand is None or operand is False else str(operand)
    insensitive = "ilike" in operator
    whole = operator.startswith("=")
    pattern = _pattern(text if whole else f"%{text}%", insensitive)
    return lambda value: pattern.fullmatch(value) is not None
