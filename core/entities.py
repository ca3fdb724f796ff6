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

from datetime import date
from decimal import Decimal
from typing import Any

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
    """
    return CANONICAL_MODELS[entity].model_validate(data).model_dump(mode="json")


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
