"""Zoho CRM modules as the sandbox serves them: API names, field API names and types.

Field names are Zoho's own API names (Setup > Developer Space > API Names).
Lookups are stored as the referenced record's id and rendered as Zoho renders
them, `{"name": ..., "id": ...}`. A few fields Zoho derives itself
(Full_Name, Expected_Revenue, Grand_Total...) are computed at render time or
on write, and are declared read-only here so that writes to them are refused
the way Zoho refuses them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sandbox.core import FieldDef
from sandbox.core.schema import FieldType

ACCOUNT_TYPES = (
    "Analyst",
    "Competitor",
    "Customer",
    "Distributor",
    "Integrator",
    "Investor",
    "Partner",
    "Press",
    "Prospect",
    "Reseller",
    "Supplier",
    "Vendor",
    "Other",
)
INDUSTRIES = (
    "ASP (Application Service Provider)",
    "Data/Telecom OEM",
    "ERP (Enterprise Resource Planning)",
    "Government/Military",
    "Large Enterprise",
    "ManagementISV",
    "MSP (Management Service Provider)",
    "Network Equipment Enterprise",
    "Non-management ISV",
    "Optical Networking",
    "Service Provider",
    "Small/Medium Enterprise",
    "Storage Equipment",
    "Storage Service Provider",
    "Systems Integrator",
    "Wireless Industry",
)
LEAD_SOURCES = (
    "Advertisement",
    "Cold Call",
    "Employee Referral",
    "External Referral",
    "Online Store",
    "Partner",
    "Public Relations",
    "Sales Email Alias",
    "Seminar Partner",
    "Internal Seminar",
    "Trade Show",
    "Web Download",
    "Web Research",
    "Chat",
)
# Stage -> probability, as in Zoho's default "Standard" pipeline.
STAGES = {
    "Qualification": 10,
    "Needs Analysis": 20,
    "Value Proposition": 40,
    "Id. Decision Makers": 60,
    "Perception Analysis": 70,
    "Proposal/Price Quote": 75,
    "Negotiation/Review": 90,
    "Closed Won": 100,
    "Closed Lost": 0,
    "Closed Lost to Competition": 0,
}
TASK_STATUSES = ("Not Started", "Deferred", "In Progress", "Completed", "Waiting for input")
PRIORITIES = ("High", "Highest", "Low", "Lowest", "Normal")
QUOTE_STAGES = (
    "Draft",
    "Negotiation",
    "Delivered",
    "On Hold",
    "Confirmed",
    "Closed Won",
    "Closed Lost",
)
CURRENCIES = ("USD", "EUR", "GBP", "INR", "JPY", "AUD")
UNITS = ("Box", "Carton", "Dozen", "Each", "Hours", "Impressions", "Lb", "M", "Pack", "Pages")
CATEGORIES = ("Hardware", "Software", "CRM Applications", "Services")

F = FieldDef


def _owner() -> FieldDef:
    return F("Owner", "reference", label="Owner", reference_to="users")


def _ro(name: str, kind: FieldType = "string", label: str = "") -> FieldDef:
    return F(name, kind, label=label or name.replace("_", " "), updateable=False)


ACCOUNTS = (
    F("Account_Name", required=True, length=200, label="Account Name"),
    F("Account_Number", length=40, label="Account Number"),
    F("Account_Type", "picklist", label="Account Type", options=ACCOUNT_TYPES),
    F("Industry", "picklist", options=INDUSTRIES),
    F("Phone", "phone"),
    F("Website", "url"),
    F("Annual_Revenue", "currency", label="Annual Revenue"),
    F("Employees", "integer"),
    F("Billing_Street", label="Billing Street"),
    F("Billing_City", label="Billing City", length=30),
    F("Billing_State", label="Billing State", length=30),
    F("Billing_Code", label="Billing Code", length=30),
    F("Billing_Country", label="Billing Country", length=30),
    F("Description", "text", length=32000),
    _owner(),
)
CONTACTS = (
    F("Salutation", "picklist", options=("Mr.", "Mrs.", "Ms.", "Dr.", "Prof.")),
    F("First_Name", label="First Name", length=40),
    F("Last_Name", required=True, label="Last Name", length=80),
    F("Email", "email", length=100),
    F("Phone", "phone", length=30),
    F("Mobile", "phone", length=30),
    F("Title", length=100),
    F("Department", length=30),
    F("Lead_Source", "picklist", label="Lead Source", options=LEAD_SOURCES),
    F("Account_Name", "reference", label="Account Name", reference_to="Accounts"),
    F("Mailing_Street", label="Mailing Street"),
    F("Mailing_City", label="Mailing City", length=30),
    F("Mailing_State", label="Mailing State", length=30),
    F("Mailing_Zip", label="Mailing Zip", length=30),
    F("Mailing_Country", label="Mailing Country", length=30),
    F("Date_of_Birth", "date", label="Date of Birth"),
    F("Email_Opt_Out", "boolean", label="Email Opt Out"),
    F("Description", "text", length=32000),
    _owner(),
)
DEALS = (
    F("Deal_Name", required=True, label="Deal Name", length=120),
    F("Amount", "currency"),
    F("Currency", "picklist", options=CURRENCIES),
    F("Stage", "picklist", required=True, options=tuple(STAGES)),
    F("Probability", "percent", label="Probability (%)"),
    _ro("Expected_Revenue", "currency", "Expected Revenue"),
    F("Closing_Date", "date", required=True, label="Closing Date"),
    F("Account_Name", "reference", label="Account Name", reference_to="Accounts"),
    F("Contact_Name", "reference", label="Contact Name", reference_to="Contacts"),
    F("Type", "picklist", options=("-None-", "Existing Business", "New Business")),
    F("Lead_Source", "picklist", label="Lead Source", options=LEAD_SOURCES),
    F("Next_Step", label="Next Step", length=100),
    F("Description", "text", length=32000),
    _owner(),
)
ACTIVITY_COMMON = (
    F("Who_Id", "reference", label="Contact Name", reference_to="Contacts"),
    F("What_Id", "reference", label="Related To", reference_to="Deals"),
    F("$se_module", label="Related Module", length=40),
    F("Description", "text", length=32000),
    _owner(),
)
TASKS = (
    F("Subject", required=True, length=300),
    F("Due_Date", "date", label="Due Date"),
    F("Status", "picklist", options=TASK_STATUSES),
    F("Priority", "picklist", options=PRIORITIES),
    _ro("Closed_Time", "datetime", "Closed Time"),
    *ACTIVITY_COMMON,
)
CALLS = (
    F("Subject", required=True, length=300),
    F(
        "Call_Type",
        "picklist",
        required=True,
        label="Call Type",
        options=("Outbound", "Inbound", "Missed"),
    ),
    F(
        "Call_Purpose",
        "picklist",
        label="Call Purpose",
        options=("Prospecting", "Administrative", "Negotiation", "Demo", "Project"),
    ),
    F("Call_Start_Time", "datetime", required=True, label="Call Start Time"),
    F("Call_Duration", required=True, label="Call Duration", length=10),
    F("Call_Result", label="Call Result", length=100),
    *ACTIVITY_COMMON,
)
EVENTS = (
    F("Event_Title", required=True, label="Title", length=300),
    F("Start_DateTime", "datetime", required=True, label="From"),
    F("End_DateTime", "datetime", required=True, label="To"),
    F("Venue", length=255),
    F("All_day", "boolean", label="All day"),
    *ACTIVITY_COMMON,
)
PRODUCTS = (
    F("Product_Name", required=True, label="Product Name", length=120),
    F("Product_Code", label="Product Code", length=40),
    F("Product_Active", "boolean", label="Product Active"),
    F("Product_Category", "picklist", label="Product Category", options=CATEGORIES),
    F("Manufacturer", length=60),
    F("Unit_Price", "currency", label="Unit Price"),
    F("Usage_Unit", "picklist", label="Usage Unit", options=UNITS),
    F("Qty_in_Stock", "number", label="Qty in Stock"),
    F("Taxable", "boolean"),
    F("Description", "text", length=32000),
    _owner(),
)
QUOTES = (
    F("Subject", required=True, length=120),
    _ro("Quote_Number", label="Quote Number"),
    F("Quote_Stage", "picklist", label="Quote Stage", options=QUOTE_STAGES),
    F("Valid_Till", "date", label="Valid Till"),
    F("Deal_Name", "reference", label="Deal Name", reference_to="Deals"),
    F("Contact_Name", "reference", label="Contact Name", reference_to="Contacts"),
    F("Account_Name", "reference", required=True, label="Account Name", reference_to="Accounts"),
    F("Currency", "picklist", options=CURRENCIES),
    F("Product_Details", "text", required=True, label="Product Details"),
    _ro("Sub_Total", "currency", "Sub Total"),
    F("Discount", "currency"),
    F("Tax", "currency"),
    F("Adjustment", "currency"),
    _ro("Grand_Total", "currency", "Grand Total"),
    F("Billing_City", label="Billing City", length=30),
    F("Billing_Country", label="Billing Country", length=30),
    F("Terms_and_Conditions", "text", label="Terms and Conditions", length=32000),
    F("Description", "text", length=32000),
    _owner(),
)
USERS = (
    F("first_name"),
    F("last_name"),
    F("email", "email"),
    F("role"),
    F("profile"),
    F("status"),
    F("time_zone"),
)


@dataclass(frozen=True)
class Module:
    """One Zoho module: API name, labels, its fields and the field a record is known by."""

    api_name: str
    singular: str
    plural: str
    fields: tuple[FieldDef, ...]
    display_field: str
    scale: int
    offset: int  # distinct id ranges per module, as Zoho ids are unique across modules
    entity: str | None = None


MODULES = (
    Module("Accounts", "Account", "Accounts", ACCOUNTS, "Account_Name", 300, 1, "account"),
    Module("Contacts", "Contact", "Contacts", CONTACTS, "Full_Name", 1000, 2, "contact"),
    Module("Deals", "Deal", "Deals", DEALS, "Deal_Name", 500, 3, "opportunity"),
    Module("Tasks", "Task", "Tasks", TASKS, "Subject", 600, 4, "activity"),
    Module("Calls", "Call", "Calls", CALLS, "Subject", 300, 5, "activity"),
    Module("Events", "Meeting", "Meetings", EVENTS, "Event_Title", 200, 6, "activity"),
    Module("Products", "Product", "Products", PRODUCTS, "Product_Name", 150, 7, "product"),
    Module("Quotes", "Quote", "Quotes", QUOTES, "Subject", 200, 8, "quote"),
)
BY_NAME = {m.api_name: m for m in MODULES}
BY_LOWER = {m.api_name.lower(): m for m in MODULES}
LINE_ITEMS = "Product_Details"
