"""Deterministic Oracle Fusion data: items of the master organization, sales
accounts, order-hub sales orders with lines, and on-hand quantities.

Every record is a pure function of (tenant seed, resource, index). An item's
number and a line's price are functions of the item's index, so orders and
on-hand rows name items that exist, and API-created lines are priced alike.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sandbox.core import Draw, GenContext
from sandbox.core import words as w
from sandbox.oracle.resources import ITEM_BASE, LINE_BASE

UOMS = (("Each", "Ea"), ("Box", "BX"), ("Kilogram", "KG"), ("Meter", "M"))
STATUSES = ("OPEN", "OPEN", "CLOSED", "AWAIT_BILLING", "DOO_DRAFT")
SLOTS = (("Stores", 0, ""), ("Stores", 1, "LOT-A"), ("FinGoods", 2, ""))


def item_number(index: int) -> str:
    return f"AS{54000 + index}"


def item_index(item_id: int) -> int:
    return item_id - ITEM_BASE - 1


def unit_price(item_id: int) -> Decimal:
    digest = hashlib.blake2b(str(item_id).encode(), digest_size=4).digest()
    return Decimal(int.from_bytes(digest, "little") % 90_000 + 500) / 100


def gen_item(draw: Draw, index: int, ctx: GenContext) -> dict[str, Any]:
    uom = draw.choice(UOMS)
    return {
        "OrganizationId": int(ctx.settings["organization_id"]),
        "OrganizationCode": str(ctx.settings["organization_code"]),
        "ItemNumber": item_number(index),
        "ItemDescription": w.product_name(draw),
        "LongDescription": None,
        "ItemClass": draw.choice(("Root Item Class", "Finished Goods", "Spares")),
        "ItemStatusValue": "Active" if draw.chance(96) else "Inactive",
        "UserItemTypeValue": draw.choice(("Finished Good", "Purchased Item", "Service")),
        "PrimaryUOMValue": uom[0],
        "ListPrice": float(unit_price(ITEM_BASE + index + 1)),
        "CustomerOrderFlag": True,
        "InventoryItemFlag": draw.chance(90),
        "CreatedBy": "SCM_IMPL",
        "LastUpdatedBy": "SCM_IMPL",
    }


def gen_account(draw: Draw, index: int, ctx: GenContext) -> dict[str, Any]:
    name, domain, _industry = draw.choice(w.COMPANIES)
    street, city, _region, _country_name, country, postal, prefix = draw.choice(w.ADDRESSES)
    return {
        "OrganizationName": name,
        "Type": "ZCA_CUSTOMER" if draw.chance(80) else "ZCA_PROSPECT",
        "CustomerClassCode": draw.choice(("COMMERCIAL", "PUBLIC SECTOR", "PARTNER")),
        "EmailAddress": f"sales{index}@{domain}",
        "FormattedPhoneNumber": w.phone(draw, prefix),
        "AddressLine1": street,
        "City": city,
        "PostalCode": postal,
        "Country": country,
        "CurrencyCode": str(ctx.settings["currency"]),
        "TaxpayerIdentificationNumber": f"{country}{draw.digits(9)}",
        "OwnerName": draw.choice(("Lisa Jones", "Gabrielle Lee", "Sam Smith")),
        "CreatedBy": "SALES_ADMIN",
        "LastUpdatedBy": "SALES_ADMIN",
    }


def line(
    position: int, item_id: int, quantity: Decimal, header: int, uom: str = "Ea"
) -> dict[str, Any]:
    """One order line as Fusion prices it (a price per item)."""
    price = unit_price(item_id)
    return {
        "FulfillLineId": LINE_BASE + header * 10 + position,
        "LineNumber": position,
        "SourceTransactionLineId": str(position),
        "ProductId": item_id,
        "ProductNumber": item_number(item_index(item_id)),
        "ProductDescription": None,
        "OrderedQuantity": float(quantity),
        "OrderedUOMCode": uom,
        "UnitSellingPrice": float(price),
        "ExtendedAmount": float(price * quantity),
        "StatusCode": "AWAIT_SHIPPING",
    }


def _day(draw: Draw) -> str:
    return f"20{draw.between(22, 24)}-{draw.between(1, 12):02d}-{draw.between(1, 28):02d}"


def gen_order(draw: Draw, index: int, ctx: GenContext) -> dict[str, Any]:
    account = ctx.ref("accounts", draw) or "100001"
    lines = []
    for position in range(1, draw.between(1, 4) + 1):
        item = ctx.ref_index("itemsV2", draw) or 0
        lines.append(line(position, ITEM_BASE + item + 1, Decimal(draw.between(1, 40)), index))
        lines[-1]["ProductDescription"] = w.product_name(draw)
    source = f"R13_{index + 1:06d}"
    return {
        "OrderKey": f"OPS:{source}",
        "OrderNumber": str(100000 + index),
        "SourceTransactionSystem": "OPS",
        "SourceTransactionId": source,
        "SourceTransactionNumber": source,
        "BusinessUnitName": str(ctx.settings["business_unit"]),
        "BuyingPartyId": 300000200000000 + int(account),
        "BuyingPartyNumber": account,
        "BuyingPartyName": draw.choice(w.COMPANIES)[0],
        "CustomerPONumber": f"PO-{draw.digits(6)}",
        "TransactionOn": f"{_day(draw)}T10:00:00+00:00",
        "TransactionTypeCode": "STD",
        "TransactionalCurrencyCode": str(ctx.settings["currency"]),
        "RequestedShipDate": None,
        "StatusCode": draw.choice(STATUSES),
        "SubmittedFlag": True,
        "CreatedBy": "ORDER_MANAGER",
        "LastUpdatedBy": "ORDER_MANAGER",
        "lines": lines,
    }


@dataclass(frozen=True, slots=True)
class OnhandIds:
    """`<ItemId>_<SubinventoryCode>_<LocatorId>` for slot-structured on-hand rows."""

    def format(self, index: int) -> str:
        subinventory, locator, _lot = SLOTS[index % len(SLOTS)]
        return f"{ITEM_BASE + index // len(SLOTS) + 1}_{subinventory}_{locator}"

    def parse(self, record_id: str) -> int | None:
        parts = record_id.split("_")
        if len(parts) != 3 or not parts[0].isdigit() or not parts[2].isdigit():
            return None
        base = item_index(int(parts[0])) * len(SLOTS)
        for offset in range(len(SLOTS)):
            if base + offset >= 0 and self.format(base + offset) == record_id:
                return base + offset
        return None


def gen_onhand(draw: Draw, index: int, ctx: GenContext) -> dict[str, Any]:
    subinventory, locator, lot = SLOTS[index % len(SLOTS)]
    item = index // len(SLOTS)
    return {
        "OrganizationId": int(ctx.settings["organization_id"]),
        "OrganizationCode": str(ctx.settings["organization_code"]),
        "InventoryItemId": ITEM_BASE + item + 1,
        "ItemNumber": item_number(item),
        "SubinventoryCode": subinventory,
        "LocatorId": locator,
        "Locator": f"{subinventory}.{locator}.0" if locator else None,
        "LotNumber": lot or None,
        "SerialNumber": None,
        "OnhandQuantity": float(draw.between(0, 2_000)),
        "PrimaryUOMCode": "Ea",
    }
