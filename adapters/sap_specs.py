"""SAP S/4HANA Cloud entity specs and default field maps (OData V2, `d.results`).

Where a canonical field lives below a navigation (a product's name in
`to_Description`, a customer's city in its first address), the map names the
expanded path (`to_Description.results.0.ProductDescription`); the adapter's
write hooks turn such paths into a deep insert on create and into a PATCH of
the child entity on update, because SAP Gateway has no deep update.

Two vendor quirks are bridged by fields the adapter adds to each record
(`SapAdapter.to_page`): `LastChangeDate+LastChangeTime` (business partners
have no LastChangeDateTime) and `_key`/`_location` for stock, whose key has
eleven parts and no timestamp at all.
"""

from __future__ import annotations

from typing import Any

from adapters import convert
from adapters.base_adapter import EntitySpec
from adapters.convert import Converter
from adapters.mapping import FieldMap, Lines, Rule
from adapters.paging import ODataPaginator
from core.models import Direction, Entity

ODATA = "/sap/opu/odata/sap"
BP_CURSOR = "LastChangeDate+LastChangeTime"
STOCK_KEYS = (
    "Material", "Plant", "StorageLocation", "Batch", "Supplier", "Customer",
    "WBSElementInternalID", "SDDocument", "SDDocumentItem", "InventorySpecialStockType",
    "InventoryStockType",
)  # fmt: skip
EXPAND = {
    "A_Product": "to_Description",
    "A_SalesOrder": "to_Item",
    "A_SalesQuotation": "to_Item",
    "A_BusinessPartner": "to_BusinessPartnerAddress/to_EmailAddress,"
    "to_BusinessPartnerAddress/to_PhoneNumber",
}
SERVICE = {
    "A_Product": "API_PRODUCT_SRV",
    "A_SalesOrder": "API_SALES_ORDER_SRV",
    "A_SalesQuotation": "API_SALES_QUOTATION_SRV",
    "A_BusinessPartner": "API_BUSINESS_PARTNER",
    "A_MatlStkInAcctMod": "API_MATERIAL_STOCK_SRV",
}


def _flag_read(value: Any) -> bool:
    return convert.read_text(value) == ""


ACTIVE = Converter("active (no cross-plant block)", _flag_read, lambda v: "" if v else "01")
COMPANY = Converter(
    "a partner category (1 person, 2 organization)",
    lambda v: convert.read_text(v) == "2",
    lambda v: "2" if convert.read_bool(v) else "1",
)
SD_STATUS = convert.choice({"A": "open", "B": "in_process", "C": "completed"})
DEC = convert.DECIMAL_TEXT
ADDRESS = "to_BusinessPartnerAddress.results.0"


def _lines(item_key: str, text: str) -> Lines:
    return Lines(
        "to_Item.results",
        (
            Rule("line_id", item_key),
            Rule("product_external_id", "Material", convert.REF),
            Rule("sku", "Material", writable=False),
            Rule("description", text),
            Rule("quantity", "RequestedQuantity", DEC),
            Rule("amount", "NetAmount", DEC, writable=False),
        ),
        writable=True,
    )


PRODUCT_MAP = FieldMap(
    Entity.PRODUCT,
    (
        Rule("sku", "Product", writable=False),
        Rule("name", "to_Description.results.0.ProductDescription"),
        Rule("category", "ProductGroup"),
        Rule("unit", "BaseUnit"),
        Rule("barcode", "ProductStandardID"),
        Rule("active", "CrossPlantStatus", ACTIVE),
    ),
)
CUSTOMER_MAP = FieldMap(
    Entity.CUSTOMER,
    (
        Rule("name", "BusinessPartnerFullName", direction=Direction.PULL),
        Rule("name", "OrganizationBPName1", direction=Direction.PUSH),
        Rule("is_company", "BusinessPartnerCategory", COMPANY),
        Rule("email", f"{ADDRESS}.to_EmailAddress.results.0.EmailAddress"),
        Rule("phone", f"{ADDRESS}.to_PhoneNumber.results.0.PhoneNumber"),
        Rule("street", f"{ADDRESS}.StreetName"),
        Rule("city", f"{ADDRESS}.CityName"),
        Rule("postal_code", f"{ADDRESS}.PostalCode"),
        Rule("country", f"{ADDRESS}.Country"),
    ),
)
ORDER_MAP = FieldMap(
    Entity.ORDER,
    (
        Rule("number", "SalesOrder", writable=False),
        Rule("customer_external_id", "SoldToParty", convert.REF),
        Rule("order_date", "SalesOrderDate", convert.DATE_ODATA),
        Rule("status", "OverallSDProcessStatus", SD_STATUS, writable=False),
        Rule("currency", "TransactionCurrency"),
        Rule("total_amount", "TotalNetAmount", DEC, writable=False),
    ),
    lines=_lines("SalesOrderItem", "SalesOrderItemText"),
)
QUOTE_MAP = FieldMap(
    Entity.QUOTE,
    (
        Rule("number", "SalesQuotation", writable=False),
        Rule("customer_external_id", "SoldToParty", convert.REF),
        Rule("status", "OverallSDProcessStatus", SD_STATUS, writable=False),
        Rule("valid_until", "BindingPeriodValidityEndDate", convert.DATE_ODATA),
        Rule("currency", "TransactionCurrency"),
        Rule("total_amount", "TotalNetAmount", DEC, writable=False),
    ),
    lines=_lines("SalesQuotationItem", "SalesQuotationItemText"),
)
INVENTORY_MAP = FieldMap(
    Entity.INVENTORY,
    (
        Rule("product_external_id", "Material", convert.REF),
        Rule("sku", "Material"),
        Rule("location", "_location"),
        Rule("quantity", "MatlWrhsStkQtyInMatlBaseUnit", DEC),
        Rule("unit", "MaterialBaseUnit"),
    ),
)


def _spec(entity: Entity, name: str, fields: FieldMap, key: str, **options: Any) -> EntitySpec:
    return EntitySpec(
        entity,
        name,
        fields,
        path=f"{ODATA}/{SERVICE[name]}/{name}",
        records_path="d.results",
        key=key,
        paginator=ODataPaginator,
        **options,
    )


SPECS = (
    _spec(
        Entity.PRODUCT, "A_Product", PRODUCT_MAP, "Product", cursor="LastChangeDateTime",
        created="CreationDate", deleted="IsMarkedForDeletion", writable=True,
    ),
    _spec(
        Entity.ORDER, "A_SalesOrder", ORDER_MAP, "SalesOrder", cursor="LastChangeDateTime",
        created="CreationDate", writable=True,
    ),
    _spec(Entity.INVENTORY, "A_MatlStkInAcctMod", INVENTORY_MAP, "_key"),
    _spec(
        Entity.QUOTE, "A_SalesQuotation", QUOTE_MAP, "SalesQuotation",
        cursor="LastChangeDateTime", created="CreationDate", writable=True,
    ),
    _spec(
        Entity.CUSTOMER, "A_BusinessPartner", CUSTOMER_MAP, "BusinessPartner", cursor=BP_CURSOR,
        created="CreationDate", deleted="IsMarkedForArchiving", writable=True,
    ),
)  # fmt: skip
