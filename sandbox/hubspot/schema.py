"""HubSpot object types, their properties and their timestamp property names.

Property values are stored as HubSpot sends them: strings (numbers, booleans and
dates included), so rendering a record is a dict copy.
"""

from __future__ import annotations

from dataclasses import dataclass

from sandbox.core import FieldDef

F = FieldDef

LIFECYCLE = (
    "subscriber",
    "lead",
    "marketingqualifiedlead",
    "salesqualifiedlead",
    "opportunity",
    "customer",
    "evangelist",
    "other",
)
LEAD_STATUS = (
    "NEW",
    "OPEN",
    "IN_PROGRESS",
    "OPEN_DEAL",
    "UNQUALIFIED",
    "ATTEMPTED_TO_CONTACT",
    "CONNECTED",
    "BAD_TIMING",
)
DEAL_STAGES = (
    "appointmentscheduled",
    "qualifiedtobuy",
    "presentationscheduled",
    "decisionmakerboughtin",
    "contractsent",
    "closedwon",
    "closedlost",
)
INDUSTRIES = (
    "COMPUTER_SOFTWARE",
    "RETAIL",
    "MACHINERY",
    "FOOD_BEVERAGES",
    "HOSPITAL_HEALTH_CARE",
    "CONSTRUCTION",
    "LOGISTICS_AND_SUPPLY_CHAIN",
    "FINANCIAL_SERVICES",
    "WHOLESALE",
    "AUTOMOTIVE",
)
CURRENCIES = ("USD", "EUR", "GBP", "CAD", "AUD", "MXN")

CONTACTS = (
    F("email", "email", label="Email"),
    F("firstname", label="First Name"),
    F("lastname", label="Last Name"),
    F("phone", "phone", label="Phone Number"),
    F("mobilephone", "phone", label="Mobile Phone Number"),
    F("company", label="Company Name"),
    F("jobtitle", label="Job Title"),
    F("address", label="Street Address"),
    F("city", label="City"),
    F("state", label="State/Region"),
    F("zip", label="Postal Code"),
    F("country", label="Country/Region"),
    F("lifecyclestage", "picklist", label="Lifecycle Stage", options=LIFECYCLE),
    F("hs_lead_status", "picklist", label="Lead Status", options=LEAD_STATUS),
    F(
        "associatedcompanyid",
        "integer",
        label="Primary Associated Company ID",
        reference_to="companies",
    ),
    F("hubspot_owner_id", "picklist", label="Contact owner"),
)
COMPANIES = (
    F("name", label="Company name"),
    F("domain", label="Company Domain Name"),
    F("industry", "picklist", label="Industry", options=INDUSTRIES),
    F("phone", "phone", label="Phone Number"),
    F("address", label="Street Address"),
    F("city", label="City"),
    F("state", label="State/Region"),
    F("zip", label="Postal Code"),
    F("country", label="Country/Region"),
    F("numberofemployees", "integer", label="Number of Employees"),
    F("annualrevenue", "currency", label="Annual Revenue"),
    F("lifecyclestage", "picklist", label="Lifecycle Stage", options=LIFECYCLE),
    F("hubspot_owner_id", "picklist", label="Company owner"),
)
DEALS = (
    F("dealname", label="Deal Name"),
    F("amount", "currency", label="Amount"),
    F("dealstage", "picklist", label="Deal Stage", options=DEAL_STAGES),
    F("pipeline", "picklist", label="Pipeline", options=("default",)),
    F("closedate", "datetime", label="Close Date"),
    F("dealtype", "picklist", label="Deal Type", options=("newbusiness", "existingbusiness")),
    F("deal_currency_code", "picklist", label="Currency", options=CURRENCIES),
    F("hs_priority", "picklist", label="Priority", options=("low", "medium", "high")),
    F("hubspot_owner_id", "picklist", label="Deal owner"),
)
TASKS = (
    F("hs_task_subject", label="Task Title"),
    F("hs_task_body", "text", label="Task notes"),
    F(
        "hs_task_status",
        "picklist",
        label="Task Status",
        options=("NOT_STARTED", "IN_PROGRESS", "WAITING", "COMPLETED", "DEFERRED"),
    ),
    F("hs_task_priority", "picklist", label="Priority", options=("NONE", "LOW", "MEDIUM", "HIGH")),
    F("hs_task_type", "picklist", label="Task Type", options=("TODO", "CALL", "EMAIL")),
    F("hs_timestamp", "datetime", label="Due date"),
    F("hubspot_owner_id", "picklist", label="Assigned to"),
)
CALLS = (
    F("hs_call_title", label="Call Title"),
    F("hs_call_body", "text", label="Call notes"),
    F("hs_call_direction", "picklist", label="Call direction", options=("INBOUND", "OUTBOUND")),
    F("hs_call_duration", "integer", label="Call duration"),
    F(
        "hs_call_status",
        "picklist",
        label="Call status",
        options=("COMPLETED", "BUSY", "NO_ANSWER", "FAILED"),
    ),
    F("hs_timestamp", "datetime", label="Activity date"),
    F("hubspot_owner_id", "picklist", label="Activity assigned to"),
)
MEETINGS = (
    F("hs_meeting_title", label="Meeting name"),
    F("hs_meeting_body", "text", label="Meeting description"),
    F("hs_meeting_start_time", "datetime", label="Start Time"),
    F("hs_meeting_end_time", "datetime", label="End Time"),
    F("hs_meeting_location", label="Location"),
    F(
        "hs_meeting_outcome",
        "picklist",
        label="Meeting outcome",
        options=("SCHEDULED", "COMPLETED", "RESCHEDULED", "NO_SHOW", "CANCELED"),
    ),
    F("hs_timestamp", "datetime", label="Activity date"),
    F("hubspot_owner_id", "picklist", label="Activity assigned to"),
)
NOTES = (
    F("hs_note_body", "text", label="Note body"),
    F("hs_timestamp", "datetime", label="Activity date"),
    F("hubspot_owner_id", "picklist", label="Activity assigned to"),
)
QUOTES = (
    F("hs_title", label="Quote name"),
    F("hs_quote_number", label="Quote number", updateable=False),
    F("hs_expiration_date", "date", label="Expiration date"),
    F(
        "hs_status",
        "picklist",
        label="Quote approval status",
        options=("DRAFT", "APPROVAL_NOT_NEEDED", "PENDING_APPROVAL", "APPROVED", "REJECTED"),
    ),
    F("hs_currency", "picklist", label="Currency", options=CURRENCIES),
    F("hs_quote_amount", "currency", label="Quote amount"),
    F("hs_language", "picklist", label="Language", options=("en", "es", "de", "fr")),
    F("hs_sender_company_name", label="Sender company name"),
)
PRODUCTS = (
    F("name", label="Name"),
    F("description", "text", label="Description"),
    F("price", "currency", label="Unit price"),
    F("hs_sku", label="SKU"),
    F("hs_cost_of_goods_sold", "currency", label="Unit cost"),
    F(
        "hs_product_type",
        "picklist",
        label="Product type",
        options=("inventory", "non_inventory", "service"),
    ),
)


@dataclass(frozen=True)
class TypeInfo:
    """Per object type: numeric type id, webhook name, timestamp property names and the
    properties returned when a request names none."""

    type_id: str
    singular: str
    created: str
    modified: str
    defaults: tuple[str, ...]
    searchable: tuple[str, ...]


_ENGAGEMENT = ("hs_createdate", "hs_lastmodifieddate")
TYPES: dict[str, TypeInfo] = {
    "contacts": TypeInfo(
        "0-1",
        "contact",
        "createdate",
        "lastmodifieddate",
        ("email", "firstname", "lastname"),
        ("firstname", "lastname", "email", "phone", "company"),
    ),
    "companies": TypeInfo(
        "0-2",
        "company",
        "createdate",
        "hs_lastmodifieddate",
        ("name", "domain"),
        ("name", "domain", "phone"),
    ),
    "deals": TypeInfo(
        "0-3",
        "deal",
        "createdate",
        "hs_lastmodifieddate",
        ("dealname", "amount", "closedate", "pipeline", "dealstage"),
        ("dealname",),
    ),
    "products": TypeInfo(
        "0-7",
        "product",
        "createdate",
        "hs_lastmodifieddate",
        ("name", "description", "price"),
        ("name", "hs_sku", "description"),
    ),
    "quotes": TypeInfo(
        "0-14",
        "quote",
        *_ENGAGEMENT,
        ("hs_title", "hs_expiration_date", "hs_status"),
        ("hs_title",),
    ),
    "tasks": TypeInfo(
        "0-27",
        "task",
        *_ENGAGEMENT,
        ("hs_task_subject", "hs_task_status", "hs_timestamp"),
        ("hs_task_subject", "hs_task_body"),
    ),
    "notes": TypeInfo(
        "0-46", "note", *_ENGAGEMENT, ("hs_note_body", "hs_timestamp"), ("hs_note_body",)
    ),
    "meetings": TypeInfo(
        "0-47",
        "meeting",
        *_ENGAGEMENT,
        ("hs_meeting_title", "hs_timestamp"),
        ("hs_meeting_title", "hs_meeting_body"),
    ),
    "calls": TypeInfo(
        "0-48",
        "call",
        *_ENGAGEMENT,
        ("hs_call_title", "hs_timestamp"),
        ("hs_call_title", "hs_call_body"),
    ),
}
BY_TYPE_ID = {info.type_id: name for name, info in TYPES.items()}
MODIFIED_NAMES = frozenset(("lastmodifieddate", "hs_lastmodifieddate"))
SYSTEM_NAMES = frozenset(
    ("hs_object_id", "createdate", "hs_createdate", "lastmodifieddate", "hs_lastmodifieddate")
)


def canonical_type(path_value: str) -> str | None:
    """contacts / 0-1 / CONTACTS -> contacts (None when HubSpot would not know it)."""
    lowered = path_value.lower()
    if lowered in TYPES:
        return lowered
    return BY_TYPE_ID.get(lowered)
