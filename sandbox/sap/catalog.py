"""The simulated SAP S/4HANA Cloud OData V2 services and their entity sets.

Property names, types, lengths and sap: annotations follow the published
$metadata of API_PRODUCT_SRV, API_SALES_ORDER_SRV, API_SALES_QUOTATION_SRV,
API_BUSINESS_PARTNER and API_MATERIAL_STOCK_SRV: a subset of each (the fields
an integration reads, not all 80 of a sales order).
"""

from __future__ import annotations

import uuid

from sandbox.sap.edm import EntitySet, Nav, Prop
from sandbox.sap.fields import (
    CHANGED_AT,
    CHANGED_ON,
    CREATED,
    ID,
    RO,
    dec,
    etag_stamp,
    flag,
    key,
    s,
)
from sandbox.sap.sales_sets import (
    QUOTATION,
    QUOTATION_ITEM,
    QUOTATION_SRV,
    SALES_ORDER,
    SALES_ORDER_ITEM,
    SALES_ORDER_SRV,
)

PRODUCT_SRV = "API_PRODUCT_SRV"
BP_SRV = "API_BUSINESS_PARTNER"
STOCK_SRV = "API_MATERIAL_STOCK_SRV"
SERVICES = (PRODUCT_SRV, SALES_ORDER_SRV, QUOTATION_SRV, BP_SRV, STOCK_SRV)

PRODUCT = EntitySet(
    "A_Product",
    PRODUCT_SRV,
    "Product",
    ("Product",),
    (
        key("Product", 40, "Product", display_format="UpperCase", derived=ID),
        s("ProductType", 4, "Product Type"),
        s("CrossPlantStatus", 2, "Cross-Plant Status"),
        CREATED,
        s("CreatedByUser", 12, "Created By", **RO),
        CHANGED_ON,
        s("LastChangedByUser", 12, "Last Changed By", **RO),
        CHANGED_AT,
        flag("IsMarkedForDeletion", "Deletion Flag"),
        s("ProductOldID", 40, "Old Product Number"),
        dec("GrossWeight", 13, 3, "Gross Weight", unit="WeightUnit"),
        s("WeightUnit", 3, "Weight Unit", semantics="unit-of-measure"),
        dec("NetWeight", 13, 3, "Net Weight", unit="WeightUnit"),
        s("CountryOfOrigin", 3, "Country of Origin"),
        s("ProductGroup", 9, "Product Group"),
        s("BaseUnit", 3, "Base Unit of Measure", semantics="unit-of-measure"),
        s("ItemCategoryGroup", 4, "Item Category Group"),
        s("Division", 2, "Division"),
        s("Brand", 4, "Brand"),
        s("ProductStandardID", 18, "GTIN"),
        s("InternationalArticleNumberCat", 2, "EAN Category"),
        flag("IsBatchManagementRequired", "Batch Management"),
        s("ProductManufacturerNumber", 40, "Manufacturer Part Number"),
        s("IndustrySector", 1, "Industry Sector"),
    ),
    navs=(Nav("to_Description", "A_ProductDescription"),),
    etag="LastChangeDateTime",
)
PRODUCT_DESCRIPTION = EntitySet(
    "A_ProductDescription",
    PRODUCT_SRV,
    "Product Description",
    ("Product", "Language"),
    (
        key("Product", 40, "Product", display_format="UpperCase"),
        key("Language", 2, "Language Key"),
        s("ProductDescription", 40, "Product Description"),
    ),
    parent="A_Product",
    via="to_Description",
    parent_key=(("Product", "Product"),),
)


BUSINESS_PARTNER = EntitySet(
    "A_BusinessPartner",
    BP_SRV,
    "Business Partner",
    ("BusinessPartner",),
    (
        key("BusinessPartner", 10, "Business Partner", display_format="UpperCase", derived=ID),
        s("Customer", 10, "Customer", derived=ID, **RO),
        s("Supplier", 10, "Supplier", **RO),
        s("AcademicTitle", 4, "Academic Title 1"),
        s("AuthorizationGroup", 4, "Authorization Group"),
        s("BusinessPartnerCategory", 1, "BP Category"),
        s("BusinessPartnerFullName", 81, **RO),
        s("BusinessPartnerGrouping", 4, "Grouping"),
        s("BusinessPartnerName", 81, **RO),
        Prop(
            "BusinessPartnerUUID",
            "Edm.Guid",
            label="BP GUID",
            derived=lambda e: str(uuid.uuid5(uuid.NAMESPACE_OID, f"bp:{e.id}")).upper(),
            **RO,
        ),
        s("CorrespondenceLanguage", 2, "Correspondence lang."),
        s("CreatedByUser", 12, "Created By", **RO),
        CREATED,
        Prop(
            "CreationTime",
            "Edm.Time",
            precision=0,
            label="Created at",
            derived=lambda e: (e.created_ms // 1000) % 86_400,
            **RO,
        ),
        s("FirstName", 40, "First Name"),
        s("FormOfAddress", 4, "Title Key"),
        s("Industry", 10, "Industry sector"),
        s("IsNaturalPerson", 1, "Natural Person"),
        s("Language", 2, "Language"),
        CHANGED_ON,
        Prop(
            "LastChangeTime",
            "Edm.Time",
            precision=0,
            label="Changed at",
            derived=lambda e: (e.modified_ms // 1000) % 86_400,
            **RO,
        ),
        s("LastChangedByUser", 12, "Changed by", **RO),
        s("LastName", 40, "Last Name"),
        s("LegalForm", 2, "Legal form"),
        s("OrganizationBPName1", 40, "Name 1"),
        s("OrganizationBPName2", 40, "Name 2"),
        s("SearchTerm1", 20, "Search Term 1"),
        s("SearchTerm2", 20, "Search Term 2"),
        s("BusinessPartnerIDByExtSystem", 20, "BP ID in External System"),
        flag("BusinessPartnerIsBlocked", "Central Block"),
        s("BusinessPartnerType", 4, "BP Type"),
        Prop("ETag", "Edm.String", max_length=26, derived=etag_stamp, concurrency=True, **RO),
        flag("IsMarkedForArchiving", "Archiving Flag"),
    ),
    navs=(Nav("to_BusinessPartnerAddress", "A_BusinessPartnerAddress"),),
    etag="ETag",
    component="LO-MD-BP",
)
BP_ADDRESS = EntitySet(
    "A_BusinessPartnerAddress",
    BP_SRV,
    "Business Partner Address",
    ("BusinessPartner", "AddressID"),
    (
        key("BusinessPartner", 10, "Business Partner", display_format="UpperCase", **RO),
        key("AddressID", 10, "Address Number", display_format="UpperCase", **RO),
        s("CareOfName", 40, "c/o"),
        s("CityName", 40, "City"),
        s("Country", 3, "Country/Region Key"),
        s("District", 40, "District"),
        s("FullName", 80, "Full Name"),
        s("HouseNumber", 10, "House Number"),
        s("Language", 2, "Language Key"),
        s("POBox", 10, "PO Box"),
        s("PostalCode", 10, "Postal Code"),
        s("Region", 3, "Region"),
        s("StreetName", 60, "Street"),
        s("AddressTimeZone", 6, "Time zone"),
    ),
    navs=(
        Nav("to_EmailAddress", "A_AddressEmailAddress"),
        Nav("to_PhoneNumber", "A_AddressPhoneNumber"),
    ),
    parent="A_BusinessPartner",
    via="to_BusinessPartnerAddress",
    parent_key=(("BusinessPartner", "BusinessPartner"),),
    component="LO-MD-BP",
)
_COMM_KEY = (
    key("AddressID", 10, "Address Number", display_format="UpperCase", **RO),
    key("Person", 10, "Person Number", display_format="UpperCase", **RO),
    key("OrdinalNumber", 3, "Sequence Number", display_format="NonNegative", **RO),
)
BP_EMAIL = EntitySet(
    "A_AddressEmailAddress",
    BP_SRV,
    "Email Address",
    ("AddressID", "Person", "OrdinalNumber"),
    (
        *_COMM_KEY,
        flag("IsDefaultEmailAddress", "Standard addr."),
        s("EmailAddress", 241, "Email Address"),
        s("SearchEmailAddress", 20, "E-Mail Address", **RO),
    ),
    parent="A_BusinessPartnerAddress",
    via="to_EmailAddress",
    component="LO-MD-BP",
)
BP_PHONE = EntitySet(
    "A_AddressPhoneNumber",
    BP_SRV,
    "Phone Number",
    ("AddressID", "Person", "OrdinalNumber"),
    (
        *_COMM_KEY,
        s("DestinationLocationCountry", 3, "Country/Region"),
        flag("IsDefaultPhoneNumber", "Standard No."),
        s("PhoneNumber", 30, "Telephone"),
        s("PhoneNumberExtension", 10, "Extension"),
        s("PhoneNumberType", 1, "Phone Number Type"),
    ),
    parent="A_BusinessPartnerAddress",
    via="to_PhoneNumber",
    component="LO-MD-BP",
)

STOCK_KEYS = (
    "Material",
    "Plant",
    "StorageLocation",
    "Batch",
    "Supplier",
    "Customer",
    "WBSElementInternalID",
    "SDDocument",
    "SDDocumentItem",
    "InventorySpecialStockType",
    "InventoryStockType",
)
_STOCK_LENGTHS = (40, 4, 4, 10, 10, 10, 8, 10, 6, 1, 2)
STOCK = EntitySet(
    "A_MatlStkInAcctMod",
    STOCK_SRV,
    "Material Stock",
    STOCK_KEYS,
    (
        *(
            key(name, length, name, **RO)
            for name, length in zip(STOCK_KEYS, _STOCK_LENGTHS, strict=True)
        ),
        s("WBSElementExternalID", 24, "WBS Element", **RO),
        s("MaterialBaseUnit", 3, "Base Unit of Measure", semantics="unit-of-measure", **RO),
        dec("MatlWrhsStkQtyInMatlBaseUnit", 31, 14, unit="MaterialBaseUnit", **RO),
    ),
    creatable=False,
    updatable=False,
    component="MM-IM-GF",
)

ALL_SETS: dict[str, EntitySet] = {
    entity_set.name: entity_set
    for entity_set in (
        PRODUCT,
        PRODUCT_DESCRIPTION,
        SALES_ORDER,
        SALES_ORDER_ITEM,
        QUOTATION,
        QUOTATION_ITEM,
        BUSINESS_PARTNER,
        BP_ADDRESS,
        BP_EMAIL,
        BP_PHONE,
        STOCK,
    )
}
TOP_LEVEL = tuple(name for name, entity_set in ALL_SETS.items() if entity_set.parent is None)


def sets_of(service: str) -> list[EntitySet]:
    return [entity_set for entity_set in ALL_SETS.values() if entity_set.service == service]


def children_of(name: str) -> list[EntitySet]:
    return [entity_set for entity_set in ALL_SETS.values() if entity_set.parent == name]
