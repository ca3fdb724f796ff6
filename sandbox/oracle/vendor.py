"""The Oracle Fusion Cloud REST simulator: routes, objects, tenants, fault rendering.

Resources live at Oracle's paths, `/fscmRestApi/resources/11.13.18.05/<resource>`
(SCM) and `/crmRestApi/resources/11.13.18.05/<resource>` (Sales), each with its
items, children (`/{id}/child/<name>`) and `/describe`; the identity domain's
token endpoint is `/oauth2/v1/token`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from starlette.requests import Request
from starlette.responses import Response

from sandbox.core import (
    Call,
    ChangeEvent,
    Endpoint,
    Fault,
    FaultKind,
    FieldDef,
    NumericIds,
    ObjectSpec,
    OutboundRequest,
    Principal,
    RateUsage,
    TenantConfig,
    Vendor,
    WebhookTarget,
)
from sandbox.core.http import BodyError
from sandbox.core.schema import Generator, IdScheme
from sandbox.oracle import auth, handlers
from sandbox.oracle.errors import error_response, load_balancer_page
from sandbox.oracle.events import business_events
from sandbox.oracle.generate import OnhandIds, gen_account, gen_item, gen_onhand, gen_order
from sandbox.oracle.resources import HEADER_BASE, ITEM_BASE, RESOURCES
from sandbox.oracle.tenants import default_tenants

_NEUTRAL = {"integer": "integer", "number": "number", "boolean": "boolean", "datetime": "datetime"}


def _spec(name: str, generate: Generator, ids: IdScheme, entity: str) -> ObjectSpec:
    resource = RESOURCES[name]
    fields = tuple(
        FieldDef(a.name, _NEUTRAL.get(a.type, "string"), label=a.title, updateable=a.updatable)  # type: ignore[arg-type]
        for a in resource.attrs
        if a.derived is None
    )
    return ObjectSpec(
        name=name,
        fields=fields,
        generate=generate,
        ids=ids,
        label=resource.title,
        label_plural=resource.title,
        entity=entity,
        writable=resource.creatable,
        deletable=resource.deletable,
    )


class OracleVendor(Vendor):
    system = "oracle"
    title = "Oracle Fusion Cloud (REST)"
    prefixes = ("/fscmRestApi/", "/crmRestApi/")
    uri_max = 8_190  # unpublished, UNCONFIRMED (Oracle HTTP Server's default request line, 8,190)

    def wide_fields(self, tenant: str, object_name: str, count: int) -> tuple[FieldDef, ...]:
        """Flexfield segments (camelCase, under ItemDFF) on items, App Composer `_c` fields
        on the other resources, as Fusion names them."""
        name = "wideField{n:04d}" if object_name == "itemsV2" else "WideField{n:04d}_c"
        return tuple(
            FieldDef(name.format(n=n), "string", label=f"Wide field {n}", custom=True)
            for n in range(1, count + 1)
        )

    def objects(self) -> Sequence[ObjectSpec]:
        return [
            _spec("itemsV2", gen_item, NumericIds(ITEM_BASE), "product"),
            _spec("accounts", gen_account, NumericIds(100000), "customer"),
            _spec("salesOrdersForOrderHub", gen_order, NumericIds(HEADER_BASE), "order"),
            _spec("onhandQuantityDetails", gen_onhand, OnhandIds(), "inventory"),
        ]

    def default_tenants(self) -> Sequence[TenantConfig]:
        return default_tenants()

    async def authenticate(self, call: Call) -> Principal:
        return await auth.authenticate(call)

    def endpoints(self) -> Sequence[Endpoint]:
        h, of = handlers, handlers.resource_of
        endpoints = [Endpoint("/oauth2/v1/token", auth.token, ("POST",), "auth", auth=False)]
        for root in ("fscmRestApi", "crmRestApi"):
            base = f"/{root}/resources/11.13.18.05/{{resource}}"
            endpoints += [
                Endpoint(f"/{root}/resources", h.catalog, ("GET",), "metadata"),
                Endpoint(f"/{root}/resources/11.13.18.05", h.batch, ("POST",), "other"),
                Endpoint(f"/{root}/resources/11.13.18.05/", h.batch, ("POST",), "other"),
                Endpoint(
                    base + "/describe", h.describe_resource, ("GET",), "metadata", object_of=of
                ),
                Endpoint(
                    base + "/{key}/child/{child}/{child_key}",
                    h.update_child,
                    ("PATCH",),
                    "update",
                    object_of=of,
                ),
                Endpoint(base + "/{key}/child/{child}", h.children, ("GET",), "list", object_of=of),
                Endpoint(base + "/{key}", h.get_item, ("GET",), "read", object_of=of),
                Endpoint(base + "/{key}", h.update, ("PATCH",), "update", object_of=of),
                Endpoint(base + "/{key}", h.delete, ("DELETE",), "delete", object_of=of),
                Endpoint(base, h.list_items, ("GET",), "list", object_of=of),
                Endpoint(base, h.create, ("POST",), "create", object_of=of),
            ]
        return endpoints

    @staticmethod
    def _version(call: Call) -> int:
        raw = call.request.headers.get("rest-framework-version", "1")
        return int(raw) if (raw.isascii() and raw.isdigit()) else 1

    def fault_response(self, fault: Fault, call: Call, usage: RateUsage | None) -> Response:
        version = self._version(call)
        if fault.kind in (FaultKind.RATE_LIMITED, FaultKind.DAILY_LIMIT):
            retry = (
                fault.retry_after_s
                if fault.kind is FaultKind.RATE_LIMITED
                else (usage.retry_after_s if usage else 3600)
            )
            return error_response(
                429,
                "The number of requests exceeds the allowed limit; retry later",
                version,
                headers={"Retry-After": str(retry)},
            )
        if fault.kind is FaultKind.TOKEN_EXPIRED:
            return Response(b"", 401, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
        if fault.status in (502, 503, 504):
            return load_balancer_page(fault.status)
        return error_response(
            500, "An application error occurred. Contact your help desk.", version, code="FND-2"
        )

    def not_found(self, request: Request) -> Response:
        return error_response(404, f"The requested URL {request.url.path} was not found", 1)

    def method_not_allowed(self, request: Request) -> Response:
        return error_response(405, f"The method {request.method} is not allowed here", 1)

    def bad_body(self, call: Call, error: BodyError) -> Response:
        return error_response(
            400, f"The request body is not valid JSON: {error}", self._version(call)
        )

    def webhook_requests(
        self, target: WebhookTarget, events: list[ChangeEvent]
    ) -> list[OutboundRequest]:
        return business_events(target, events)

    def credentials_summary(self, tenant: TenantConfig) -> Mapping[str, str]:
        return {**tenant.credentials, "token_url": "/oauth2/v1/token"}
