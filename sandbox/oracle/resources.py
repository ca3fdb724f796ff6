"""The simulated Oracle Fusion Cloud REST resources and their attributes.

Resource and attribute names follow Oracle's REST API documentation for SCM
(`fscmRestApi`: itemsV2, salesOrdersForOrderHub with its `lines` child,
onhandQuantityDetails) and Sales (`crmRestApi`: accounts) at version
11.13.18.05: a subset of each resource's attributes, the ones an integration
reads. Types are the ADF describe types (string, integer, number, boolean,
date, datetime); `derived` attributes come from the record's timestamps or id.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sandbox.core import Entry

VERSION = "11.13.18.05"
FSCM = f"/fscmRestApi/resources/{VERSION}"
CRM = f"/crmRestApi/resources/{VERSION}"
ITEM_BASE = 300000001000000
HEADER_BASE = 300000100000000
LINE_BASE = 300000110000000
PARTY_BASE = 300000200000000


@dataclass(frozen=True)
class Attr:
    name: str
    type: str = "string"
    title: str = ""
    updatable: bool = True
    creatable: bool = True
    max_length: int | None = None
    derived: Callable[[Entry], Any] | None = None
    custom: bool = False


@dataclass(frozen=True)
class Resource:
    """One REST resource. `key` names the path key: an attribute, or "hash" for the
    composite-key hash Oracle asks clients never to build (`<Resource>UniqID`)."""

    name: str
    root: str
    title: str
    attrs: tuple[Attr, ...]
    key: str = "hash"
    hash_of: tuple[str, ...] = ()
    children: tuple[str, ...] = ()
    creatable: bool = True
    updatable: bool = True
    deletable: bool = False
    id_attr: str | None = None  # the attribute that is the record id (a range on it is a window)
    index: dict[str, Attr] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self.index.update({a.name: a for a in self.attrs})

    @property
    def path(self) -> str:
        return f"{self.root}/{self.name}"


def _iso(ms: int) -> str:
    from datetime import UTC, datetime

    moment = datetime.fromtimestamp(ms / 1000, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}+00:00"


RO: dict[str, Any] = {"updatable": False, "creatable": False}
AUDIT = (
    Attr("CreatedBy", title="Created By", **RO),
    Attr("CreationDate", "datetime", "Creation Date", derived=lambda e: _iso(e.created_ms), **RO),
    Attr("LastUpdatedBy", title="Last Updated By", **RO),
    Attr(
        "LastUpdateDate",
        "datetime",
        "Last Updated Date",
        derived=lambda e: _iso(e.modified_ms),
        **RO,
    ),
)

ITEMS = Resource(
    "itemsV2",
    FSCM,
    "Items Version 2",
    (
        Attr("ItemId", "integer", "Item ID", derived=lambda e: int(e.id), **RO),
        Attr("OrganizationId", "integer", "Organization ID", creatable=True, updatable=False),
        Attr("OrganizationCode", title="Organization", max_length=18, updatable=False),
        Attr("ItemNumber", title="Item", max_length=300, updatable=False),
        Attr("ItemDescription", title="Description", max_length=240),
        Attr("LongDescription", title="Long Description", max_length=4000),
        Attr("ItemClass", title="Item Class", max_length=250),
        Attr("ItemStatusValue", title="Item Status", max_length=80),
        Attr("UserItemTypeValue", title="User Item Type", max_length=80),
        Attr("PrimaryUOMValue", title="Primary Unit of Measure", max_length=25),
        Attr("ListPrice", "number", "List Price"),
        Attr("CustomerOrderFlag", "boolean", "Customer Ordered"),
        Attr("InventoryItemFlag", "boolean", "Inventory Item"),
        *AUDIT,
    ),
    hash_of=("ItemId", "OrganizationId"),
    children=("ItemDFF",),
    id_attr="ItemId",
)
ITEM_DFF = Resource(
    "ItemDFF",
    FSCM,
    "Descriptive Flexfields for Items",
    (
        Attr("InventoryItemId", "integer", "Inventory Item ID", **RO),
        Attr("OrganizationId", "integer", "Organization ID", **RO),
        Attr("__FLEX_Context", title="Context Segment", max_length=150),
    ),
    hash_of=("InventoryItemId", "OrganizationId"),
)
ORDERS = Resource(
    "salesOrdersForOrderHub",
    FSCM,
    "Sales Orders for Order Hub",
    (
        Attr("HeaderId", "integer", "Header ID", derived=lambda e: int(e.id), **RO),
        Attr("OrderKey", title="Order Key", **RO),
        Attr("OrderNumber", title="Order", max_length=50, **RO),
        Attr("SourceTransactionSystem", title="Source Transaction System", max_length=30),
        Attr("SourceTransactionId", title="Source Transaction ID", max_length=50),
        Attr("SourceTransactionNumber", title="Source Order", max_length=50),
        Attr("SourceTransactionRevisionNumber", "integer", "Source Order Revision"),
        Attr("BusinessUnitId", "integer", "Business Unit ID"),
        Attr("BusinessUnitName", title="Business Unit", max_length=240),
        Attr("RequestingBusinessUnitName", title="Requesting Business Unit", max_length=240),
        Attr("BuyingPartyId", "integer", "Customer ID"),
        Attr("BuyingPartyNumber", title="Customer Number", max_length=30),
        Attr("BuyingPartyName", title="Customer", max_length=360),
        Attr("CustomerPONumber", title="Purchase Order", max_length=50),
        Attr("TransactionOn", "datetime", "Ordered Date"),
        Attr("TransactionType", title="Order Type", max_length=80),
        Attr("TransactionTypeCode", title="Order Type Code", max_length=30),
        Attr("PaymentTerms", title="Payment Terms", max_length=15),
        Attr("FreezePriceFlag", "boolean", "Freeze Price"),
        Attr("FreezeShippingChargeFlag", "boolean", "Freeze Shipping Charge"),
        Attr("FreezeTaxFlag", "boolean", "Freeze Tax"),
        Attr("TransactionalCurrencyCode", title="Currency Code", max_length=15),
        Attr("RequestedShipDate", "datetime", "Requested Ship Date"),
        Attr("StatusCode", title="Status Code", max_length=30, **RO),
        Attr("SubmittedFlag", "boolean", "Submitted"),
        *AUDIT,
    ),
    key="HeaderId",
    children=("lines", "billToCustomer", "shipToCustomer"),
    id_attr="HeaderId",
)
ORDER_LINES = Resource(
    "lines",
    FSCM,
    "Order Lines",
    (
        Attr("FulfillLineId", "integer", "Fulfillment Line ID", **RO),
        Attr("LineNumber", "integer", "Line", **RO),
        Attr("SourceTransactionLineId", title="Source Order Line ID", max_length=50),
        Attr("SourceTransactionLineNumber", title="Source Order Line", max_length=50),
        Attr("SourceScheduleNumber", title="Source Schedule", max_length=50),
        Attr("SourceTransactionScheduleId", title="Source Schedule ID", max_length=50),
        Attr("ProductId", "integer", "Item ID"),
        Attr("ProductNumber", title="Item", max_length=300),
        Attr("ProductDescription", title="Item Description", max_length=240, **RO),
        Attr("OrderedQuantity", "number", "Quantity"),
        Attr("OrderedUOMCode", title="UOM Code", max_length=3),
        Attr("UnitSellingPrice", "number", "Unit Selling Price", **RO),
        Attr("ExtendedAmount", "number", "Extended Amount", **RO),
        Attr("StatusCode", title="Status Code", max_length=30, **RO),
    ),
    key="FulfillLineId",
)
BILL_TO = Resource(
    "billToCustomer",
    FSCM,
    "Bill-to Customers",
    (
        Attr("CustomerAccountId", "integer", "Bill-to Account ID"),
        Attr("SiteUseId", "integer", "Bill-to Site ID"),
        Attr("PartyName", title="Bill-to Customer", max_length=360),
    ),
    hash_of=("CustomerAccountId", "SiteUseId"),
)
SHIP_TO = Resource(
    "shipToCustomer",
    FSCM,
    "Ship-to Customers",
    (
        Attr("PartyId", "integer", "Ship-to Party ID"),
        Attr("SiteId", "integer", "Ship-to Site ID"),
        Attr("PartyName", title="Ship-to Customer", max_length=360),
    ),
    hash_of=("PartyId", "SiteId"),
)
ACCOUNTS = Resource(
    "accounts",
    CRM,
    "Account",
    (
        Attr("PartyId", "integer", "Party ID", derived=lambda e: PARTY_BASE + int(e.id), **RO),
        Attr("PartyNumber", title="Registry ID", max_length=30, derived=lambda e: e.id, **RO),
        Attr("OrganizationName", title="Name", max_length=360),
        Attr("Type", title="Type", max_length=30),
        Attr("CustomerClassCode", title="Customer Class", max_length=30),
        Attr("EmailAddress", title="Email", max_length=320),
        Attr("FormattedPhoneNumber", title="Phone", max_length=60),
        Attr("AddressLine1", title="Address Line 1", max_length=240),
        Attr("City", title="City", max_length=60),
        Attr("PostalCode", title="Postal Code", max_length=60),
        Attr("Country", title="Country", max_length=2),
        Attr("CurrencyCode", title="Currency", max_length=15),
        Attr("TaxpayerIdentificationNumber", title="Taxpayer Identification Number", max_length=20),
        Attr("SourceSystem", title="Source System", max_length=30),
        Attr("SourceSystemReferenceValue", title="Source System Reference Value", max_length=240),
        Attr("OwnerName", title="Owner", **RO),
        *AUDIT,
    ),
    key="PartyNumber",
    deletable=True,
    id_attr="PartyNumber",
)
ONHAND_KEY = (
    "OrganizationId",
    "InventoryItemId",
    "SubinventoryCode",
    "LocatorId",
    "LotNumber",
    "SerialNumber",
)
ONHAND = Resource(
    "onhandQuantityDetails",
    FSCM,
    "On-hand Quantity Details",
    (
        Attr("OrganizationId", "integer", "Organization ID", **RO),
        Attr("OrganizationCode", title="Organization", **RO),
        Attr("InventoryItemId", "integer", "Item ID", **RO),
        Attr("ItemNumber", title="Item", **RO),
        Attr("SubinventoryCode", title="Subinventory", **RO),
        Attr("LocatorId", "integer", "Locator ID", **RO),
        Attr("Locator", title="Locator", **RO),
        Attr("LotNumber", title="Lot", **RO),
        Attr("SerialNumber", title="Serial", **RO),
        Attr("OnhandQuantity", "number", "On-hand Quantity", **RO),
        Attr("PrimaryUOMCode", title="Primary UOM Code", **RO),
    ),
    hash_of=ONHAND_KEY,
    creatable=False,
    updatable=False,
)

RESOURCES: dict[str, Resource] = {r.name: r for r in (ITEMS, ORDERS, ACCOUNTS, ONHAND)}
CHILDREN: dict[tuple[str, str], Resource] = {
    ("itemsV2", "ItemDFF"): ITEM_DFF,
    ("salesOrdersForOrderHub", "lines"): ORDER_LINES,
    ("salesOrdersForOrderHub", "billToCustomer"): BILL_TO,
    ("salesOrdersForOrderHub", "shipToCustomer"): SHIP_TO,
}


def with_custom(resource: Resource, attrs: tuple[Attr, ...]) -> Resource:
    if not attrs:
        return resource
    values = {name: getattr(resource, name) for name in resource.__dataclass_fields__}
    return Resource(**{**values, "attrs": resource.attrs + attrs, "index": {}})
