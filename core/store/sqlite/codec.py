"""How Python values are spelled in SQLite columns.

Datetimes are stored as integer microseconds since the Unix epoch (UTC):
integers compare and sort exactly like the instants they stand for (ISO
strings only do so at one fixed width and offset), range filters are plain
integer comparisons on an index, and hour/day buckets are one integer
division. Sub-documents (config, schedule, data, metadata...) are JSON text
written with orjson from `model_dump(mode="json")`, so enums, datetimes and
decimals have one spelling that both stores share.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any, TypeVar

import orjson
from pydantic import BaseModel

from core.clock import as_utc

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)

HOUR_US = 3_600_000_000
DAY_US = 24 * HOUR_US

T = TypeVar("T")


def to_us(value: datetime) -> int:
    """Aware (or naive-as-UTC) datetime -> integer microseconds since the epoch."""
    return (as_utc(value) - _EPOCH) // _MICROSECOND


def opt_us(value: datetime | None) -> int | None:
    return None if value is None else to_us(value)


def from_us(value: int) -> datetime:
    return _EPOCH + timedelta(microseconds=value)


def opt_dt(value: int | None) -> datetime | None:
    return None if value is None else from_us(value)


def dump_json(value: Any) -> str:
    """JSON text; pydantic models go through `model_dump(mode="json")` first."""
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json")
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS, default=_json_default).decode()


def dump_dict(value: dict[str, Any]) -> str:
    """`dump_json` of a plain dict, without the model check (once per stored record)."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS, default=_json_default).decode()


def opt_json(value: Any) -> str | None:
    return None if value is None else dump_json(value)


def load_json(text: str | None) -> Any:
    return None if text is None else orjson.loads(text)


def dump_models(models: Sequence[BaseModel]) -> str:
    return dump_json([model.model_dump(mode="json") for model in models])


def enum_value(value: Enum | None) -> str | None:
    return None if value is None else str(value.value)


def _json_default(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    return str(value)


def fold(text: str) -> str:
    """The case-insensitive spelling that free-text search compares (Unicode casefold)."""
    return text.casefold()


def placeholders(count: int) -> str:
    return ", ".join("?" * count)


def in_clause(column: str, values: Sequence[Any], params: list[Any]) -> str:
    """`column = ?` for one value, `column IN (?, ...)` for several (one value lets the
    planner treat the filter as an equality and keep index order)."""
    params.extend(values)
    if len(values) == 1:
        return f"{column} = ?"
    return f"{column} IN ({placeholders(len(values))})"


def by_key(items: Sequence[T], key: Callable[[T], str]) -> dict[str, T]:
    """Last one wins, like a database upsert of the same key twice in one batch."""
    return {key(item): item for item in items}
