"""What a vendor declares about each object it serves: fields, ids and a generator.

A vendor package builds one `ObjectSpec` per vendor object (Salesforce `Contact`,
HubSpot `contacts`, SAP `A_Product`, ...). The core never interprets field names;
it only stores the values a generator returns and the values writes send, and
hands them back to the vendor's renderer. Field types are a small neutral set that
each vendor maps to its own metadata vocabulary (describe, properties, $metadata).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal, Protocol

from sandbox.core.draw import Draw

FieldType = Literal[
    "id",
    "string",
    "text",
    "email",
    "phone",
    "url",
    "picklist",
    "boolean",
    "integer",
    "number",
    "currency",
    "percent",
    "date",
    "datetime",
    "reference",
]


@dataclass(frozen=True, slots=True)
class FieldDef:
    """One stored field. `reference_to` names the vendor object a reference points at."""

    name: str
    type: FieldType = "string"
    label: str = ""
    options: tuple[str, ...] = ()
    reference_to: str | None = None
    required: bool = False
    updateable: bool = True
    custom: bool = False
    length: int = 255
    description: str = ""
    # An integration's correlation key (Salesforce External ID): empty on generated records,
    # written only by the clients that own it.
    external_id: bool = False

    @property
    def display_label(self) -> str:
        return self.label or self.name.replace("__c", "").replace("_", " ").strip().title()


class IdScheme(Protocol):
    """Turns a record index into the vendor's id and back (None: not one of ours)."""

    def format(self, index: int) -> str: ...

    def parse(self, record_id: str) -> int | None: ...


@dataclass(frozen=True, slots=True)
class NumericIds:
    """Numeric string ids (HubSpot, Zoho, Pipedrive, Odoo): `offset + index + 1`.

    Different offsets per tenant keep one tenant's ids meaningless in another.
    """

    offset: int = 0

    def format(self, index: int) -> str:
        return str(self.offset + index + 1)

    def parse(self, record_id: str) -> int | None:
        if not record_id.isdigit() or len(record_id) > 19:
            return None
        index = int(record_id) - self.offset - 1
        return index if index >= 0 else None


class GenContext(Protocol):
    """What a generator may ask of the tenant it generates for."""

    @property
    def tenant_name(self) -> str: ...

    def vendor_now_ms(self) -> int:
        """The vendor's clock, in epoch milliseconds: real time unless a test skewed it
        (ahead or behind) or froze it."""
        ...

    @property
    def settings(self) -> Mapping[str, Any]: ...

    def count(self, object_name: str) -> int:
        """How many base records `object_name` has (so references stay in range)."""
        ...

    def ref(self, object_name: str, draw: Draw) -> str | None:
        """The id of a random existing base record of `object_name` (None if empty)."""
        ...

    def ref_index(self, object_name: str, draw: Draw) -> int | None: ...

    def id_of(self, object_name: str, index: int) -> str: ...


Generator = Callable[[Draw, int, GenContext], dict[str, Any]]


@dataclass(frozen=True)
class ObjectSpec:
    """One vendor object: its fields, how its ids look and how base records are made.

    `generate(draw, index, ctx)` must be a pure function of its arguments and return
    only stored fields (not the id and not the created/modified timestamps, which
    the collection owns). `default_scale` is the base record count of a fresh tenant.
    """

    name: str
    fields: tuple[FieldDef, ...]
    generate: Generator
    ids: IdScheme
    default_scale: int = 200
    label: str = ""
    label_plural: str = ""
    entity: str | None = None
    writable: bool = True
    deletable: bool = True
    extra: Mapping[str, Any] = field(default_factory=dict)

    def field(self, name: str) -> FieldDef | None:
        return self.field_index.get(name)

    @cached_property
    def field_index(self) -> dict[str, FieldDef]:
        return {f.name: f for f in self.fields}


_WORDS = ("alpha", "bravo", "delta", "echo", "kilo", "lima", "sierra", "tango")


def generate_value(draw: Draw, spec: FieldDef) -> Any:
    """A plausible value for a tenant's custom field, from its type alone."""
    kind = spec.type
    if kind == "picklist":
        return draw.choice(spec.options) if spec.options else None
    if kind == "boolean":
        return draw.chance(50)
    if kind == "integer":
        return draw.between(0, 10_000)
    if kind in ("number", "currency"):
        return draw.money(0, 100_000)
    if kind == "percent":
        return float(draw.between(0, 100))
    if kind == "date":
        return f"20{draw.between(20, 25)}-{draw.between(1, 12):02d}-{draw.between(1, 28):02d}"
    if kind == "datetime":
        month, day = draw.between(1, 12), draw.between(1, 28)
        return f"20{draw.between(20, 24)}-{month:02d}-{day:02d}T{draw.between(0, 23):02d}:00:00Z"
    if kind == "email":
        return f"{draw.choice(_WORDS)}{draw.below(10_000)}@example.com"
    if kind == "phone":
        return f"+1 555 {draw.digits(3)} {draw.digits(4)}"
    if kind == "url":
        return f"https://{draw.choice(_WORDS)}.example.com"
    return f"{draw.choice(_WORDS).title()}-{draw.digits(5)}"
