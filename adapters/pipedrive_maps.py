"""Pipedrive API v2 objects and their field maps to ToothPick's canonical entities.

Persons are read by first_name/last_name but written by `name` (the adapter
joins the halves); emails and phones are lists of {value, primary, label} and we
carry the primary one; an activity's due date and time (UTC) read as one moment
`due` (split again on write); product prices are read-only (a list per
currency). Custom fields join through field overrides as `custom_fields.<hash>`.
"""

from __future__ import annotations

from typing import Any

from adapters import convert as c
from adapters.base import FieldKind, FormField, SignInMethod
from adapters.base_adapter import EntitySpec
from adapters.mapping import FieldMap, Rule
from adapters.paging import CursorPaginator
from core.models import Entity

LIMIT = 500  # the most a v2 list answers per page

DEFAULT_PER_2S = 80  # Professional plan, API token; the headers correct it either way


def _primary(value: Any) -> str:
    chosen = None
    for item in value if isinstance(value, list) else ():
        if isinstance(item, dict):
            if item.get("primary"):
                chosen = item
                break
            chosen = chosen or item
    if chosen is None or not chosen.get("value"):
        raise ValueError("no value")
    return c.read_text(chosen["value"])


def _contact_list(label: str) -> c.Converter:
    """emails/phones: a list of {value, primary, label}; we carry the primary one."""
    return c.Converter(
        f"an {label} list",
        _primary,
        lambda v: [{"value": c.read_text(v), "primary": True, "label": "work"}],
    )


DUE = c.Converter(
    "a date and time", c.read_datetime, lambda v: c.read_datetime(v).strftime("%Y-%m-%dT%H:%M")
)
R = Rule


def _cursor_pages() -> CursorPaginator:
    return CursorPaginator(cursor_path="additional_data.next_cursor", param="cursor")


def _spec(
    entity: Entity, obj: str, rules: tuple[Rule, ...], *, writable: bool = True
) -> EntitySpec:
    return EntitySpec(
        entity, obj, FieldMap(entity, rules), path=f"/api/v2/{obj}", records_path="data",
        cursor="update_time", created="add_time", deleted="is_deleted", writable=writable,
        paginator=_cursor_pages,
    )  # fmt: skip


SPECS = (
    _spec(Entity.CONTACT, "persons", (
        R("first_name", "first_name"), R("last_name", "last_name"),
        R("email", "emails", _contact_list("email")), R("phone", "phones", _contact_list("phone")),
        R("title", "job_title"), R("account_external_id", "org_id", c.REF_INT),
    )),
    _spec(Entity.ACCOUNT, "organizations", (
        R("name", "name"), R("domain", "website"), R("city", "address.locality", writable=False),
        R("country", "address.country", writable=False), R("employees", "employee_count", c.INT),
    )),
    _spec(Entity.OPPORTUNITY, "deals", (
        R("name", "title"), R("amount", "value", c.DECIMAL), R("currency", "currency"),
        R("stage", "stage_id", c.REF_INT), R("probability", "probability", c.FLOAT),
        R("close_date", "expected_close_date", c.DATE),
        R("account_external_id", "org_id", c.REF_INT),
        R("contact_external_id", "person_id", c.REF_INT),
    )),
    _spec(Entity.ACTIVITY, "activities", (
        R("kind", "type"), R("subject", "subject"), R("due_at", "due", DUE),
        R("done", "done", c.BOOL), R("notes", "note"),
        R("contact_external_id", "person_id", c.REF_INT),
        R("account_external_id", "org_id", c.REF_INT),
        R("opportunity_external_id", "deal_id", c.REF_INT),
    )),
    _spec(Entity.PRODUCT, "products", (
        R("sku", "code"), R("name", "name"), R("description", "description"), R("unit", "unit"),
        R("price", "prices.0.price", c.DECIMAL, writable=False),
        R("currency", "prices.0.currency", writable=False),
        R("category", "category", writable=False),
    )),
)  # fmt: skip
FORM = (
    FormField("base_url", "Company URL", FieldKind.URL, placeholder="https://yourcompany.pipedrive.com"),
    FormField("api_token", "API token", FieldKind.SECRET, required=False,
              help="Personal preferences > API; or leave empty and use an OAuth app below"),
    FormField("oauth_url", "OAuth server", FieldKind.URL, required=False, default="https://oauth.pipedrive.com"),
    FormField("client_id", "OAuth client ID", FieldKind.SECRET, required=False),
    FormField("client_secret", "OAuth client secret", FieldKind.SECRET, required=False),
    FormField("refresh_token", "OAuth refresh token", FieldKind.SECRET, required=False),
    FormField("requests_per_2s", "Requests per 2 seconds", FieldKind.INTEGER, required=False,
              default=DEFAULT_PER_2S, help="Your plan's limit per API token: Essential 20, "
              "Advanced 40, Professional 80, Power 100, Enterprise 120 (OAuth: four times that)"),
    FormField("correlation_field", "Correlation field", required=False, default="ToothPick id",
              help="Name of a text custom field on each object the hub creates; it holds "
              "ToothPick's id, so an interrupted create is found instead of made twice. "
              "Empty: plain creates"),
)  # fmt: skip
SIGN_IN = (
    SignInMethod("token", "API token", fields=("api_token",), required=("api_token",)),
    SignInMethod(
        "oauth", "OAuth app", fields=("oauth_url", "client_id", "client_secret", "refresh_token"),
        required=("client_id", "client_secret", "refresh_token"),
    ),
)  # fmt: skip
