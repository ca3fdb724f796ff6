"""The Salesforce REST simulator: routes, auth, limits and error rendering."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from sandbox.core import (
    Call,
    ChangeEvent,
    Endpoint,
    Fault,
    FaultKind,
    ObjectSpec,
    OutboundRequest,
    Principal,
    RateUsage,
    Tenant,
    TenantConfig,
    Vendor,
    WebhookTarget,
    path_param,
)
from sandbox.core.http import BodyError
from sandbox.salesforce import auth, collections, sobjects
from sandbox.salesforce.bulk import BulkQueries
from sandbox.salesforce.errors import error_response
from sandbox.salesforce.objects import build_objects
from sandbox.salesforce.outbound import outbound_messages
from sandbox.salesforce.query import QueryEngine
from sandbox.salesforce.tenants import PODS, default_tenants

DATA = "/services/data/v{version}"


class SalesforceVendor(Vendor):
    system = "salesforce"
    title = "Salesforce REST API"
    prefixes = ("/services/", "/id/")
    uri_max = 16_384  # help.salesforce.com 000386264: URI and headers 16,384 bytes
    wide_name = "Wide_Field_{n:04d}__c"

    def __init__(self) -> None:
        self._objects = build_objects(PODS["acme"])
        self._oauth = auth.OAuth()
        self._engine = QueryEngine([spec.name for spec in self._objects])
        self._bulk = BulkQueries([spec.name for spec in self._objects])
        self._base_url = ""

    def objects(self) -> Sequence[ObjectSpec]:
        return self._objects

    def objects_for(self, tenant: TenantConfig) -> Sequence[ObjectSpec]:
        return build_objects(str(tenant.settings["pod"]))

    def default_tenants(self) -> Sequence[TenantConfig]:
        return default_tenants()

    async def authenticate(self, call: Call) -> Principal:
        self._base_url = call.sandbox.urls.secure_or_plain
        return await auth.authenticate(call)

    def endpoints(self) -> Sequence[Endpoint]:
        engine, oauth = self._engine, self._oauth
        sobject = path_param("sobject")

        async def query(call: Call) -> Response:
            return await engine.query(call, sobjects.version_of(call), include_deleted=False)

        async def query_all(call: Call) -> Response:
            return await engine.query(call, sobjects.version_of(call), include_deleted=True)

        async def more(call: Call) -> Response:
            return await engine.more(call, sobjects.version_of(call))

        bulk = self._bulk

        async def bulk_create(call: Call) -> Response:
            return await bulk.create(call, sobjects.version_of(call))

        async def bulk_job(call: Call) -> Response:
            return await bulk.job(call, sobjects.version_of(call))

        async def bulk_results(call: Call) -> Response:
            return await bulk.results(call, sobjects.version_of(call))

        return [
            Endpoint("/services/oauth2/token", oauth.token, ("POST",), "auth", auth=False),
            Endpoint("/services/oauth2/authorize", oauth.authorize, ("GET",), "auth", auth=False),
            Endpoint("/services/oauth2/revoke", oauth.revoke, ("POST",), "auth", auth=False),
            Endpoint("/id/{org}/{user}", oauth.identity, ("GET",), "metadata"),
            Endpoint("/services/data", sobjects.versions, ("GET",), "metadata", auth=False),
            Endpoint(DATA, sobjects.resources, ("GET",), "metadata"),
            Endpoint(DATA + "/limits", sobjects.limits, ("GET",), "metadata"),
            Endpoint(DATA + "/query", query, ("GET",), "list", object_of=engine.object_of_query),
            Endpoint(
                DATA + "/queryAll", query_all, ("GET",), "list", object_of=engine.object_of_query
            ),
            Endpoint(
                DATA + "/query/{locator}",
                more,
                ("GET",),
                "list",
                object_of=engine.object_of_locator,
            ),
            Endpoint(
                DATA + "/queryAll/{locator}",
                more,
                ("GET",),
                "list",
                object_of=engine.object_of_locator,
            ),
            Endpoint(
                DATA + "/jobs/query",
                bulk_create,
                ("POST",),
                "list",
                object_of=self._bulk.object_of_body,
            ),
            Endpoint(
                DATA + "/jobs/query/{job_id}",
                bulk_job,
                ("GET", "PATCH", "DELETE"),
                "metadata",
                object_of=bulk.object_of_job,
            ),
            Endpoint(
                DATA + "/jobs/query/{job_id}/results",
                bulk_results,
                ("GET",),
                "list",
                object_of=bulk.object_of_job,
            ),
            Endpoint(DATA + "/sobjects", sobjects.describe_all, ("GET",), "metadata"),
            Endpoint(
                DATA + "/composite/sobjects", collections.create_or_update, ("POST",), "create"
            ),
            Endpoint(
                DATA + "/composite/sobjects", collections.create_or_update, ("PATCH",), "update"
            ),
            Endpoint(DATA + "/composite/sobjects", collections.delete, ("DELETE",), "delete"),
            Endpoint(
                DATA + "/composite/sobjects/{sobject}/{field}",
                collections.upsert,
                ("PATCH",),
                "create",
                object_of=sobject,
            ),
            Endpoint(
                DATA + "/sobjects/{sobject}/describe",
                sobjects.describe,
                ("GET",),
                "metadata",
                object_of=sobject,
            ),
            Endpoint(
                DATA + "/sobjects/{sobject}/updated",
                sobjects.updated,
                ("GET",),
                "list",
                object_of=sobject,
            ),
            Endpoint(
                DATA + "/sobjects/{sobject}/deleted",
                sobjects.deleted,
                ("GET",),
                "list",
                object_of=sobject,
            ),
            Endpoint(
                DATA + "/sobjects/{sobject}",
                sobjects.basic_info,
                ("GET",),
                "metadata",
                object_of=sobject,
            ),
            Endpoint(
                DATA + "/sobjects/{sobject}",
                sobjects.basic_info,
                ("POST",),
                "create",
                object_of=sobject,
            ),
            Endpoint(
                DATA + "/sobjects/{sobject}/{record_id}",
                sobjects.record,
                ("GET",),
                "read",
                object_of=sobject,
            ),
            Endpoint(
                DATA + "/sobjects/{sobject}/{record_id}",
                sobjects.record,
                ("PATCH",),
                "update",
                object_of=sobject,
            ),
            Endpoint(
                DATA + "/sobjects/{sobject}/{record_id}",
                sobjects.record,
                ("DELETE",),
                "delete",
                object_of=sobject,
            ),
        ]

    def rate_limit_headers(self, tenant: Tenant, usage: RateUsage) -> Mapping[str, str]:
        return {"Sforce-Limit-Info": f"api-usage={usage.daily_used}/{usage.daily_max}"}

    def fault_response(self, fault: Fault, call: Call, usage: RateUsage | None) -> Response:
        kind = fault.kind
        if kind is FaultKind.TOKEN_EXPIRED:
            return error_response(401, "INVALID_SESSION_ID", "Session expired or invalid")
        if kind is FaultKind.QUERY_TIMEOUT:
            return error_response(
                400,
                "QUERY_TIMEOUT",
                "Your query request was running for too long.",
            )
        if kind is FaultKind.DAILY_LIMIT:
            return error_response(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
        if kind is FaultKind.RATE_LIMITED:
            # Salesforce has no per-second 429; its short-term refusal is the concurrency limit.
            return error_response(
                403, "REQUEST_LIMIT_EXCEEDED", "ConcurrentPerOrgLongTxn Limit exceeded."
            )
        if fault.status == 503:
            return error_response(
                503,
                "SERVER_UNAVAILABLE",
                "Server temporarily unavailable. Please retry your request.",
            )
        if fault.status in (502, 504):
            page = b"<html><head><title>Bad Gateway</title></head><body>Bad Gateway</body></html>"
            return Response(page, status_code=fault.status, media_type="text/html")
        return error_response(
            500,
            "UNKNOWN_EXCEPTION",
            "An unexpected error occurred. Please include this ErrorId if you contact support: "
            "1961377541-22717 (-1251493466)",
        )

    def not_found(self, request: Request) -> Response:
        return error_response(404, "NOT_FOUND", "The requested resource does not exist")

    def method_not_allowed(self, request: Request) -> Response:
        return error_response(
            405, "METHOD_NOT_ALLOWED", f"HTTP Method '{request.method}' not allowed."
        )

    def bad_body(self, call: Call, error: BodyError) -> Response:
        return error_response(400, "JSON_PARSER_ERROR", f"Unexpected character: {error}")

    def webhook_requests(
        self, target: WebhookTarget, events: list[ChangeEvent]
    ) -> list[OutboundRequest]:
        return outbound_messages(target, events, self._base_url or "https://127.0.0.1")

    def credentials_summary(self, tenant: TenantConfig) -> Mapping[str, Any]:
        return {**tenant.credentials, "org_id": str(tenant.settings["org_id"])}
