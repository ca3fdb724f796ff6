"""HubSpot CRM objects and their property maps to ToothPick's canonical entities.

Every HubSpot value is a string in `properties`; numbers are written back as
text, dates as `YYYY-MM-DD` (date properties) or epoch milliseconds (datetime
properties, such as a deal's closedate). Custom properties join through a
connection's field overrides as `properties.<name>` (offered by the properties API).
"""

from __future__ import annotations

from typing import Any

from adapters import convert
from adapters.convert import Converter
from adapters.mapping import FieldMap, Rule
from core.models import Direction, Entity

P = "properties."
TEXT_DECIMAL, DATE = convert.DECIMAL_TEXT, convert.DATE


def _task_done(value: Any) -> bool:
    return convert.read_text(value).upper() == "COMPLETED"


TASK_DONE = Converter(
    "a task status", _task_done, lambda v: "COMPLETED" if convert.read_bool(v) else "NOT_STARTED"
)
"""hs_task_status COMPLETED is done; marking a task not done sets NOT_STARTED."""
TASK_KIND = convert.choice({"TODO": "task", "CALL": "call", "EMAIL": "email"})

CONTACT = FieldMap(
    Entity.CONTACT,
    (
        Rule("first_name", P + "firstname"),
        Rule("last_name", P + "lastname"),
        Rule("email", P + "email"),
        Rule("phone", P + "phone"),
        Rule("title", P + "jobtitle"),
        Rule("account_external_id", P + "associatedcompanyid", convert.REF, writable=False),
    ),
)
ACCOUNT = FieldMap(
    Entity.ACCOUNT,
    (
        Rule("name", P + "name"),
        Rule("domain", P + "domain"),
        Rule("industry", P + "industry"),
        Rule("phone", P + "phone"),
        Rule("city", P + "city"),
        Rule("country", P + "country"),
        Rule("employees", P + "numberofemployees", convert.INT_TEXT),
    ),
)
OPPORTUNITY = FieldMap(
    Entity.OPPORTUNITY,
    (
        Rule("name", P + "dealname"),
        Rule("amount", P + "amount", TEXT_DECIMAL),
        Rule("currency", P + "deal_currency_code"),
        Rule("stage", P + "dealstage"),
        Rule("close_date", P + "closedate", convert.DATE_EPOCH_MS),
    ),
)
ACTIVITY = FieldMap(
    Entity.ACTIVITY,
    (
        Rule("kind", P + "hs_task_type", TASK_KIND),
        Rule("subject", P + "hs_task_subject"),
        Rule("due_at", P + "hs_timestamp", convert.DATETIME_ISO),
        Rule("done", P + "hs_task_status", TASK_DONE),
        Rule("notes", P + "hs_task_body"),
    ),
)
QUOTE = FieldMap(
    Entity.QUOTE,
    (
        Rule("number", P + "hs_quote_number", writable=False, direction=Direction.PULL),
        Rule("number", P + "hs_title", direction=Direction.PUSH),  # the number is HubSpot's
        Rule("status", P + "hs_status"),
        Rule("valid_until", P + "hs_expiration_date", DATE),
        Rule("currency", P + "hs_currency"),
        Rule("total_amount", P + "hs_quote_amount", TEXT_DECIMAL, writable=False),
    ),
)
PRODUCT = FieldMap(
    Entity.PRODUCT,
    (
        Rule("sku", P + "hs_sku"),
        Rule("name", P + "name"),
        Rule("description", P + "description"),
        Rule("price", P + "price", TEXT_DECIMAL),
    ),
)

UNSUPPORTED = {
    Entity.ORDER: "HubSpot has no sales orders in its CRM API (deals and quotes instead).",
    Entity.CUSTOMER: "HubSpot keeps customers as companies: sync the account entity.",
    Entity.INVENTORY: "HubSpot does not keep stock levels.",
}
"""Calls, meetings and notes are not carried: an activity is read from one object, tasks."""
