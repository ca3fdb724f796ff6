"""The slice of the OData V2 Entity Data Model the SAP simulator speaks.

An entity set is declared once (its properties with Edm types and sap:
annotations, its key, its navigation properties) and everything else reads
that declaration: $metadata, JSON rendering, $filter type checks, write
validation. Values are stored in a neutral form (dates as ISO text, decimals
as text, booleans as bool) and turned into OData V2 JSON only when rendered,
the way SAP Gateway serialises them: Edm.DateTime as `/Date(ms)/`,
Edm.DateTimeOffset as `/Date(ms+0000)/`, Edm.Decimal as a string, Edm.Time
as `PT10H30M00S`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sandbox.core import Entry, FieldDef

Derived = Callable[[Entry], Any]
_ODATA_DATE = re.compile(r"^/Date\((-?\d+)([+-]\d{4})?\)/$")
_DURATION = re.compile(r"^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)(?:\.\d+)?S)?$")


@dataclass(frozen=True)
class Prop:
    """One property. `derived` computes it from the stored entry (timestamps the
    collection owns); `creatable`/`updatable` mirror sap:creatable/sap:updatable."""

    name: str
    edm: str = "Edm.String"
    max_length: int | None = None
    precision: int | None = None
    scale: int | None = None
    nullable: bool = True
    label: str = ""
    creatable: bool = True
    updatable: bool = True
    display_format: str | None = None
    unit: str | None = None
    semantics: str | None = None
    derived: Derived | None = None
    concurrency: bool = False
    custom: bool = False


@dataclass(frozen=True)
class Nav:
    """A navigation property; `target` is the entity set it leads to."""

    name: str
    target: str
    many: bool = True


@dataclass(frozen=True)
class EntitySet:
    """One entity set. A child set (`parent` set) lives embedded in its parent's
    stored record under the navigation `via`; `parent_key` maps child key
    properties to the parent key they copy (SalesOrderItem.SalesOrder)."""

    name: str
    service: str
    label: str
    keys: tuple[str, ...]
    props: tuple[Prop, ...]
    navs: tuple[Nav, ...] = ()
    creatable: bool = True
    updatable: bool = True
    deletable: bool = False
    etag: str | None = None  # the property whose value is the ETag
    parent: str | None = None
    via: str | None = None
    parent_key: tuple[tuple[str, str], ...] = ()
    component: str = "LO-MD-MM"
    prop_index: dict[str, Prop] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self.prop_index.update({p.name: p for p in self.props})

    @property
    def type_name(self) -> str:
        return f"{self.name}Type"

    @property
    def qualified_type(self) -> str:
        return f"{self.service}.{self.type_name}"

    def nav(self, name: str) -> Nav | None:
        return next((n for n in self.navs if n.name == name), None)

    def with_custom(self, fields: tuple[FieldDef, ...]) -> EntitySet:
        """This set plus a tenant's extension fields (YY1_*), as its $metadata shows them."""
        if not fields:
            return self
        extra = tuple(custom_prop(f) for f in fields)
        return EntitySet(**{**_as_kwargs(self), "props": self.props + extra, "prop_index": {}})


def _as_kwargs(entity_set: EntitySet) -> dict[str, Any]:
    return {name: getattr(entity_set, name) for name in entity_set.__dataclass_fields__}


_NEUTRAL_TO_EDM = {
    "boolean": ("Edm.Boolean", None),
    "integer": ("Edm.Int32", None),
    "number": ("Edm.Decimal", 3),
    "currency": ("Edm.Decimal", 2),
    "percent": ("Edm.Decimal", 2),
    "date": ("Edm.DateTime", None),
    "datetime": ("Edm.DateTimeOffset", None),
}


def custom_prop(definition: FieldDef) -> Prop:
    edm, scale = _NEUTRAL_TO_EDM.get(definition.type, ("Edm.String", None))
    return Prop(
        definition.name,
        edm,
        max_length=definition.length if edm == "Edm.String" else None,
        precision=15 if scale is not None else None,
        scale=scale,
        label=definition.display_label,
        display_format="Date" if edm == "Edm.DateTime" else None,
        custom=True,
    )


def neutral_type(prop: Prop) -> str:
    """The sandbox core's neutral field type of a property (for ObjectSpec fields)."""
    return {
        "Edm.Boolean": "boolean",
        "Edm.Decimal": "number",
        "Edm.Int32": "integer",
        "Edm.DateTime": "date",
        "Edm.DateTimeOffset": "datetime",
    }.get(prop.edm, "string")


# --- values: stored <-> JSON <-> comparable ------------------------------------------------


def ms_of_date(text: str) -> int:
    day = date.fromisoformat(text[:10])
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)


def iso_of_ms(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="milliseconds")


def duration(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    return f"PT{hours:02d}H{rest // 60:02d}M{rest % 60:02d}S"


def seconds_of(duration_text: str) -> int:
    match = _DURATION.match(duration_text)
    if not match:
        raise ValueError(f"not an Edm.Time value: {duration_text!r}")
    hours, minutes, secs = (int(part or 0) for part in match.groups())
    if minutes > 59 or secs > 59 or hours > 23:
        raise ValueError(f"not an Edm.Time value: {duration_text!r}")
    return hours * 3600 + minutes * 60 + secs


def decimal_text(value: Any, scale: int | None) -> str:
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    if scale is not None:
        number = number.quantize(Decimal(1).scaleb(-scale))
    return format(number, "f")


def to_json(prop: Prop, value: Any) -> Any:
    """A stored value as SAP Gateway renders it in OData V2 JSON."""
    if value is None:
        return None
    edm = prop.edm
    if edm == "Edm.DateTime":
        ms = value if isinstance(value, int) else ms_of_date(str(value))
        return f"/Date({ms})/"
    if edm == "Edm.DateTimeOffset":
        ms = value if isinstance(value, int) else _ms_of_iso(str(value))
        return f"/Date({ms}+0000)/"
    if edm == "Edm.Decimal":
        return decimal_text(value, prop.scale)
    if edm == "Edm.Time":
        return value if isinstance(value, str) else duration(int(value))
    return value


def from_json(prop: Prop, value: Any) -> Any:
    """A value of a write body, checked against the property's type and stored neutrally;
    ValueError (whose text names the problem) when the value cannot be the property's type."""
    if value is None:
        if not prop.nullable:
            raise ValueError(f"property {prop.name} must not be null")
        return None
    edm = prop.edm
    if edm == "Edm.String":
        if not isinstance(value, str):
            raise ValueError(f"property {prop.name} expects a string")
        if prop.max_length is not None and len(value) > prop.max_length:
            raise ValueError(f"value of {prop.name} is longer than {prop.max_length} characters")
        return value
    if edm == "Edm.Boolean":
        if not isinstance(value, bool):
            raise ValueError(f"property {prop.name} expects true or false")
        return value
    if edm == "Edm.Decimal":
        try:
            number = Decimal(str(value)) if not isinstance(value, bool) else None
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            raise ValueError(f"invalid value {value!r} for Edm.Decimal property {prop.name}")
        try:
            return decimal_text(number, prop.scale)
        except InvalidOperation:  # more digits than a decimal holds: SAP's 400, not a 500
            raise ValueError(f"value {value!r} is too large for property {prop.name}") from None
    if edm == "Edm.Int32":
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise ValueError(f"property {prop.name} expects an integer")
        return int(value)
    if edm in ("Edm.DateTime", "Edm.DateTimeOffset"):
        ms = _ms_of_json_date(value, prop.name)
        return iso_of_ms(ms)[:10] if edm == "Edm.DateTime" else iso_of_ms(ms)
    if edm == "Edm.Time":
        return duration(seconds_of(str(value)))
    return value


def comparable(prop: Prop, value: Any) -> Any:
    """A stored value in the domain $filter compares in (ms, Decimal, seconds, text)."""
    if value is None:
        return None
    edm = prop.edm
    if edm == "Edm.DateTime":
        return value if isinstance(value, int) else ms_of_date(str(value))
    if edm == "Edm.DateTimeOffset":
        return value if isinstance(value, int) else _ms_of_iso(str(value))
    if edm == "Edm.Decimal":
        return Decimal(str(value))
    if edm == "Edm.Time":
        return seconds_of(value) if isinstance(value, str) else int(value)
    return value


def _ms_of_iso(text: str) -> int:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def _ms_of_json_date(value: Any, name: str) -> int:
    if isinstance(value, str):
        match = _ODATA_DATE.match(value)
        if match:
            return int(match.group(1))
        try:
            return _ms_of_iso(value)
        except ValueError:
            pass
    raise ValueError(f"invalid date value {value!r} for property {name}; use /Date(ms)/")
