"""Pipedrive objects as the sandbox stores them: v2 field names, pipelines, stages.

Stored fields use the names of API v2 (owner_id, org_id, emails[], phones[],
custom fields under their 40-character hash keys); v1 renders the same
records in its older shape. Persons are written by `name` and Pipedrive
derives first_name/last_name from it. Pipelines and stages are fixed
per company and served read-only.
"""

from __future__ import annotations

import hashlib

from sandbox.core import FieldDef
from sandbox.core.schema import FieldType

F = FieldDef
VISIBLE_TO = (1, 3, 5, 7)  # owner & followers, entire company, ... (plan dependent)
ACTIVITY_TYPES = ("call", "meeting", "task", "deadline", "email", "lunch")
DEAL_STATUSES = ("open", "won", "lost")
CURRENCIES = ("USD", "EUR", "GBP", "SEK", "BRL")
UNITS = ("pcs", "box", "hour", "kg", "licence", "seat")
CATEGORIES = ("Hardware", "Software", "Services", "Training")

# (id, name, pipeline_id, deal_probability): Pipedrive's default pipeline and a second one.
PIPELINES = ((1, "Sales pipeline"), (2, "Partnerships"))
STAGES = (
    (1, "Qualified", 1, 10),
    (2, "Contact made", 1, 20),
    (3, "Demo scheduled", 1, 40),
    (4, "Proposal made", 1, 60),
    (5, "Negotiations started", 1, 80),
    (6, "Lead in", 2, 10),
    (7, "Evaluation", 2, 50),
    (8, "Contract sent", 2, 90),
)
STAGE_BY_ID = {s[0]: s for s in STAGES}


def custom_key(tenant: str, obj: str, label: str) -> str:
    """A custom field's key: 40 hex characters, stable per company and field."""
    return hashlib.sha1(f"{tenant}:{obj}:{label}".encode(), usedforsecurity=False).hexdigest()


def custom(
    tenant: str, obj: str, label: str, kind: FieldType = "string", *, external_id: bool = False
) -> FieldDef:
    return F(
        custom_key(tenant, obj, label), kind, label=label, custom=True, external_id=external_id
    )


# ToothPick's correlation key, as an admin would add it: a text custom field named
# "ToothPick id" on each object the hub creates (adapters/pipedrive_writes.py).
CORRELATION_LABEL = "ToothPick id"
CORRELATED = ("persons", "organizations", "deals", "activities", "products")


def correlation(tenant: str, obj: str) -> FieldDef:
    return custom(tenant, obj, CORRELATION_LABEL, external_id=True)


PERSONS = (
    F("name", required=True),
    F("first_name", updateable=False),
    F("last_name", updateable=False),
    F("owner_id", "reference", reference_to="users"),
    F("org_id", "reference", reference_to="organizations"),
    F("emails", "email"),
    F("phones", "phone"),
    F("job_title"),
    F("visible_to", "integer"),
    F("label_ids", "text"),
)
ORGANIZATIONS = (
    F("name", required=True),
    F("owner_id", "reference", reference_to="users"),
    F("address", "text"),
    F("website", "url"),
    F("linkedin", "url"),
    F("industry", "integer"),
    F("annual_revenue", "integer"),
    F("employee_count", "integer"),
    F("visible_to", "integer"),
    F("label_ids", "text"),
)
DEALS = (
    F("title", required=True),
    F("owner_id", "reference", reference_to="users"),
    F("person_id", "reference", reference_to="persons"),
    F("org_id", "reference", reference_to="organizations"),
    F("pipeline_id", "integer"),
    F("stage_id", "integer"),
    F("value", "currency"),
    F("currency", "picklist", options=CURRENCIES),
    F("status", "picklist", options=DEAL_STATUSES),
    F("probability", "percent"),
    F("lost_reason"),
    F("expected_close_date", "date"),
    F("stage_change_time", "datetime", updateable=False),
    F("close_time", "datetime"),
    F("won_time", "datetime"),
    F("lost_time", "datetime"),
    F("is_archived", "boolean"),
    F("origin", updateable=False),
    F("visible_to", "integer"),
    F("label_ids", "text"),
)
ACTIVITIES = (
    F("subject", required=True),
    F("type", "picklist", options=ACTIVITY_TYPES),
    F("owner_id", "reference", reference_to="users"),
    F("creator_user_id", "reference", reference_to="users", updateable=False),
    F("deal_id", "reference", reference_to="deals"),
    F("person_id", "reference", reference_to="persons"),
    F("org_id", "reference", reference_to="organizations"),
    F("lead_id", "reference", reference_to="leads"),
    F("due_date", "date"),
    F("due_time"),
    F("duration"),
    F("busy", "boolean"),
    F("done", "boolean"),
    F("marked_as_done_time", "datetime", updateable=False),
    F("note", "text"),
    F("public_description", "text"),
    F("priority", "integer"),
)
PRODUCTS = (
    F("name", required=True),
    F("code"),
    F("description", "text"),
    F("unit", "picklist", options=UNITS),
    F("tax", "number"),
    F("category", "picklist", options=CATEGORIES),
    F("owner_id", "reference", reference_to="users"),
    F("is_linkable", "boolean"),
    F("visible_to", "integer"),
    F("prices", "text"),
    F("billing_frequency"),
)
LEADS = (
    F("title", required=True),
    F("owner_id", "reference", reference_to="users"),
    F("person_id", "reference", reference_to="persons"),
    F("organization_id", "reference", reference_to="organizations"),
    F("value", "text"),
    F("expected_close_date", "date"),
    F("is_archived", "boolean"),
    F("label_ids", "text"),
    F("source_name", updateable=False),
    F("was_seen", "boolean"),
)
NOTES = (
    F("content", "text", required=True),
    F("user_id", "reference", reference_to="users", updateable=False),
    F("deal_id", "reference", reference_to="deals"),
    F("person_id", "reference", reference_to="persons"),
    F("org_id", "reference", reference_to="organizations"),
    F("lead_id", "reference", reference_to="leads"),
    F("pinned_to_deal_flag", "boolean"),
)
USERS = (
    F("name"),
    F("email", "email"),
    F("is_admin", "boolean"),
    F("active_flag", "boolean"),
    F("timezone_name"),
    F("default_currency"),
)
# v2 entity name -> (singular word used in messages and webhooks, v1 fields endpoint)
ENTITIES = {
    "persons": ("person", "personFields"),
    "organizations": ("organization", "organizationFields"),
    "deals": ("deal", "dealFields"),
    "activities": ("activity", "activityFields"),
    "products": ("product", "productFields"),
}
FIELDS_ENDPOINTS = {fields: obj for obj, (_word, fields) in ENTITIES.items()}
