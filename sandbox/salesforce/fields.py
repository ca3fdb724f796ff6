"""Field lists of the simulated standard objects (a realistic subset of each)."""

from __future__ import annotations

from sandbox.core import FieldDef
from sandbox.core.words import INDUSTRIES

CURRENCIES = ("USD", "EUR", "GBP", "CAD", "AUD", "JPY", "CHF", "MXN", "BRL", "SEK")
LEAD_SOURCES = ("Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Trade Show", "Other")
STAGES = (
    ("Prospecting", 10, "Pipeline"),
    ("Qualification", 10, "Pipeline"),
    ("Needs Analysis", 20, "Pipeline"),
    ("Value Proposition", 50, "Pipeline"),
    ("Id. Decision Makers", 60, "Pipeline"),
    ("Perception Analysis", 70, "Pipeline"),
    ("Proposal/Price Quote", 75, "Best Case"),
    ("Negotiation/Review", 90, "Commit"),
    ("Closed Won", 100, "Closed"),
    ("Closed Lost", 0, "Omitted"),
)
STAGE_NAMES = tuple(s[0] for s in STAGES)
STAGE_INFO = {s[0]: s for s in STAGES}

F = FieldDef

USER = (
    F("Username", "string", required=True, updateable=False),
    F("FirstName", "string", length=40),
    F("LastName", "string", required=True, length=80),
    F("Email", "email", required=True),
    F("Alias", "string", length=8),
    F("Title", "string", length=80),
    F("Department", "string", length=80),
    F("IsActive", "boolean"),
    F("TimeZoneSidKey", "picklist", options=("America/Los_Angeles", "Europe/Madrid")),
)

ACCOUNT = (
    F("Name", "string", required=True),
    F(
        "Type",
        "picklist",
        options=("Customer - Direct", "Customer - Channel", "Prospect", "Partner", "Other"),
    ),
    F("Industry", "picklist", options=INDUSTRIES),
    F("AccountNumber", "string", length=40),
    F("Phone", "phone", length=40),
    F("Website", "url"),
    F("BillingStreet", "text"),
    F("BillingCity", "string", length=40),
    F("BillingState", "string", length=80),
    F("BillingPostalCode", "string", length=20),
    F("BillingCountry", "string", length=80),
    F("AnnualRevenue", "currency"),
    F("NumberOfEmployees", "integer"),
    F("CurrencyIsoCode", "picklist", options=CURRENCIES, label="Account Currency"),
    F("Description", "text", length=32000),
    F("OwnerId", "reference", reference_to="User", label="Owner ID"),
)

CONTACT = (
    F("AccountId", "reference", reference_to="Account", label="Account ID"),
    F("Salutation", "picklist", options=("Mr.", "Ms.", "Mrs.", "Dr.", "Prof.")),
    F("FirstName", "string", length=40),
    F("LastName", "string", required=True, length=80),
    F("Title", "string", length=128),
    F("Department", "string", length=80),
    F("Email", "email", length=80),
    F("Phone", "phone", length=40),
    F("MobilePhone", "phone", length=40),
    F("MailingStreet", "text"),
    F("MailingCity", "string", length=40),
    F("MailingState", "string", length=80),
    F("MailingPostalCode", "string", length=20),
    F("MailingCountry", "string", length=80),
    F("LeadSource", "picklist", options=LEAD_SOURCES),
    F("CurrencyIsoCode", "picklist", options=CURRENCIES, label="Contact Currency"),
    F("Description", "text", length=32000),
    F("OwnerId", "reference", reference_to="User", label="Owner ID"),
)

OPPORTUNITY = (
    F("AccountId", "reference", reference_to="Account", label="Account ID"),
    F("ContactId", "reference", reference_to="Contact", label="Contact ID"),
    F("Name", "string", required=True, length=120),
    F("StageName", "picklist", required=True, options=STAGE_NAMES, label="Stage"),
    F("Amount", "currency"),
    F("Probability", "percent"),
    F("CloseDate", "date", required=True),
    F(
        "Type",
        "picklist",
        options=(
            "New Customer",
            "Existing Customer - Upgrade",
            "Existing Customer - Replacement",
            "Existing Customer - Downgrade",
        ),
    ),
    F("LeadSource", "picklist", options=LEAD_SOURCES),
    F("NextStep", "string"),
    F(
        "ForecastCategoryName",
        "picklist",
        options=("Pipeline", "Best Case", "Commit", "Omitted", "Closed"),
    ),
    F("IsClosed", "boolean", updateable=False),
    F("IsWon", "boolean", updateable=False),
    F("CurrencyIsoCode", "picklist", options=CURRENCIES, label="Opportunity Currency"),
    F("Description", "text", length=32000),
    F("OwnerId", "reference", reference_to="User", label="Owner ID"),
)

TASK = (
    F("Subject", "picklist", options=("Call", "Send Letter", "Send Quote", "Other")),
    F(
        "Status",
        "picklist",
        options=("Not Started", "In Progress", "Completed", "Waiting on someone else", "Deferred"),
    ),
    F("Priority", "picklist", options=("High", "Normal", "Low")),
    F("ActivityDate", "date", label="Due Date Only"),
    F("WhoId", "reference", reference_to="Contact", label="Name ID"),
    F("WhatId", "reference", reference_to="Opportunity", label="Related To ID"),
    F("TaskSubtype", "picklist", options=("Task", "Email", "Call"), updateable=False),
    F("IsClosed", "boolean", updateable=False),
    F("Description", "text", length=32000),
    F("OwnerId", "reference", reference_to="User", label="Assigned To ID"),
)

EVENT = (
    F("Subject", "picklist", options=("Call", "Email", "Meeting", "Send Letter/Quote", "Other")),
    F("StartDateTime", "datetime"),
    F("EndDateTime", "datetime"),
    F("DurationInMinutes", "integer"),
    F("ActivityDate", "date", label="Due Date Only"),
    F("Location", "string"),
    F("ShowAs", "picklist", options=("Busy", "OutOfOffice", "Free")),
    F("WhoId", "reference", reference_to="Contact", label="Name ID"),
    F("WhatId", "reference", reference_to="Opportunity", label="Related To ID"),
    F("Description", "text", length=32000),
    F("OwnerId", "reference", reference_to="User", label="Assigned To ID"),
)

PRODUCT2 = (
    F("Name", "string", required=True),
    F("ProductCode", "string"),
    F("StockKeepingUnit", "string", label="Product SKU"),
    F("Description", "text", length=4000),
    F("Family", "picklist", options=("Hardware", "Software", "Services", "Consumables")),
    F("IsActive", "boolean", label="Active"),
    F("QuantityUnitOfMeasure", "picklist", options=("Each", "Box", "Pack", "Kilogram", "Pallet")),
    F("CurrencyIsoCode", "picklist", options=CURRENCIES, label="Product Currency"),
)

QUOTE = (
    F("Name", "string", required=True),
    F("QuoteNumber", "string", updateable=False, label="Quote Number"),
    F(
        "OpportunityId",
        "reference",
        reference_to="Opportunity",
        required=True,
        label="Opportunity ID",
    ),
    F("AccountId", "reference", reference_to="Account", updateable=False, label="Account ID"),
    F("ContactId", "reference", reference_to="Contact", label="Contact ID"),
    F(
        "Status",
        "picklist",
        options=(
            "Draft",
            "Needs Review",
            "In Review",
            "Approved",
            "Rejected",
            "Presented",
            "Accepted",
            "Denied",
        ),
    ),
    F("ExpirationDate", "date"),
    F("Subtotal", "currency", updateable=False),
    F("Discount", "percent", updateable=False),
    F("TotalPrice", "currency", updateable=False),
    F("Tax", "currency"),
    F("ShippingHandling", "currency"),
    F("GrandTotal", "currency", updateable=False),
    F("CurrencyIsoCode", "picklist", options=CURRENCIES, label="Quote Currency"),
    F("Email", "email"),
    F("Phone", "phone"),
    F("Description", "text", length=32000),
)

ORDER = (
    F("AccountId", "reference", reference_to="Account", required=True, label="Account ID"),
    F("OrderNumber", "string", updateable=False, label="Order Number"),
    F("EffectiveDate", "date", required=True, label="Order Start Date"),
    F("Status", "picklist", required=True, options=("Draft", "Activated")),
    F("Type", "picklist", options=("New", "Renewal", "Replacement")),
    F("PoNumber", "string", length=80, label="PO Number"),
    F("TotalAmount", "currency", updateable=False, label="Order Amount"),
    F("BillingCity", "string", length=40),
    F("BillingCountry", "string", length=80),
    F("CurrencyIsoCode", "picklist", options=CURRENCIES, label="Order Currency"),
    F("Description", "text", length=32000),
    F("OwnerId", "reference", reference_to="User", label="Owner ID"),
)

# System fields every object has; rendered from the record's metadata, never stored.
SYSTEM = (
    F("Id", "id", updateable=False, length=18),
    F("IsDeleted", "boolean", updateable=False, label="Deleted"),
    F("CreatedDate", "datetime", updateable=False, label="Created Date"),
    F("CreatedById", "reference", reference_to="User", updateable=False, label="Created By ID"),
    F("LastModifiedDate", "datetime", updateable=False, label="Last Modified Date"),
    F(
        "LastModifiedById",
        "reference",
        reference_to="User",
        updateable=False,
        label="Last Modified By ID",
    ),
    F("SystemModstamp", "datetime", updateable=False, label="System Modstamp"),
)

# Read-only compound names computed from stored fields.
COMPUTED_NAME = {"Contact", "User"}
AUTONUMBER = {"Quote": "QuoteNumber", "Order": "OrderNumber"}
