"""The parsed form of a SOQL query, and the error every SOQL problem becomes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal


class SoqlError(ValueError):
    """A query Salesforce would refuse; `code` is its errorCode, `pos` a 0-based offset."""

    def __init__(self, code: str, message: str, pos: int) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.pos = pos


@dataclass(frozen=True, slots=True)
class Token:
    kind: str
    text: str
    pos: int

    @property
    def upper(self) -> str:
        return self.text.upper()


@dataclass(frozen=True, slots=True)
class FieldRef:
    path: tuple[str, ...]
    pos: int

    @property
    def dotted(self) -> str:
        return ".".join(self.path)


LiteralKind = Literal["string", "number", "boolean", "null", "date", "datetime", "dateconst"]


@dataclass(frozen=True, slots=True)
class Value:
    kind: LiteralKind
    value: Any
    pos: int


@dataclass(frozen=True, slots=True)
class Comparison:
    field: FieldRef
    op: str
    value: Value | tuple[Value, ...]


@dataclass(frozen=True, slots=True)
class Logical:
    op: Literal["AND", "OR"]
    items: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class Negation:
    item: Condition


Condition = Comparison | Logical | Negation


@dataclass(frozen=True, slots=True)
class SelectItem:
    kind: Literal["field", "count", "fields"]
    field: FieldRef | None = None
    fields_kind: str = ""
    pos: int = 0


@dataclass(frozen=True, slots=True)
class OrderItem:
    field: FieldRef
    descending: bool = False
    nulls_last: bool | None = None


@dataclass(frozen=True, slots=True)
class Query:
    text: str
    select: tuple[SelectItem, ...]
    sobject: str
    sobject_pos: int
    where: Condition | None
    order: tuple[OrderItem, ...]
    limit: int | None
    offset: int | None

    @property
    def is_count(self) -> bool:
        return any(item.kind == "count" for item in self.select)
