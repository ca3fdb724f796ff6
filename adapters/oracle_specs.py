"""Oracle Fusion Cloud entity specs and default field maps (REST framework version 4).

With framework version 4 (which the adapter always sends), `q` takes row-match
expressions and expanded children come as collections, so a child's rows sit
under `<child>.items` (`lines.items`, `ItemDFF.items.0.<segment>`). On-hand
quantities have no timestamp and a six-part key; the adapter adds `_key` and
`_location` to each row (see `OracleAdapter.to_page`).
"""

from __future__ import annotations

import uuid
from typing import Any

from adapters import convert
from adapters.base import VendorField
from adapters.base_adapter import EntitySpec
from adapters.mapping import FieldMap, Lines, Rule
from adapters.paging import OffsetPaginator
from adapters.paths import dig
from core.models import Entity

# The first page's total lets the pages after it be fetched at once (adapters.prefetch).
COUNT = ("totalResults", "true")
FSCM = "/fscmRestApi/resources/11.13.18.05"
CRM = "/crmRestApi/resources/11.13.18.05"
ONHAND_KEY = (
    "OrganizationId",
    "InventoryItemId",
    "SubinventoryCode",
    "LocatorId",
    "LotNumber",
    "SerialNumber",
)
EXPAND = {"itemsV2": "ItemDFF", "salesOrdersForOrderHub": "lines"}
CHILD_KEYS = {"lines": "FulfillLineId"}
DEC = convert.DECIMAL
ACTIVE = convert.Converter(
    "Active or Inactive",
    lambda v: convert.read_text(v) == "Active",
    lambda v: "Active" if convert.read_bool(v) else "Inactive",
)

PRODUCT_MAP = FieldMap(
    Entity.PRODUCT,
    (
        Rule("sku", "ItemNumber", updatable=False),
        Rule("name", "ItemDescription"),
        Rule("description", "LongDescription"),
        Rule("price", "ListPrice", DEC),
        Rule("unit", "PrimaryUOMValue"),
        Rule("category", "ItemClass"),
        Rule("active", "ItemStatusValue", ACTIVE),
    ),
)
CUSTOMER_MAP = FieldMap(
    Entity.CUSTOMER,
    (
        Rule("name", "OrganizationName"),
        Rule("email", "EmailAddress"),
        Rule("phone", "FormattedPhoneNumber"),
        Rule("tax_id", "TaxpayerIdentificationNumber"),
        Rule("street", "AddressLine1"),
        Rule("city", "City"),
        Rule("postal_code", "PostalCode"),
        Rule("country", "Country"),
        Rule("currency", "CurrencyCode"),
    ),
)
ORDER_MAP = FieldMap(
    Entity.ORDER,
    (
        Rule("number", "OrderNumber", writable=False),
        Rule("customer_external_id", "BuyingPartyNumber", convert.REF),
        Rule("order_date", "TransactionOn", convert.DATE),
        Rule("status", "StatusCode", writable=False),
        Rule("currency", "TransactionalCurrencyCode"),
    ),
    lines=Lines(
        "lines.items",
        (
            Rule("line_id", "FulfillLineId", convert.REF_INT),
            Rule("product_external_id", "ProductId", convert.REF_INT),
            Rule("sku", "ProductNumber", writable=False),
            Rule("description", "ProductDescription", writable=False),
            Rule("quantity", "OrderedQuantity", DEC),
            Rule("unit_price", "UnitSellingPrice", DEC, writable=False),
            Rule("amount", "ExtendedAmount", DEC, writable=False),
        ),
        writable=True,
    ),
)
INVENTORY_MAP = FieldMap(
    Entity.INVENTORY,
    (
        Rule("product_external_id", "InventoryItemId", convert.REF),
        Rule("sku", "ItemNumber", updatable=False),
        Rule("location", "_location"),
        Rule("quantity", "OnhandQuantity", DEC),
        Rule("unit", "PrimaryUOMCode"),
    ),
)


def _spec(
    entity: Entity, root: str, name: str, fields: FieldMap, key: str, **options: Any
) -> EntitySpec:
    return EntitySpec(
        entity,
        name,
        fields,
        path=f"{root}/{name}",
        records_path="items",
        key=key,
        paginator=lambda: OffsetPaginator(limit=500, has_more_path="hasMore"),
        **options,
    )


SPECS = (
    _spec(
        Entity.PRODUCT,
        FSCM,
        "itemsV2",
        PRODUCT_MAP,
        "ItemId",
        cursor="LastUpdateDate",
        created="CreationDate",
        writable=True,
        undeletable="Oracle's REST API cannot delete items: delete the item in Fusion "
        "through a deletion group",
    ),
    _spec(
        Entity.ORDER,
        FSCM,
        "salesOrdersForOrderHub",
        ORDER_MAP,
        "HeaderId",
        cursor="LastUpdateDate",
        created="CreationDate",
        writable=True,
        undeletable="Oracle's REST API cannot delete sales orders: cancel the order in "
        "Fusion (its cancel action)",
    ),
    _spec(Entity.INVENTORY, FSCM, "onhandQuantityDetails", INVENTORY_MAP, "_key"),
    _spec(
        Entity.CUSTOMER,
        CRM,
        "accounts",
        CUSTOMER_MAP,
        "PartyNumber",
        cursor="LastUpdateDate",
        created="CreationDate",
        writable=True,
    ),
)
UNSUPPORTED = {
    Entity.QUOTE: "Oracle Fusion Cloud ERP has no confirmed REST resource for sales quotes: quotes "
    "live in Oracle CPQ or Subscription Management, separate products with their own APIs.",
}


def creation_defaults(
    resource: str, body: dict[str, Any], item_organization: str
) -> dict[str, Any]:
    """What Fusion needs on a new record that the canonical one does not say: an item's
    organization; an order's source-system keys and its lines' source keys."""
    if resource == "itemsV2" and item_organization:
        return {"OrganizationCode": body.get("OrganizationCode") or item_organization}
    if resource != "salesOrdersForOrderHub":
        return {}
    source = f"TP-{uuid.uuid4().hex[:16].upper()}"
    lines = [
        {
            "SourceTransactionLineId": str(n),
            "SourceTransactionLineNumber": str(n),
            "SourceScheduleNumber": "1",
            "SourceTransactionScheduleId": "1",
            "OrderedUOMCode": "Ea",
            **line,
        }
        for n, line in enumerate(body.get("lines") or [], start=1)
    ]
    return {
        "SourceTransactionSystem": "TOOTHPICK",
        "SourceTransactionId": source,
        "SourceTransactionNumber": source,
        "SourceTransactionRevisionNumber": 1,
        "lines": lines,
    }


def _custom(attribute: dict[str, Any]) -> bool:
    name = str(attribute.get("name", ""))
    return name.endswith("_c") or dig(attribute, "properties.fnd:CUSTOM") == "true"


def _field(attribute: dict[str, Any], prefix: str) -> VendorField:
    name = str(attribute["name"])
    label = str(attribute.get("title") or name)
    kind = str(attribute.get("type", "string"))
    return VendorField(prefix + name, label, kind, True, bool(attribute.get("updatable", True)))


def described_field_names(describe: Any, resource: str) -> set[str]:
    """Every attribute of a describe document, its children's as `<child>.items.0.<name>`
    (the field map's paths), and the children themselves."""
    shape = dig(describe, f"Resources.{resource}") or {}
    found = {str(a.get("name")) for a in shape.get("attributes") or ()}
    for child, child_shape in (shape.get("children") or {}).items():
        found.add(child)
        found |= {f"{child}.items.0.{a.get('name')}" for a in child_shape.get("attributes") or ()}
    return found


def described_custom_fields(describe: Any, resource: str) -> list[VendorField]:
    """Custom attributes of a describe document: the resource's own, and its children's
    (as `<child>.items.0.<name>`, where an expanded child's first row sits)."""
    shape = dig(describe, f"Resources.{resource}") or {}
    found = [_field(a, "") for a in shape.get("attributes") or () if _custom(a)]
    for child, child_shape in (shape.get("children") or {}).items():
        attributes = child_shape.get("attributes") or ()
        found += [_field(a, f"{child}.items.0.") for a in attributes if _custom(a)]
    return found
