"""Canonical entities: the shape every vendor record is mapped to and from.

One model per entity type. Adapters map vendor fields onto these names; the
store keeps `model_dump(mode="json")` of them as the record's data. Fields a
vendor lacks stay None. Every field is optional: the vendor decides what a valid
record is (HubSpot keeps contacts without a last name and companies without a
name), and a record our model refused would be lost silently; a write the vendor
refuses for a missing field is a per-record failure with the vendor's words.
Mapped custom fields travel in `custom`, keyed by the
name chosen in the connection's field overrides (`custom.<name>`).
Amounts are Decimal so that money survives a round trip without float drift.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from types import NoneType, UnionType
from typing import Any, Union, cast, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field

from core.models import Entity, UtcDatetime


class CanonicalEntity(BaseModel):
    model_config = ConfigDict(extra="forbid")

    custom: dict[str, Any] = Field(default_factory=dict)


class Customer(CanonicalEntity):
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    tax_id: str | None = None
    street: str | None = None
    city: str | None = None
    postal_code: str | None = None
    country: str | None = None
    currency: str | None = None
    is_company: bool | None = None


class Product(CanonicalEntity):
    sku: str | None = None
    name: str | None = None
    description: str | None = None
    price: Decimal | None = None
    currency: str | None = None
    unit: str | None = None
    category: str | None = None
    barcode: str | None = None
    active: bool | None = None


class LineItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    line_id: str | None = None
    product_external_id: str | None = None
    sku: str | None = None
    description: str | None = None
    quantity: Decimal | None = None
    unit_price: Decimal | None = None
    amount: Decimal | None = None


class Order(CanonicalEntity):
    number: str | None = None
    customer_external_id: str | None = None
    order_date: date | None = None
    status: str | None = None
    currency: str | None = None
    total_amount: Decimal | None = None
    lines: list[LineItem] = Field(default_factory=list)


class Inventory(CanonicalEntity):
    product_external_id: str | None = None
    sku: str | None = None
    location: str | None = None
    quantity: Decimal | None = None
    unit: str | None = None


class Quote(CanonicalEntity):
    number: str | None = None
    customer_external_id: str | None = None
    account_external_id: str | None = None
    opportunity_external_id: str | None = None
    status: str | None = None
    valid_until: date | None = None
    currency: str | None = None
    total_amount: Decimal | None = None
    lines: list[LineItem] = Field(default_factory=list)


class Contact(CanonicalEntity):
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    title: str | None = None
    account_external_id: str | None = None


class Account(CanonicalEntity):
    name: str | None = None
    domain: str | None = None
    industry: str | None = None
    phone: str | None = None
    city: str | None = None
    country: str | None = None
    employees: int | None = None


class Opportunity(CanonicalEntity):
    name: str | None = None
    amount: Decimal | None = None
    currency: str | None = None
    stage: str | None = None
    probability: float | None = None
    close_date: date | None = None
    account_external_id: str | None = None
    contact_external_id: str | None = None


class Activity(CanonicalEntity):
    kind: str | None = None  # call, meeting, task, email, note
    subject: str | None = None
    due_at: UtcDatetime | None = None
    done: bool | None = None
    notes: str | None = None
    contact_external_id: str | None = None
    account_external_id: str | None = None
    opportunity_external_id: str | None = None


CANONICAL_MODELS: dict[Entity, type[CanonicalEntity]] = {
    Entity.CUSTOMER: Customer,
    Entity.PRODUCT: Product,
    Entity.ORDER: Order,
    Entity.INVENTORY: Inventory,
    Entity.QUOTE: Quote,
    Entity.CONTACT: Contact,
    Entity.ACCOUNT: Account,
    Entity.OPPORTUNITY: Opportunity,
    Entity.ACTIVITY: Activity,
}


def canonical_fields(entity: Entity) -> list[str]:
    """Standard field names of an entity (what a field override may rename)."""
    return [name for name in CANONICAL_MODELS[entity].model_fields if name != "custom"]


def validate_canonical(entity: Entity, data: dict[str, Any]) -> dict[str, Any]:
    """Validate mapped data and return its JSON form (what the store keeps and hashes).

    Raises pydantic.ValidationError naming the field; the engine turns that into
    a RecordError the user can act on.

    Runs for every record a sync reads. The adapters' converters already hand over
    values of the field's own type (a str for a text field, a Decimal for an amount), and
    for such values the model would only copy them, so those records take the plain
    path below (a third of the cost); anything else (a value of another type, custom
    fields, lines, timestamps, an unknown field) goes through the model, which converts
    it or says what is wrong.
    """
    fields = _PLAIN[entity]
    if data.keys() <= fields.keys():
        try:
            return _plain_json(fields, data)
        except _NotPlain:
            pass
    model = CANONICAL_MODELS[entity]
    # model_validate(...).model_dump(mode="json") without the two Python wrappers
    valid = model.__pydantic_validator__.validate_python(data)
    json_form: dict[str, Any] = model.__pydantic_serializer__.to_python(valid, mode="json")
    return json_form


# --- the plain path ---------------------------------------------------------------------------
# For each field of a model, in the model's order: the JSON form of a value taken as it is
# (raising _NotPlain for any value the model itself must judge), and the field's empty
# value. Every entity field is optional and unconstrained, so for these values the model
# would return exactly this; tests/core/test_entities.py holds both paths to one answer.


class _NotPlain(Exception):
    pass


def _same(kind: type) -> Callable[[Any], Any]:
    def plain(value: Any) -> Any:
        if value.__class__ is kind:  # exactly: a bool is no int here, a datetime no date
            return value
        raise _NotPlain

    return plain


def _finite_float(value: Any) -> float:
    if value.__class__ is float and math.isfinite(value):  # the model dumps inf as null
        return float(value)
    raise _NotPlain


def _finite_decimal(value: Any) -> str:
    if value.__class__ is Decimal and value.is_finite():
        return str(value)
    if value.__class__ is float and math.isfinite(value):  # Odoo's amounts: the model
        return str(Decimal(repr(value)))  # reads a float as its shortest repr
    raise _NotPlain


def _date(value: Any) -> str:
    if value.__class__ is date:
        return value.isoformat()
    raise _NotPlain


def _utc_datetime(value: Any) -> str:
    if value.__class__ is datetime and value.tzinfo is UTC:  # what the converters hand over
        return value.isoformat()[:-6] + "Z"  # the model's spelling of +00:00
    raise _NotPlain


def _model_only(value: Any) -> Any:
    raise _NotPlain


_PLAIN_OF: dict[Any, Callable[[Any], Any]] = {
    str: _same(str),
    bool: _same(bool),
    int: _same(int),
    float: _finite_float,
    Decimal: _finite_decimal,
    date: _date,
    UtcDatetime: _utc_datetime,
}

# name -> (the JSON form of a plain value, the field's empty JSON form's factory or None)
_Plain = dict[str, tuple[Callable[[Any], Any], Callable[[], Any] | None]]


def _plain_fields(model: type[BaseModel]) -> _Plain:
    fields: _Plain = {}
    for name, info in model.model_fields.items():
        annotation = info.annotation
        if get_origin(annotation) in (Union, UnionType):
            kinds = [arg for arg in get_args(annotation) if arg is not NoneType]
            annotation = kinds[0] if len(kinds) == 1 else None
        factory = cast("Callable[[], Any] | None", info.default_factory)
        fields[name] = (_PLAIN_OF.get(annotation, _model_only), factory)
    return fields


def _plain_json(fields: _Plain, data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    get = data.get
    for name, (plain, empty) in fields.items():
        value = get(name)
        if value is not None:
            out[name] = plain(value)
        elif empty is None:
            out[name] = None
        elif name in data:  # custom=None or lines=None: the model says what is wrong
            raise _NotPlain
        else:
            out[name] = empty()
    return out


_LINE = _plain_fields(LineItem)


def _lines(value: Any) -> list[dict[str, Any]]:
    if value.__class__ is not list:
        raise _NotPlain
    lines = []
    for item in value:
        if item.__class__ is not dict or not item.keys() <= _LINE.keys():
            raise _NotPlain
        lines.append(_plain_json(_LINE, item))
    return lines


_PLAIN_OF[list[LineItem]] = _lines
_PLAIN: dict[Entity, _Plain] = {
    entity: _plain_fields(model) for entity, model in CANONICAL_MODELS.items()
}


__all__ = [
    "CANONICAL_MODELS",
    "Account",
    "Activity",
    "CanonicalEntity",
    "Contact",
    "Customer",
    "Inventory",
    "LineItem",
    "Opportunity",
    "Order",
    "Product",
    "Quote",
    "canonical_fields",
    "validate_canonical",
]
