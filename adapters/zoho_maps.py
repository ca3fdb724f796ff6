"""Zoho CRM modules and their field maps to ToothPick's canonical entities.

Lookups read and write as `{"id": ...}` (Zoho also sends the name; we carry the
id). A task's What_Id points at a Deal or an Account depending on `$se_module`;
the adapter splits it into `What_Id@Deals` / `What_Id@Accounts` before mapping
(see ZohoAdapter.to_page) so that each lands in its own canonical field. Quote
line items (`Product_Details`) are read; quotes are pulled only.
"""

from __future__ import annotations

from typing import Any

from adapters import convert as c
from adapters.base import FieldKind, FormField
from adapters.base_adapter import EntitySpec
from adapters.bulk_jobs import threshold_field
from adapters.mapping import FieldMap, Lines, Rule
from adapters.paging import PageNumberPaginator
from core.models import Entity

PER_PAGE = 200
DISCRETE_RECORDS = 2000  # Zoho serves the first 2,000 records of a list by page number
WHAT_ID = "What_Id"
WHAT = WHAT_ID + "@"  # Tasks' What_Id split by $se_module


def _pages() -> PageNumberPaginator:
    return PageNumberPaginator(
        more_path="info.more_records",
        token_path="info.next_page_token",
        token_param="page_token",
        numbered_pages=DISCRETE_RECORDS // PER_PAGE,  # fetched ahead together (adapters.prefetch)
    )


def _spec(entity: Entity, module: str, rules: tuple[Rule, ...], **more: Any) -> EntitySpec:
    lines = more.pop("lines", None)
    return EntitySpec(
        entity,
        module,
        FieldMap(entity, rules, lines),
        records_path="data",
        cursor="Modified_Time",
        created="Created_Time",
        paginator=_pages,
        **more,
    )


R = Rule
TASK = c.Converter("a task", lambda _value: "task", lambda value: value)  # Zoho Tasks are tasks
DONE = c.Converter(
    "a task status",
    lambda value: value == "Completed",
    lambda value: "Completed" if c.read_bool(value) else "Not Started",
)
DUE_DATE = c.Converter("a date", c.read_datetime, lambda v: c.read_datetime(v).date().isoformat())
SPECS = (
    _spec(Entity.CONTACT, "Contacts", (
        R("first_name", "First_Name"), R("last_name", "Last_Name"), R("email", "Email"),
        R("phone", "Phone"), R("title", "Title"),
        R("account_external_id", "Account_Name.id", c.REF),
    ), writable=True),
    _spec(Entity.ACCOUNT, "Accounts", (
        R("name", "Account_Name"), R("domain", "Website"), R("industry", "Industry"),
        R("phone", "Phone"), R("city", "Billing_City"), R("country", "Billing_Country"),
        R("employees", "Employees", c.INT),
    ), writable=True),
    _spec(Entity.OPPORTUNITY, "Deals", (
        R("name", "Deal_Name"), R("amount", "Amount", c.DECIMAL), R("currency", "Currency"),
        R("stage", "Stage"), R("probability", "Probability", c.FLOAT),
        R("close_date", "Closing_Date", c.DATE), R("account_external_id", "Account_Name.id", c.REF),
        R("contact_external_id", "Contact_Name.id", c.REF),
    ), writable=True),
    _spec(Entity.ACTIVITY, "Tasks", (
        R("kind", "id", TASK, writable=False), R("subject", "Subject"),
        R("due_at", "Due_Date", DUE_DATE), R("done", "Status", DONE), R("notes", "Description"),
        R("contact_external_id", "Who_Id.id", c.REF),
        R("opportunity_external_id", WHAT + "Deals.id", c.REF),
        R("account_external_id", WHAT + "Accounts.id", c.REF),
    ), writable=True),
    _spec(Entity.PRODUCT, "Products", (
        R("sku", "Product_Code"), R("name", "Product_Name"), R("description", "Description"),
        R("price", "Unit_Price", c.DECIMAL), R("unit", "Usage_Unit"),
        R("category", "Product_Category"), R("active", "Product_Active", c.BOOL),
    ), writable=True),
    _spec(Entity.QUOTE, "Quotes", (
        R("number", "Quote_Number", writable=False), R("status", "Quote_Stage"),
        R("valid_until", "Valid_Till", c.DATE), R("currency", "Currency"),
        R("total_amount", "Grand_Total", c.DECIMAL, writable=False),
        R("customer_external_id", "Contact_Name.id", c.REF),
        R("account_external_id", "Account_Name.id", c.REF),
        R("opportunity_external_id", "Deal_Name.id", c.REF),
    ), lines=Lines("Product_Details", (
        R("line_id", "id", c.REF), R("product_external_id", "product.id", c.REF),
        R("description", "product_description"),
        R("quantity", "quantity", c.DECIMAL), R("unit_price", "list_price", c.DECIMAL),
        R("amount", "net_total", c.DECIMAL),
    ))),
)  # fmt: skip
FORM = (
    FormField("accounts_url", "Accounts server", FieldKind.URL, default="https://accounts.zoho.com",
              help="Your data centre's: accounts.zoho.com, .eu, .in, .com.au, .jp or .com.cn"),
    FormField("api_version", "CRM API version", FieldKind.CHOICE, required=False,
              default="v2.1", choices=("v2", "v2.1")),
    FormField("client_id", "Client ID", FieldKind.SECRET, help="From the Zoho API console"),
    FormField("client_secret", "Client secret", FieldKind.SECRET),
    FormField("refresh_token", "Refresh token", FieldKind.SECRET,
              help="Granted with access_type=offline for the ZohoCRM.modules and settings scopes"),
    threshold_field("Bulk Read API export jobs"),
)  # fmt: skip
