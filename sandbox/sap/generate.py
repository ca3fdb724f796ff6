"""Deterministic SAP master and transaction data: products, business partners,
sales orders and quotations with items, and stock per plant and storage location.

Every record is a pure function of (tenant seed, entity set, index). Items and
addresses are stored inside their document, the way SAP keeps them, and
reference products and partners that exist. A material's price is a pure
function of its number (a stand-in for its pricing condition), so generated
and newly created items are priced alike.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any

from sandbox.core import Draw, GenContext
from sandbox.core import words as w

UNITS = ("PC", "EA", "KG", "L", "M", "BOX")
PRODUCT_GROUPS = ("L001", "L002", "L003", "L004", "YBFA01", "YBFA02")
PRODUCT_TYPES = ("FERT", "FERT", "FERT", "HAWA", "HAWA", "ROH")
STATUS = ("A", "B", "C", "C")
PAYMENT_TERMS = ("0001", "0002", "0004", "NT30")


def unit_price(material: str) -> Decimal:
    """The material's net price per unit (what the simulated pricing determines)."""
    digest = hashlib.blake2b(material.encode(), digest_size=4).digest()
    return Decimal(int.from_bytes(digest, "little") % 49_000 + 500) / 100


def net_amount(material: str, quantity: Decimal) -> Decimal:
    return (unit_price(material) * quantity).quantize(Decimal("0.001"))


def _date(draw: Draw, low: int = 2022, high: int = 2024) -> str:
    return f"{draw.between(low, high)}-{draw.between(1, 12):02d}-{draw.between(1, 28):02d}"


def _user(draw: Draw) -> str:
    return f"CB99800{draw.digits(5)}"


def _flagged(index: int, ctx: GenContext) -> bool:
    """Every n-th product flagged for deletion, where the tenant has such (globex)."""
    every = int(ctx.settings.get("deletion_flag_every", 0))
    return bool(every) and index % every == every - 1


def gen_product(draw: Draw, index: int, ctx: GenContext) -> dict[str, Any]:
    name = w.product_name(draw)
    descriptions = [{"Language": "EN", "ProductDescription": name}]
    if "DE" in ctx.settings.get("languages", ()):
        descriptions.append({"Language": "DE", "ProductDescription": f"{name} (DE)"})
    gross = draw.between(100, 250_000)
    return {
        "ProductType": draw.choice(PRODUCT_TYPES),
        "CrossPlantStatus": "" if draw.chance(92) else "01",
        "CreatedByUser": _user(draw),
        "LastChangedByUser": _user(draw),
        "IsMarkedForDeletion": _flagged(index, ctx),
        "ProductOldID": "",
        "GrossWeight": f"{gross / 1000:.3f}",
        "WeightUnit": "KG",
        "NetWeight": f"{gross * 9 // 10 / 1000:.3f}",
        "CountryOfOrigin": draw.choice(("US", "DE", "CN", "MX", "IT")),
        "ProductGroup": draw.choice(PRODUCT_GROUPS),
        "BaseUnit": draw.choice(UNITS),
        "ItemCategoryGroup": "NORM",
        "Division": "00",
        "Brand": "",
        "ProductStandardID": f"40{draw.digits(11)}",
        "InternationalArticleNumberCat": "HE",
        "IsBatchManagementRequired": draw.chance(10),
        "ProductManufacturerNumber": "",
        "IndustrySector": "M",
        "to_Description": descriptions,
    }


def address_id(partner: str) -> str:
    return str(int(partner) + 8_000_000) if partner.isdigit() else partner[-10:]


def gen_partner(draw: Draw, index: int, ctx: GenContext) -> dict[str, Any]:
    partner = ctx.id_of("A_BusinessPartner", index)
    street, city, region, _country_name, country, postal, prefix = draw.choice(w.ADDRESSES)
    company = draw.chance(85)
    first, last, *_rest = draw.choice(w.PEOPLE)
    name, domain, _industry = draw.choice(w.COMPANIES)
    name = name[:40]
    full = name if company else f"{first} {last}"
    number, _, street_name = street.partition(" ")
    addr = address_id(partner)
    email = w.email(first, last, domain, index)
    return {
        "BusinessPartnerCategory": "2" if company else "1",
        "BusinessPartnerFullName": full,
        "BusinessPartnerName": full,
        "BusinessPartnerGrouping": "BP02",
        "CorrespondenceLanguage": "EN",
        "CreatedByUser": _user(draw),
        "LastChangedByUser": _user(draw),
        "FirstName": "" if company else first,
        "LastName": "" if company else last,
        "IsNaturalPerson": "" if company else "X",
        "OrganizationBPName1": name if company else "",
        "OrganizationBPName2": "",
        "Language": "EN",
        "Industry": draw.choice(("RETAIL", "HITECH", "MILL", "CHEM", "")),
        "SearchTerm1": full.upper()[:20],
        "SearchTerm2": "",
        "BusinessPartnerIsBlocked": draw.chance(2),
        "BusinessPartnerType": "",
        "IsMarkedForArchiving": False,
        "to_BusinessPartnerAddress": [
            {
                "AddressID": addr,
                "CareOfName": "",
                "CityName": city,
                "Country": country,
                "District": "",
                "FullName": full,
                "HouseNumber": number,
                "Language": "EN",
                "POBox": "",
                "PostalCode": postal,
                "Region": region[:3].upper(),
                "StreetName": street_name,
                "AddressTimeZone": "UTC",
                "to_EmailAddress": [comm(addr, EmailAddress=email)],
                "to_PhoneNumber": [comm(addr, PhoneNumber=w.phone(draw, prefix), country=country)],
            }
        ],
    }


def comm(address: str, *, country: str = "", **value: str) -> dict[str, Any]:
    """One email or phone entry of an address, with SAP's derived search field."""
    row: dict[str, Any] = {"AddressID": address, "Person": "", "OrdinalNumber": "1"}
    if "EmailAddress" in value:
        row.update(
            IsDefaultEmailAddress=True,
            EmailAddress=value["EmailAddress"],
            SearchEmailAddress=value["EmailAddress"].upper()[:20],
        )
    else:
        row.update(
            DestinationLocationCountry=country,
            IsDefaultPhoneNumber=True,
            PhoneNumber=value["PhoneNumber"],
            PhoneNumberExtension="",
            PhoneNumberType="1",
        )
    return row


def _items(draw: Draw, ctx: GenContext, key: str, currency: str) -> list[dict[str, Any]]:
    items = []
    for position in range(draw.between(1, 4)):
        material = ctx.ref("A_Product", draw) or "TG000001"
        quantity = Decimal(draw.between(1, 60))
        items.append(
            {
                key: str((position + 1) * 10),
                f"{key}Category": "AGN" if key.startswith("SalesQuotation") else "TAN",
                f"{key}Text": w.product_name(draw),
                "HigherLevelItem": "0",
                "PurchaseOrderByCustomer": "",
                "Material": material,
                "MaterialByCustomer": "",
                "RequestedQuantity": f"{quantity:.3f}",
                "RequestedQuantityUnit": "PC",
                "TransactionCurrency": currency,
                "NetAmount": f"{net_amount(material, quantity):.3f}",
                "MaterialGroup": draw.choice(PRODUCT_GROUPS),
                "ProductionPlant": str(ctx.settings["plants"][0]),
                "StorageLocation": "",
            }
        )
    return items


def _document(draw: Draw, ctx: GenContext, item_key: str) -> dict[str, Any]:
    currency = str(ctx.settings["currency"])
    items = _items(draw, ctx, item_key, currency)
    total = sum((Decimal(i["NetAmount"]) for i in items), Decimal(0))
    return {
        "SalesOrganization": str(ctx.settings["sales_org"]),
        "DistributionChannel": "10",
        "OrganizationDivision": "00",
        "SalesGroup": "",
        "SalesOffice": "",
        "SalesDistrict": "",
        "SoldToParty": ctx.ref("A_BusinessPartner", draw) or "",
        "CreatedByUser": _user(draw),
        "PurchaseOrderByCustomer": f"PO-{draw.digits(6)}",
        "CustomerPurchaseOrderType": "",
        "CustomerPurchaseOrderDate": None,
        "TotalNetAmount": f"{total:.3f}",
        "TransactionCurrency": currency,
        "SDDocumentReason": "",
        "PricingDate": _date(draw),
        "RequestedDeliveryDate": _date(draw, 2023, 2025),
        "ShippingCondition": "01",
        "CompleteDeliveryIsDefined": False,
        "HeaderBillingBlockReason": "",
        "DeliveryBlockReason": "",
        "IncotermsClassification": draw.choice(("EXW", "FCA", "DAP", "DDP")),
        "IncotermsLocation1": "",
        "CustomerPaymentTerms": draw.choice(PAYMENT_TERMS),
        "OverallSDProcessStatus": draw.choice(STATUS),
        "TotalCreditCheckStatus": "",
        "OverallSDDocumentRejectionSts": "A",
        "to_Item": items,
    }


def gen_sales_order(draw: Draw, index: int, ctx: GenContext) -> dict[str, Any]:
    document = _document(draw, ctx, "SalesOrderItem")
    document.update(
        SalesOrderType="OR",
        SalesOrderDate=_date(draw),
        OverallTotalDeliveryStatus=draw.choice(("A", "B", "C")),
    )
    return document


def gen_quotation(draw: Draw, index: int, ctx: GenContext) -> dict[str, Any]:
    document = _document(draw, ctx, "SalesQuotationItem")
    start = _date(draw, 2023, 2024)
    document.update(
        SalesQuotationType="QT",
        SalesQuotationDate=start,
        BindingPeriodValidityStartDate=start,
        BindingPeriodValidityEndDate=f"{int(start[:4]) + 1}{start[4:]}",
        HdrOrderProbabilityInPercent=draw.choice(("30", "50", "70", "90")),
        ExpectedOrderNetAmount=document["TotalNetAmount"],
        SalesDocApprovalStatus="",
    )
    for item in document["to_Item"]:
        item["ItemOrderProbabilityInPercent"] = document["HdrOrderProbabilityInPercent"]
    return document
