"""What S/4HANA itself fills in when a document is created or changed.

Creates check the business rules an integration trips over (a product type,
a partner category and name, an existing sold-to party and materials) and
derive what SAP derives: item numbers, net amounts from pricing, the header
total, a partner's full name, address numbers. Updates re-derive the same
values, so a quantity change moves the order total like in SAP.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sandbox.core import Tenant
from sandbox.core.clock import now_ms
from sandbox.sap.errors import fail
from sandbox.sap.generate import address_id, net_amount
from sandbox.sap.payload import require

SD_HEADER = ("SalesOrganization", "DistributionChannel", "OrganizationDivision", "SoldToParty")
ITEM_KEY = {"A_SalesOrder": "SalesOrderItem", "A_SalesQuotation": "SalesQuotationItem"}


def prepare_create(
    tenant: Tenant, name: str, fields: dict[str, Any], user: str, where: Mapping[str, str]
) -> dict[str, Any]:
    """The complete record to store for a create (or a 400 naming the problem)."""
    new_id = tenant.id_of(name, tenant.collection(name).next_index)
    fields = {**fields, "CreatedByUser": user}
    if name == "A_Product":
        fields.pop("Product", None)  # the key is the entry's id (see client_key)
        require(fields, ("ProductType",), where)
        fields["LastChangedByUser"] = user
        for text in fields.get("to_Description", []):
            text.pop("Product", None)
            require(text, ("Language", "ProductDescription"), where)
        return fields
    if name == "A_BusinessPartner":
        fields.pop("BusinessPartner", None)
        fields = {**fields, **partner_names(fields, where)}
        for position, address in enumerate(fields.get("to_BusinessPartnerAddress", [])):
            address.pop("BusinessPartner", None)
            number = address_id(new_id) + (str(position) if position else "")
            address["AddressID"] = number
            for nav in ("to_EmailAddress", "to_PhoneNumber"):
                for ordinal, row in enumerate(address.get(nav, []), start=1):
                    row.update(AddressID=number, Person="", OrdinalNumber=str(ordinal))
                    if "EmailAddress" in row:
                        row["SearchEmailAddress"] = str(row["EmailAddress"]).upper()[:20]
        return fields
    if name in ITEM_KEY:
        return _sales_document(tenant, name, fields, where)
    return fields


# Entity sets whose key the client may choose on create (external numbering).
CLIENT_KEYS = {"A_Product": ("Product", 40)}


def client_key(tenant: Tenant, name: str, body: Any, where: Mapping[str, str]) -> str | None:
    """The key a create asks for, kept as given (upper case, as SAP's conversion exit
    stores product numbers), or None for the tenant's internal numbering.

    The Product Master (A2X) API works with external number ranges: the client names
    the product, SAP keeps that number; one already taken is refused."""
    if name not in CLIENT_KEYS or not isinstance(body, dict):
        return None
    field, length = CLIENT_KEYS[name]
    value = body.get(field)
    if value in (None, ""):
        return None
    key = str(value).strip().upper()
    if not key or len(key) > length:
        raise fail(
            400, "MM_PRODUCT/011", f"Product number '{value}' must have 1 to {length} characters",
            target=field, **where,
        )  # fmt: skip
    if tenant.collection(name).get(key, include_deleted=True) is not None:
        raise fail(400, "MM_PRODUCT/010", f"Product {key} already exists", target=field, **where)
    return key


def partner_names(fields: Mapping[str, Any], where: Mapping[str, str]) -> dict[str, Any]:
    category = fields.get("BusinessPartnerCategory")
    if category not in ("1", "2"):
        raise fail(
            400,
            "R11/046",
            "Business partner category must be 1 (person) or 2 (organization)",
            target="BusinessPartnerCategory",
            **where,
        )
    if category == "2":
        require(fields, ("OrganizationBPName1",), where)
        full = " ".join(
            filter(None, (fields["OrganizationBPName1"], fields.get("OrganizationBPName2")))
        )
    else:
        require(fields, ("LastName",), where)
        full = " ".join(filter(None, (fields.get("FirstName"), fields["LastName"])))
    derived = {"BusinessPartnerFullName": full[:81], "BusinessPartnerName": full[:81]}
    if not fields.get("SearchTerm1"):
        derived["SearchTerm1"] = full.upper()[:20]
    return derived


def _sales_document(
    tenant: Tenant, name: str, fields: dict[str, Any], where: Mapping[str, str]
) -> dict[str, Any]:
    require(fields, (f"{name[2:]}Type", *SD_HEADER), where)
    fields.pop(name[2:], None)
    if tenant.collection("A_BusinessPartner").get(str(fields["SoldToParty"])) is None:
        raise fail(
            400,
            "V1/390",
            f"Sold-to party {fields['SoldToParty']} does not exist",
            target="SoldToParty",
            **where,
        )
    fields.setdefault("TransactionCurrency", str(tenant.config.settings["currency"]))
    date_field = "SalesOrderDate" if name == "A_SalesOrder" else "SalesQuotationDate"
    fields.setdefault(date_field, datetime.fromtimestamp(now_ms() / 1000, UTC).date().isoformat())
    fields.update(OverallSDProcessStatus="A", OverallSDDocumentRejectionSts="A")
    item_key = ITEM_KEY[name]
    for position, item in enumerate(fields.get("to_Item", []), start=1):
        item.pop(name[2:], None)
        item.setdefault(item_key, str(position * 10))
        require(item, ("Material", "RequestedQuantity"), where)
        if tenant.collection("A_Product").get(str(item["Material"])) is None:
            raise fail(
                400,
                "V1/084",
                f"Material {item['Material']} does not exist",
                target="Material",
                **where,
            )
    return {**fields, **reprice(fields)}


def reprice(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Item net amounts from pricing and the header total, as SAP's pricing derives them."""
    if "to_Item" not in fields:
        return {}
    currency = fields.get("TransactionCurrency", "")
    items = []
    for item in fields["to_Item"]:
        amount = net_amount(str(item["Material"]), Decimal(str(item["RequestedQuantity"])))
        items.append({**item, "NetAmount": f"{amount:.3f}", "TransactionCurrency": currency})
    total = sum((Decimal(i["NetAmount"]) for i in items), Decimal(0))
    return {"to_Item": items, "TotalNetAmount": f"{total:.3f}"}


def rederive(name: str, merged: Mapping[str, Any], where: Mapping[str, str]) -> dict[str, Any]:
    """Values to refresh after an update merged into `merged` (the whole new record)."""
    if name == "A_BusinessPartner":
        return partner_names(merged, where)
    if name in ITEM_KEY:
        return reprice(merged)
    return {}
