"""Vocabulary shared by every model: systems, entities, and small value types."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, StringConstraints

from core.clock import as_utc


class System(StrEnum):
    SAP = "sap"
    ODOO = "odoo"
    ORACLE = "oracle"
    SALESFORCE = "salesforce"
    HUBSPOT = "hubspot"
    ZOHO = "zoho"
    PIPEDRIVE = "pipedrive"


class SystemKind(StrEnum):
    ERP = "erp"
    CRM = "crm"


SYSTEM_KIND: dict[System, SystemKind] = {
    System.SAP: SystemKind.ERP,
    System.ODOO: SystemKind.ERP,
    System.ORACLE: SystemKind.ERP,
    System.SALESFORCE: SystemKind.CRM,
    System.HUBSPOT: SystemKind.CRM,
    System.ZOHO: SystemKind.CRM,
    System.PIPEDRIVE: SystemKind.CRM,
}


class Entity(StrEnum):
    """Canonical entity types (ERP: product, order, inventory, quote, customer;
    CRM: contact, opportunity, activity, quote, account)."""

    PRODUCT = "product"
    ORDER = "order"
    INVENTORY = "inventory"
    QUOTE = "quote"
    CUSTOMER = "customer"
    CONTACT = "contact"
    OPPORTUNITY = "opportunity"
    ACTIVITY = "activity"
    ACCOUNT = "account"


ERP_ENTITIES = (Entity.PRODUCT, Entity.ORDER, Entity.INVENTORY, Entity.QUOTE, Entity.CUSTOMER)
CRM_ENTITIES = (Entity.CONTACT, Entity.OPPORTUNITY, Entity.ACTIVITY, Entity.QUOTE, Entity.ACCOUNT)


def _utc(value: datetime) -> datetime:
    return as_utc(value)


UtcDatetime = Annotated[datetime, AfterValidator(_utc)]
"""Any datetime crossing a boundary is made timezone-aware UTC."""

Identifier = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[\w.:-]+$"),
]
"""Our own ids (organisation, connection, run): no spaces, no path or query characters."""

ExternalId = Annotated[str, StringConstraints(min_length=1, max_length=255)]
"""A vendor's record id, kept exactly as the vendor spells it."""


def _clipped_to(limit: int) -> BeforeValidator:
    def clip(value: object) -> object:
        if isinstance(value, str) and len(value) > limit:
            return value[: limit - 1] + "…"
        return value

    return BeforeValidator(clip)


# Messages carry vendor and file text of any length (a 1 MB error body): they are cut to
# their column's size, marked with "…", instead of failing the operation that tells them.
Text500 = Annotated[str, _clipped_to(500), StringConstraints(max_length=500)]
Text2000 = Annotated[str, _clipped_to(2000), StringConstraints(max_length=2000)]
Text4000 = Annotated[str, _clipped_to(4000), StringConstraints(max_length=4000)]


class Model(BaseModel):
    """Base for domain models: unknown fields are errors, so typos in input are caught."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, use_enum_values=False)
