"""Salesforce objects and their field maps to ToothPick's canonical entities.

Standard API names only; custom fields (`*__c`) join through a connection's
field overrides (`custom.<name>` -> `Loyalty_Tier__c`), offered by describe.
Fields Salesforce computes (autonumbers, IsClosed, QuoteNumber, totals) are read-only.
Polymorphic references are split by key prefix: a Task's WhatId is an
opportunity when it starts 006 and an account when it starts 001.
The connection's form is here as well (FORM), as for the other vendors.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from adapters import convert
from adapters.base import FieldKind, FormField
from adapters.bulk_jobs import threshold_field
from adapters.convert import Converter
from adapters.mapping import FieldMap, Rule
from adapters.salesforce_writes import DEFAULT_EXTERNAL_ID_FIELD
from core.models import Direction, Entity

REF, TEXT, DECIMAL, DATE = convert.REF, convert.TEXT, convert.DECIMAL, convert.DATE
DEFAULT_VERSION = "60.0"
DEFAULT_BATCH = 2000  # Sforce-Query-Options batchSize: 200..2000


def _domain(value: Any) -> str:
    text = convert.read_text(value).strip()
    host = urlsplit(text if "://" in text else "//" + text).hostname or text
    return host.removeprefix("www.")


WEBSITE_DOMAIN = Converter("a web domain", _domain, lambda v: "https://" + _domain(v))
"""Account.Website ("https://www.acme.com/en") read as the domain ("acme.com")."""

DATE_AS_DATETIME = Converter(
    "a date",
    lambda v: convert.read_datetime(convert.read_date(v).isoformat()),
    lambda v: convert.read_datetime(v).date().isoformat(),
)
"""Task.ActivityDate is a date; the canonical due_at is a moment (midnight UTC)."""


def prefixed(key_prefix: str) -> Converter:
    """A polymorphic reference read only when it points at one object (by key prefix)."""

    def read(value: Any) -> str | None:
        text = convert.read_text(value)
        return text if text.startswith(key_prefix) else None

    return Converter(f"a record id starting {key_prefix}", read, convert.read_text)


TASK_KIND = convert.choice({"Task": "task", "Call": "call", "Email": "email", "ListEmail": "email"})


CONTACT = FieldMap(
    Entity.CONTACT,
    (
        Rule("first_name", "FirstName"),
        Rule("last_name", "LastName"),
        Rule("email", "Email"),
        Rule("phone", "Phone"),
        Rule("title", "Title"),
        Rule("account_external_id", "AccountId", REF),
    ),
)

ACCOUNT = FieldMap(
    Entity.ACCOUNT,
    (
        Rule("name", "Name"),
        Rule("domain", "Website", WEBSITE_DOMAIN),
        Rule("industry", "Industry"),
        Rule("phone", "Phone"),
        Rule("city", "BillingCity"),
        Rule("country", "BillingCountry"),
        Rule("employees", "NumberOfEmployees", convert.INT),
    ),
)

OPPORTUNITY = FieldMap(
    Entity.OPPORTUNITY,
    (
        Rule("name", "Name"),
        Rule("amount", "Amount", DECIMAL),
        Rule("currency", "CurrencyIsoCode"),  # multi-currency orgs only; dropped where absent
        Rule("stage", "StageName"),
        Rule("probability", "Probability", convert.FLOAT),
        Rule("close_date", "CloseDate", DATE),
        Rule("account_external_id", "AccountId", REF),
        Rule("contact_external_id", "ContactId", REF),
    ),
)

ACTIVITY = FieldMap(
    Entity.ACTIVITY,
    (
        Rule("kind", "TaskSubtype", TASK_KIND, writable=False),
        Rule("subject", "Subject"),
        Rule("due_at", "ActivityDate", DATE_AS_DATETIME),
        Rule("done", "IsClosed", convert.BOOL, writable=False),
        Rule("notes", "Description"),
        Rule("contact_external_id", "WhoId", prefixed("003")),
        Rule("opportunity_external_id", "WhatId", prefixed("006"), writable=False),
        Rule("account_external_id", "WhatId", prefixed("001"), writable=False),
    ),
)

QUOTE = FieldMap(
    Entity.QUOTE,
    (
        Rule("number", "QuoteNumber", writable=False, direction=Direction.PULL),
        Rule("number", "Name", direction=Direction.PUSH),  # QuoteNumber is an autonumber
        Rule("account_external_id", "AccountId", REF, writable=False),
        Rule("opportunity_external_id", "OpportunityId", REF),
        Rule("status", "Status"),
        Rule("valid_until", "ExpirationDate", DATE),
        Rule("currency", "CurrencyIsoCode"),
        Rule("total_amount", "GrandTotal", DECIMAL, writable=False),
    ),
)

PRODUCT = FieldMap(
    Entity.PRODUCT,
    (
        Rule("sku", "ProductCode"),
        Rule("name", "Name"),
        Rule("description", "Description"),
        Rule("category", "Family"),
        Rule("unit", "QuantityUnitOfMeasure"),
        Rule("active", "IsActive", convert.BOOL),
        Rule("currency", "CurrencyIsoCode"),
    ),
)


UNSUPPORTED = {
    Entity.ORDER: "Salesforce orders are read without their OrderItem lines so far, and an "
    "order without its lines would mislead; not offered yet.",
    Entity.CUSTOMER: "Salesforce keeps customers as Accounts: sync the account entity.",
    Entity.INVENTORY: "Salesforce does not keep stock levels.",
}
"""Events (meetings) are not carried: an activity is read from one object, Task."""

FORM = (
    FormField(
        "login_url",
        "Login URL",
        FieldKind.URL,
        default="https://login.salesforce.com",
        help="https://login.salesforce.com, https://test.salesforce.com for a sandbox "
        "org, or the org's My Domain URL",
    ),
    FormField(
        "api_version",
        "API version",
        required=False,
        default=DEFAULT_VERSION,
        help="REST API version, e.g. 60.0 (at least 31.0)",
    ),
    FormField("client_id", "Consumer key", FieldKind.SECRET),
    FormField(
        "client_secret",
        "Consumer secret",
        FieldKind.SECRET,
        required=False,
        help="Leave empty only if the connected app does not require it on refresh",
    ),
    FormField(
        "refresh_token",
        "Refresh token",
        FieldKind.SECRET,
        help="Issued to the connected app with the refresh_token (offline access) scope",
    ),
    FormField(
        "external_id_field",
        "External ID field",
        required=False,
        default=DEFAULT_EXTERNAL_ID_FIELD,
        help="A Text field marked External ID and Unique on each object the hub "
        "creates; it holds ToothPick's id so that a repeated create updates instead "
        "of duplicating. Empty: plain creates",
    ),
    FormField(
        "batch_size",
        "Records per page",
        FieldKind.INTEGER,
        required=False,
        default=DEFAULT_BATCH,
        help="200 to 2000; lower it for objects with many large fields",
    ),
    threshold_field("a Bulk API 2.0 query job"),
)
