"""The Zoho CRM simulator: routes, authentication, limits and error rendering.

CRM API v2 and v2.1 share one implementation (their records API is the same
envelope); v3 and later are not served, as `/crm/v3/...` belongs to HubSpot on
this shared server.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from starlette.requests import Request
from starlette.responses import Response

from sandbox.core import (
    BodyError,
    Call,
    ChangeEvent,
    Endpoint,
    Fault,
    FaultKind,
    ObjectSpec,
    OutboundRequest,
    Principal,
    RateUsage,
    TenantConfig,
    Vendor,
    WebhookTarget,
    path_param,
)
from sandbox.zoho import auth, meta, notify, records, search, writes
from sandbox.zoho.bulk import BulkReads
from sandbox.zoho.errors import error_response
from sandbox.zoho.objects import build_objects
from sandbox.zoho.tenants import ID_BASES, default_tenants

VERSIONS = ("v2", "v2.1")


class ZohoVendor(Vendor):
    system = "zoho"
    title = "Zoho CRM API (v2, v2.1)"
    prefixes = ("/crm/v2/", "/crm/v2.1/", "/crm/bulk/", "/oauth/v2/")
    uri_max = 8_192  # unpublished, UNCONFIRMED (the list's `fields` takes 50 names, records.py)
    wide_name = "Wide_Field_{n:04d}"
    caps: ClassVar[Mapping[str, int]] = {"page_token": records.TOKEN_LIMIT}

    def __init__(self) -> None:
        self._accounts = auth.AccountsServer()
        self._bulk = BulkReads()
        self._base_url = ""

    def objects(self) -> Sequence[ObjectSpec]:
        return build_objects(ID_BASES["acme"])

    def objects_for(self, tenant: TenantConfig) -> Sequence[ObjectSpec]:
        return build_objects(int(tenant.settings["id_base"]))

    def default_tenants(self) -> Sequence[TenantConfig]:
        return default_tenants()

    async def authenticate(self, call: Call) -> Principal:
        self._base_url = call.sandbox.urls.http
        return await auth.authenticate(call)

    def endpoints(self) -> Sequence[Endpoint]:
        oauth = self._accounts
        module = path_param("module")
        routes = [
            Endpoint("/oauth/v2/token", oauth.token, ("POST",), "auth", auth=False),
            Endpoint("/oauth/v2/auth", oauth.authorize, ("GET",), "auth", auth=False),
            Endpoint("/oauth/v2/token/revoke", oauth.revoke, ("POST",), "auth", auth=False),
        ]
        for version in VERSIONS:
            crm = f"/crm/{version}"
            routes += [
                Endpoint(f"{crm}/settings/fields", meta.fields, ("GET",), "metadata"),
                Endpoint(f"{crm}/settings/modules", meta.modules, ("GET",), "metadata"),
                Endpoint(f"{crm}/users", meta.users, ("GET",), "metadata"),
                Endpoint(f"{crm}/org", meta.org, ("GET",), "metadata"),
                Endpoint(
                    f"{crm}/actions/watch", notify.watch, ("GET", "POST", "PUT", "PATCH"), "other"
                ),
                Endpoint(f"{crm}/actions/watch", notify.watch, ("DELETE",), "other"),
                Endpoint(
                    f"{crm}/{{module}}/deleted",
                    records.deleted_records,
                    ("GET",),
                    "list",
                    object_of=module,
                ),
                Endpoint(
                    f"{crm}/{{module}}/upsert", writes.upsert, ("POST",), "update", object_of=module
                ),
                Endpoint(
                    f"{crm}/{{module}}/actions/count",
                    search.count_records,
                    ("GET",),
                    "list",
                    object_of=module,
                ),
                Endpoint(
                    f"{crm}/{{module}}/search",
                    search.search_records,
                    ("GET",),
                    "list",
                    object_of=module,
                ),
                Endpoint(
                    f"{crm}/{{module}}", records.list_records, ("GET",), "list", object_of=module
                ),
                Endpoint(f"{crm}/{{module}}", writes.insert, ("POST",), "create", object_of=module),
                Endpoint(f"{crm}/{{module}}", writes.update, ("PUT",), "update", object_of=module),
                Endpoint(
                    f"{crm}/{{module}}", writes.delete, ("DELETE",), "delete", object_of=module
                ),
                Endpoint(
                    f"{crm}/{{module}}/{{record_id}}",
                    records.get_record,
                    ("GET",),
                    "read",
                    object_of=module,
                ),
                Endpoint(
                    f"{crm}/{{module}}/{{record_id}}",
                    writes.update,
                    ("PUT",),
                    "update",
                    object_of=module,
                ),
                Endpoint(
                    f"{crm}/{{module}}/{{record_id}}",
                    writes.delete,
                    ("DELETE",),
                    "delete",
                    object_of=module,
                ),
            ]
            routes += self._bulk_routes(version)
        return routes

    def _bulk_routes(self, version: str) -> list[Endpoint]:
        bulk, read = self._bulk, f"/crm/bulk/{version}/read"

        async def create(call: Call) -> Response:
            return await bulk.create(call, version)

        async def status(call: Call) -> Response:
            return await bulk.status(call, version)

        async def result(call: Call) -> Response:
            return await bulk.result(call, version)

        job = bulk.object_of_job
        return [
            Endpoint(read, create, ("POST",), "list"),
            Endpoint(f"{read}/{{job_id}}", status, ("GET",), "metadata", object_of=job),
            Endpoint(f"{read}/{{job_id}}/result", result, ("GET",), "list", object_of=job),
        ]

    def rate_limit_headers(self, tenant: Any, usage: RateUsage) -> Mapping[str, str]:
        # Zoho documents no per-response rate-limit headers; credits show in Setup > APIs.
        return {}

    def fault_response(self, fault: Fault, call: Call, usage: RateUsage | None) -> Response:
        kind = fault.kind
        if kind is FaultKind.TOKEN_EXPIRED:
            return error_response(401, "INVALID_TOKEN", "invalid oauth token")
        wait = str(max(1, fault.retry_after_s))
        if kind is FaultKind.RATE_LIMITED:
            return error_response(
                429,
                "TOO_MANY_REQUESTS",
                "Rate limit exceeded. Please retry after the specified time.",
                {"retry_after": fault.retry_after_s},
                headers={"Retry-After": wait},
            )
        if kind is FaultKind.DAILY_LIMIT:
            limit = usage.daily_max if usage is not None else 0
            return error_response(
                429,
                "TOO_MANY_REQUESTS",
                "You have exceeded the API credits allowed for the last 24 hours",
                {"limit": limit, "remaining": 0, "retry_after": fault.retry_after_s},
                headers={"Retry-After": wait},
            )
        if fault.status == 500:
            return error_response(500, "INTERNAL_ERROR", "Internal Server Error")
        page = f"<html><body><h1>{fault.status} Service Temporarily Unavailable</h1></body></html>"
        return Response(page.encode(), status_code=fault.status, media_type="text/html")

    def not_found(self, request: Request) -> Response:
        return error_response(
            404, "INVALID_URL_PATTERN", "Please check if the URL trying to access is a correct one"
        )

    def method_not_allowed(self, request: Request) -> Response:
        return error_response(
            405, "INVALID_REQUEST_METHOD", "The http request method type is not a valid one"
        )

    def bad_body(self, call: Call, error: BodyError) -> Response:
        return error_response(400, "INVALID_DATA", "body")

    def webhook_requests(
        self, target: WebhookTarget, events: list[ChangeEvent]
    ) -> list[OutboundRequest]:
        return notify.notifications(target, events, self._base_url or "http://127.0.0.1")

    def credentials_summary(self, tenant: TenantConfig) -> Mapping[str, str]:
        return {**tenant.credentials, "accounts_url": "(this sandbox)/oauth/v2/token"}
