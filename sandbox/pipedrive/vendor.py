"""The Pipedrive simulator: routes (API v2, v1 where v2 has none, OAuth), auth,
rate-limit headers and error rendering."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from sandbox.core import (
    BodyError,
    Call,
    ChangeEvent,
    Endpoint,
    Fault,
    FaultKind,
    FieldDef,
    ObjectSpec,
    OutboundRequest,
    Principal,
    RateUsage,
    TenantConfig,
    Vendor,
    WebhookTarget,
    fixed_object,
    path_param,
)
from sandbox.pipedrive import auth, hooks, meta, search, v1, v2
from sandbox.pipedrive.errors import error_response
from sandbox.pipedrive.objects import build_objects
from sandbox.pipedrive.schema import FIELDS_ENDPOINTS, custom
from sandbox.pipedrive.tenants import default_tenants

V1, V2, ROOT_V1 = "/api/v1", "/api/v2", "/v1"


class PipedriveVendor(Vendor):
    system = "pipedrive"
    title = "Pipedrive API (v2, and v1 where v2 has no endpoint)"
    # v1 also lives at the API host's root (`https://api.pipedrive.com/v1`), the base path
    # Pipedrive's own clients use for the endpoints that are still v1.
    prefixes = ("/api/v1/", "/v1/", "/api/v2/", "/oauth/")
    uri_max = 8_192  # unpublished, UNCONFIRMED (records carry every custom field unasked)

    def wide_fields(self, tenant: str, object_name: str, count: int) -> tuple[FieldDef, ...]:
        """Keyed by 40-character hashes, as Pipedrive keys every custom field."""
        labels = (f"Wide field {n:04d}" for n in range(1, count + 1))
        return tuple(custom(tenant, object_name, label) for label in labels)

    def __init__(self) -> None:
        self._oauth = auth.OAuthServer()

    def objects(self) -> Sequence[ObjectSpec]:
        return build_objects(0, 18_487_520)

    def objects_for(self, tenant: TenantConfig) -> Sequence[ObjectSpec]:
        settings = tenant.settings
        return build_objects(int(settings["offset"]), int(settings["users_offset"]))

    def default_tenants(self) -> Sequence[TenantConfig]:
        return default_tenants()

    async def authenticate(self, call: Call) -> Principal:
        return await auth.authenticate(call)

    def endpoints(self) -> Sequence[Endpoint]:
        obj, oauth = path_param("obj"), self._oauth
        routes = [
            Endpoint("/oauth/token", oauth.token, ("POST",), "auth", auth=False),
            Endpoint("/oauth/authorize", oauth.authorize, ("GET",), "auth", auth=False),
            Endpoint("/oauth/revoke", oauth.revoke, ("POST",), "auth", auth=False),
            Endpoint(f"{V1}/recents", v1.recents, ("GET",), "list"),
            Endpoint(
                f"{V1}/deals/summary",
                v1.deals_summary,
                ("GET",),
                "list",
                object_of=fixed_object("deals"),
            ),
            Endpoint(f"{V1}/users/me", meta.me, ("GET",), "metadata"),
            Endpoint(f"{V1}/users", meta.users, ("GET",), "metadata"),
            Endpoint(f"{V1}/webhooks", hooks.webhooks, ("GET", "POST"), "other"),
            Endpoint(f"{V1}/webhooks/{{webhook_id}}", hooks.webhook, ("DELETE",), "other"),
            Endpoint(f"{V2}/pipelines", meta.pipelines, ("GET",), "metadata"),
            Endpoint(f"{V2}/stages", meta.stages, ("GET",), "metadata"),
            Endpoint(f"{V1}/pipelines", meta.pipelines, ("GET",), "metadata"),
            Endpoint(f"{V1}/stages", meta.stages, ("GET",), "metadata"),
        ]
        for name in FIELDS_ENDPOINTS:
            routes.append(Endpoint(f"{V2}/{name}", meta.fields_v2, ("GET",), "metadata"))
            routes.append(Endpoint(f"{V1}/{name}", meta.fields_v1, ("GET",), "metadata"))
        for name in ("leads", "notes"):
            one = fixed_object(name)
            routes += [
                Endpoint(f"{V1}/{name}", v1.collection, ("GET",), "list", object_of=one),
                Endpoint(f"{V1}/{name}", v1.collection, ("POST",), "create", object_of=one),
                Endpoint(f"{V1}/{name}/{{record_id}}", v1.item, ("GET",), "read", object_of=one),
                Endpoint(
                    f"{V1}/{name}/{{record_id}}", v1.item, ("PATCH", "PUT"), "update", object_of=one
                ),
                Endpoint(
                    f"{V1}/{name}/{{record_id}}", v1.item, ("DELETE",), "delete", object_of=one
                ),
            ]
        routes += [
            Endpoint(f"{V2}/{{obj}}", v2.list_records, ("GET",), "list", object_of=obj),
            Endpoint(f"{V2}/{{obj}}", v2.create, ("POST",), "create", object_of=obj),
            Endpoint(f"{V2}/{{obj}}/search", search.search, ("GET",), "search", object_of=obj),
            Endpoint(f"{V2}/{{obj}}/{{record_id}}", v2.get_record, ("GET",), "read", object_of=obj),
            Endpoint(f"{V2}/{{obj}}/{{record_id}}", v2.update, ("PATCH",), "update", object_of=obj),
            Endpoint(
                f"{V2}/{{obj}}/{{record_id}}", v2.delete, ("DELETE",), "delete", object_of=obj
            ),
        ]
        rooted = [
            replace(route, path=ROOT_V1 + route.path.removeprefix(V1))
            for route in routes
            if route.path.startswith(V1 + "/")
        ]
        return routes + rooted

    def rate_limit_headers(self, tenant: Any, usage: RateUsage) -> Mapping[str, str]:
        return {
            "x-ratelimit-limit": str(usage.interval_max),
            "x-ratelimit-remaining": str(usage.interval_remaining),
            "x-ratelimit-reset": str(max(1, usage.interval_ms // 1000)),
            "x-daily-requests-left": str(usage.daily_remaining),
        }

    def fault_response(self, fault: Fault, call: Call, usage: RateUsage | None) -> Response:
        kind, wait = fault.kind, str(max(1, fault.retry_after_s))
        if kind is FaultKind.TOKEN_EXPIRED:
            return error_response(401, "unauthorized access", error_code=401)
        if kind is FaultKind.RATE_LIMITED:
            return error_response(
                429,
                "Request over limit",
                error_code=429,
                headers={"Retry-After": wait, "x-ratelimit-remaining": "0"},
            )
        if kind is FaultKind.DAILY_LIMIT:
            return error_response(
                429,
                "Daily API request limit reached",
                error_code=429,
                headers={"Retry-After": wait, "x-daily-requests-left": "0"},
            )
        if fault.status == 500:
            return error_response(500, "Internal server error", code="ERR_INTERNAL")
        page = f"<html><head><title>{fault.status}</title></head><body>{fault.status}</body></html>"
        return Response(page.encode(), status_code=fault.status, media_type="text/html")

    def not_found(self, request: Request) -> Response:
        return error_response(404, "Unknown method .", error_code=404)

    def method_not_allowed(self, request: Request) -> Response:
        return error_response(405, f"Method {request.method} not allowed", error_code=405)

    def bad_body(self, call: Call, error: BodyError) -> Response:
        return error_response(400, "Invalid JSON body", code="ERR_SCHEMA_VALIDATION_FAILED")

    def webhook_requests(
        self, target: WebhookTarget, events: list[ChangeEvent]
    ) -> list[OutboundRequest]:
        return hooks.calls(target, events)

    def credentials_summary(self, tenant: TenantConfig) -> Mapping[str, str]:
        return {**tenant.credentials, "company_domain": str(tenant.settings["company_domain"])}
