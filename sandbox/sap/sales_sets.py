"""Sales documents: API_SALES_ORDER_SRV and API_SALES_QUOTATION_SRV (header + items).

Items live embedded in their header's stored record (under `to_Item`), as
they do in SAP's document model: changing an item changes the document.
"""

from __future__ import annotations

from sandbox.sap.edm import EntitySet, Nav
from sandbox.sap.fields import CHANGED_AT, CHANGED_ON, CREATED, ID, RO, day, dec, flag, key, s

SALES_ORDER_SRV = "API_SALES_ORDER_SRV"
QUOTATION_SRV = "API_SALES_QUOTATION_SRV"

_SD_HEADER = (
    s("SalesOrganization", 4, "Sales Organization"),
    s("DistributionChannel", 2, "Distribution Channel"),
    s("OrganizationDivision", 2, "Division"),
    s("SalesGroup", 3, "Sales Group"),
    s("SalesOffice", 4, "Sales Office"),
    s("SalesDistrict", 6, "Sales District"),
    s("SoldToParty", 10, "Sold-to Party"),
    CREATED,
    s("CreatedByUser", 12, "Created By", **RO),
    CHANGED_ON,
    CHANGED_AT,
    s("PurchaseOrderByCustomer", 35, "Customer Reference"),
    s("CustomerPurchaseOrderType", 4, "Purchase Order Type"),
    day("CustomerPurchaseOrderDate", "Customer Reference Date"),
)
_SD_TERMS = (
    dec("TotalNetAmount", 16, 3, "Net Value", unit="TransactionCurrency", **RO),
    s("TransactionCurrency", 5, "Document Currency", semantics="currency-code"),
    s("SDDocumentReason", 3, "Order Reason"),
    day("PricingDate", "Pricing Date"),
    day("RequestedDeliveryDate", "Requested Delivery Date"),
    s("ShippingCondition", 2, "Shipping Conditions"),
    flag("CompleteDeliveryIsDefined", "Complete Delivery"),
    s("HeaderBillingBlockReason", 2, "Billing Block"),
    s("DeliveryBlockReason", 2, "Delivery Block"),
    s("IncotermsClassification", 3, "Incoterms"),
    s("IncotermsLocation1", 70, "Incoterms Location 1"),
    s("CustomerPaymentTerms", 4, "Terms of Payment"),
    s("OverallSDProcessStatus", 1, "Overall Status", **RO),
    s("TotalCreditCheckStatus", 1, "Credit Status", **RO),
    s("OverallSDDocumentRejectionSts", 1, "Rejection Status", **RO),
)
_SD_ITEM = (
    s("HigherLevelItem", 6, "Higher-Level Item"),
    s("PurchaseOrderByCustomer", 35, "Customer Reference"),
    s("Material", 40, "Material"),
    s("MaterialByCustomer", 35, "Customer Material"),
    dec("RequestedQuantity", 15, 3, "Requested Quantity", unit="RequestedQuantityUnit"),
    s("RequestedQuantityUnit", 3, "Requested Quantity Unit", semantics="unit-of-measure"),
    s("TransactionCurrency", 5, "Document Currency", semantics="currency-code", **RO),
    dec("NetAmount", 16, 3, "Net Value", unit="TransactionCurrency", **RO),
    s("MaterialGroup", 9, "Material Group"),
    s("ProductionPlant", 4, "Plant"),
    s("StorageLocation", 4, "Storage Location"),
)

SALES_ORDER = EntitySet(
    "A_SalesOrder",
    SALES_ORDER_SRV,
    "Sales Order",
    ("SalesOrder",),
    (
        key("SalesOrder", 10, "Sales Order", derived=ID),
        s("SalesOrderType", 4, "Sales Document Type"),
        *_SD_HEADER,
        day("SalesOrderDate", "Document Date"),
        *_SD_TERMS,
        s("OverallTotalDeliveryStatus", 1, "Delivery Status", **RO),
    ),
    navs=(Nav("to_Item", "A_SalesOrderItem"),),
    deletable=True,
    etag="LastChangeDateTime",
    component="SD-SLS-API",
)
SALES_ORDER_ITEM = EntitySet(
    "A_SalesOrderItem",
    SALES_ORDER_SRV,
    "Sales Order Item",
    ("SalesOrder", "SalesOrderItem"),
    (
        key("SalesOrder", 10, "Sales Order", **RO),
        key("SalesOrderItem", 6, "Sales Order Item", display_format="NonNegative"),
        s("SalesOrderItemCategory", 4, "Item Category"),
        s("SalesOrderItemText", 40, "Item Description"),
        *_SD_ITEM,
        s("SDProcessStatus", 1, "Processing Status", **RO),
    ),
    parent="A_SalesOrder",
    via="to_Item",
    parent_key=(("SalesOrder", "SalesOrder"),),
    component="SD-SLS-API",
)
QUOTATION = EntitySet(
    "A_SalesQuotation",
    QUOTATION_SRV,
    "Sales Quotation Header",
    ("SalesQuotation",),
    (
        key("SalesQuotation", 10, "Sales Quotation", derived=ID),
        s("SalesQuotationType", 4, "Sales Document Type"),
        *_SD_HEADER,
        day("SalesQuotationDate", "Document Date"),
        *_SD_TERMS,
        day("BindingPeriodValidityStartDate", "Quotation Valid From"),
        day("BindingPeriodValidityEndDate", "Quotation Valid To"),
        s("HdrOrderProbabilityInPercent", 3, "Probability", **RO),
        dec("ExpectedOrderNetAmount", 16, 3, "Expd Ord Net Amt", unit="TransactionCurrency", **RO),
        s("SalesDocApprovalStatus", 1, "Approval Status", **RO),
    ),
    navs=(Nav("to_Item", "A_SalesQuotationItem"),),
    deletable=True,
    etag="LastChangeDateTime",
    component="SD-SLS-API",
)
QUOTATION_ITEM = EntitySet(
    "A_SalesQuotationItem",
    QUOTATION_SRV,
    "Sales Quotation Item",
    ("SalesQuotation", "SalesQuotationItem"),
    (
        key("SalesQuotation", 10, "Sales Quotation", **RO),
        key("SalesQuotationItem", 6, "Sales Quotation Item", display_format="NonNegative"),
        s("SalesQuotationItemCategory", 4, "Item Category"),
        s("SalesQuotationItemText", 40, "Item Description"),
        *_SD_ITEM,
        s("ItemOrderProbabilityInPercent", 3, "Probability"),
    ),
    parent="A_SalesQuotation",
    via="to_Item",
    parent_key=(("SalesQuotation", "SalesQuotation"),),
    component="SD-SLS-API",
)
