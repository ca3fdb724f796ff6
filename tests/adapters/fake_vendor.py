"""A fake vendor adapter built on BaseAdapter, as a vendor engineer would write one.

It borrows Pipedrive's system slot (the System enum is closed) under the label
"Fake CRM", and speaks a small Pipedrive-v2-like dialect that the tests serve
from a ScriptedServer.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import requests

from adapters import convert
from adapters.auth import Authenticator, TokenAuth
from adapters.base import FieldKind, FormField, VendorField
from adapters.base_adapter import BaseAdapter, EntitySpec, declare_system
from adapters.failures import Resolution
from adapters.mapping import FieldMap, Rule
from adapters.paging import CursorPaginator, OffsetPaginator, PageRequest
from adapters.ratelimit import RateHeaders, RateLimit
from adapters.retry import RetryPolicy
from core.models import Entity, System

CONTACTS = EntitySpec(
    Entity.CONTACT,
    "persons",
    FieldMap(
        Entity.CONTACT,
        (
            Rule("first_name", "first_name"),
            Rule("last_name", "last_name"),
            Rule("email", "emails.0.value", writable=False),
            Rule("account_external_id", "org_id", convert.REF_INT),
        ),
    ),
    path="/api/v2/persons",
    records_path="data",
    cursor="update_time",
    created="add_time",
    deleted="is_deleted",
    paginator=lambda: CursorPaginator(cursor_path="additional_data.next_cursor", param="cursor"),
    writable=True,
)
ACCOUNTS = EntitySpec(
    Entity.ACCOUNT,
    "organizations",
    FieldMap(
        Entity.ACCOUNT, (Rule("name", "name"), Rule("employees", "people_count", convert.INT))
    ),
    path="/api/v1/organizations",
    records_path="data",
    cursor="update_time",
    paginator=lambda: OffsetPaginator(limit=2, offset_param="start"),
)


class FakeCrmAdapter(BaseAdapter):
    info = declare_system(
        System.PIPEDRIVE,
        label="Fake CRM",
        form=(
            FormField("base_url", "Company URL", FieldKind.URL),
            FormField("api_token", "API token", FieldKind.SECRET),
        ),
        specs=(CONTACTS, ACCOUNTS),
        unsupported={
            Entity.QUOTE: "Fake CRM has no quotes.",
            Entity.OPPORTUNITY: "Fake CRM keeps deals in another product.",
            Entity.ACTIVITY: "Fake CRM's activities are not offered by its API.",
        },
        auth="API token, sent as the api_token query parameter",
    )
    specs = (CONTACTS, ACCOUNTS)
    rate_limits = (RateLimit(20, 2.0),)
    rate_headers = RateHeaders("x-ratelimit-remaining", "x-ratelimit-reset")
    retry_policy = RetryPolicy(max_attempts=3)

    def authenticator(self) -> Authenticator:
        return TokenAuth.query("api_token", self.secret("api_token"))

    def classify(self, response: requests.Response) -> Resolution | None:
        if response.status_code == 429 and response.headers.get("x-daily-requests-left") == "0":
            return Resolution.quota("Fake CRM's daily request budget is spent")
        return None

    def first_request(self, spec: EntitySpec, since: datetime | None) -> PageRequest:
        params: dict[str, Any] = {"sort_by": "update_time", "sort_direction": "asc"}
        if since is not None:
            params["updated_since"] = since.strftime("%Y-%m-%dT%H:%M:%SZ")
        return PageRequest(url=spec.endpoint, params=params)

    def custom_fields(self, spec: EntitySpec) -> list[VendorField]:
        reply = self.session.request_json("GET", f"/api/v1/{spec.vendor_object[:-1]}Fields")
        return [
            VendorField(f"custom_fields.{item['key']}", item["name"], item["field_type"], True)
            for item in reply.body["data"]
            if item.get("edit_flag")
        ]
