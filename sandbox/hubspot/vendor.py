"""The HubSpot CRM v3 simulator: routes, auth, rate-limit headers, errors, webhooks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

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
)
from sandbox.core.http import BodyError
from sandbox.hubspot import auth, batch, crud, hooks, props_api
from sandbox.hubspot.errors import error_body, error_response
from sandbox.hubspot.search import CAP, Searcher
from sandbox.hubspot.tenants import default_tenants, object_specs

OBJECTS = "/crm/v3/objects/{object_type}"


class HubSpotVendor(Vendor):
    system = "hubspot"
    title = "HubSpot CRM API v3"
    prefixes = ("/crm/", "/oauth/")
    uri_max = 8_192  # unpublished; 414s past about 8,000 (third parties), UNCONFIRMED
    caps: ClassVar[Mapping[str, int]] = {"search": CAP}

    def __init__(self) -> None:
        self._tenants = default_tenants()
        self._secrets = {t.name: t.credentials["client_secret"] for t in self._tenants}
        self._settings = {t.name: t.settings for t in self._tenants}
        self._oauth = auth.OAuth()
        self._searcher = Searcher()

    def objects(self) -> Sequence[ObjectSpec]:
        return object_specs("acme")

    def objects_for(self, tenant: TenantConfig) -> Sequence[ObjectSpec]:
        return object_specs(tenant.name)

    def default_tenants(self) -> Sequence[TenantConfig]:
        return self._tenants

    async def authenticate(self, call: Call) -> Principal:
        return await auth.authenticate(call)

    def endpoints(self) -> Sequence[Endpoint]:
        oauth, of = self._oauth, crud.object_of
        return [
            Endpoint("/oauth/v1/token", oauth.token, ("POST",), "auth", auth=False),
            Endpoint("/oauth/authorize", oauth.authorize, ("GET",), "auth", auth=False),
            Endpoint(
                "/oauth/v1/access-tokens/{token}",
                oauth.access_token_info,
                ("GET",),
                "auth",
                auth=False,
            ),
            Endpoint(
                "/oauth/v1/refresh-tokens/{token}",
                oauth.refresh_token_info,
                ("GET", "DELETE"),
                "auth",
                auth=False,
            ),
            Endpoint(
                "/crm/v3/properties/{object_type}",
                props_api.list_properties,
                ("GET",),
                "metadata",
                object_of=of,
            ),
            Endpoint(
                "/crm/v3/properties/{object_type}/{property_name}",
                props_api.get_property,
                ("GET",),
                "metadata",
                object_of=of,
            ),
            Endpoint(OBJECTS + "/search", self._searcher.search, ("POST",), "search", object_of=of),
            Endpoint(OBJECTS + "/batch/read", batch.batch_read, ("POST",), "read", object_of=of),
            Endpoint(
                OBJECTS + "/batch/create", batch.batch_create, ("POST",), "create", object_of=of
            ),
            Endpoint(
                OBJECTS + "/batch/update", batch.batch_update, ("POST",), "update", object_of=of
            ),
            Endpoint(
                OBJECTS + "/batch/upsert", batch.batch_upsert, ("POST",), "update", object_of=of
            ),
            Endpoint(
                OBJECTS + "/batch/archive", batch.batch_archive, ("POST",), "delete", object_of=of
            ),
            Endpoint(OBJECTS, crud.list_objects, ("GET",), "list", object_of=of),
            Endpoint(OBJECTS, crud.create_object, ("POST",), "create", object_of=of),
            Endpoint(OBJECTS + "/{object_id}", crud.get_object, ("GET",), "read", object_of=of),
            Endpoint(
                OBJECTS + "/{object_id}", crud.update_object, ("PATCH",), "update", object_of=of
            ),
            Endpoint(
                OBJECTS + "/{object_id}", crud.archive_object, ("DELETE",), "delete", object_of=of
            ),
        ]

    def rate_limit_headers(self, tenant: Tenant, usage: RateUsage) -> Mapping[str, str]:
        return {
            "X-HubSpot-RateLimit-Daily": str(usage.daily_max),
            "X-HubSpot-RateLimit-Daily-Remaining": str(usage.daily_remaining),
            "X-HubSpot-RateLimit-Interval-Milliseconds": str(usage.interval_ms),
            "X-HubSpot-RateLimit-Max": str(usage.interval_max),
            "X-HubSpot-RateLimit-Remaining": str(usage.interval_remaining),
        }

    def fault_response(self, fault: Fault, call: Call, usage: RateUsage | None) -> Response:
        kind = fault.kind
        if kind in (FaultKind.RATE_LIMITED, FaultKind.DAILY_LIMIT):
            daily = kind is FaultKind.DAILY_LIMIT
            body = error_body(
                "RATE_LIMITS",
                "You have reached your daily limit."
                if daily
                else "You have reached your ten_secondly_rolling limit.",
                errorType="RATE_LIMIT",
                policyName="DAILY" if daily else "TEN_SECONDLY_ROLLING",
            )
            body.pop("category")
            from sandbox.core import json_response

            return json_response(body, 429, headers={"Retry-After": str(fault.retry_after_s)})
        if kind is FaultKind.TOKEN_EXPIRED:
            return error_response(
                401,
                "EXPIRED_AUTHENTICATION",
                "The OAuth token used to make this call expired 0 minute(s) ago.",
            )
        if fault.status in (502, 504):
            return Response(
                b"<html><body><h1>502 Bad Gateway</h1></body></html>",
                status_code=fault.status,
                media_type="text/html",
            )
        if fault.status == 503:
            return error_response(503, "SERVICE_UNAVAILABLE", "Service Unavailable")
        return error_response(500, "INTERNAL_ERROR", "internal error")

    def not_found(self, request: Request) -> Response:
        return Response(b"", status_code=404)

    def method_not_allowed(self, request: Request) -> Response:
        return error_response(405, "VALIDATION_ERROR", f"Method {request.method} is not allowed")

    def bad_body(self, call: Call, error: BodyError) -> Response:
        return error_response(
            400, "VALIDATION_ERROR", f"Invalid input JSON on line 1, column 1: {error}"
        )

    def webhook_requests(
        self, target: WebhookTarget, events: list[ChangeEvent]
    ) -> list[OutboundRequest]:
        return hooks.webhook_requests(
            target, events, self._secrets, self._settings.get(target.tenant, {})
        )

    def credentials_summary(self, tenant: TenantConfig) -> Mapping[str, Any]:
        return {**tenant.credentials, "portal_id": str(tenant.settings["portal_id"])}
