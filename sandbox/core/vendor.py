"""The extension interface: what a vendor package gives the core, and what it gets.

A vendor package `sandbox/<system>/` exposes `create_vendor() -> Vendor`. Its
`Vendor` subclass lists its objects (`ObjectSpec`), its shipped tenants
(`TenantConfig`) and its HTTP endpoints (`Endpoint`), authenticates requests in
its own dialect, and renders the failures the core decides on (rate limits,
faults, unknown paths) in its own error format. The core wraps every endpoint
with authentication, rate budgets, fault injection, statistics and
rate-limit headers, so a handler only does the vendor's business.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from starlette.requests import Request
from starlette.responses import Response

from sandbox.core.collection import Collection
from sandbox.core.faults import Fault, FaultKind
from sandbox.core.http import BodyError, json_response, parse_json
from sandbox.core.limits import RateUsage
from sandbox.core.schema import FieldDef, ObjectSpec
from sandbox.core.tenants import Tenant, TenantConfig
from sandbox.core.webhooks import ChangeEvent, OutboundRequest, WebhookTarget

if TYPE_CHECKING:
    from sandbox.core.state import Sandbox

Op = Literal["auth", "list", "read", "search", "create", "update", "delete", "metadata", "other"]
Handler = Callable[["Call"], Awaitable[Response]]
ObjectOf = Callable[[Request], Awaitable[str | None]]
OpOf = Callable[[Request], Awaitable[Op | None]]


class VendorReply(Exception):
    """Raise anywhere in authenticate or a handler to answer with `response` at once."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


@dataclass(frozen=True)
class Endpoint:
    """One route. `op` classifies it for faults and stats; `object_of` names the vendor
    object a request is about (cheaply, before authentication) so fault rules and
    statistics can target "list requests of Contact". `op_of`, when given, classifies
    each request instead (RPC vendors such as Odoo send every method to one path);
    None from it falls back to `op`."""

    path: str
    handler: Handler
    methods: tuple[str, ...] = ("GET",)
    op: Op = "read"
    auth: bool = True
    object_of: ObjectOf | None = None
    name: str = ""
    op_of: OpOf | None = None

    @property
    def label(self) -> str:
        return self.name or self.path


def path_param(name: str) -> ObjectOf:
    """`object_of` for routes whose object is a path parameter, e.g. {sobject}."""

    async def object_of(request: Request) -> str | None:
        value = request.path_params.get(name)
        return str(value) if value is not None else None

    return object_of


def fixed_object(object_name: str) -> ObjectOf:
    async def object_of(request: Request) -> str | None:
        return object_name

    return object_of


@dataclass(frozen=True)
class Principal:
    """Who is calling: the tenant, and the expirable access token if one was used."""

    tenant: Tenant
    token: str | None = None
    scopes: tuple[str, ...] = ()
    data: Mapping[str, Any] = field(default_factory=dict)


class Call:
    """One request on its way through an endpoint, with the sandbox at hand."""

    __slots__ = (
        "endpoint",
        "object",
        "op",
        "principal",
        "records_served",
        "request",
        "sandbox",
        "vendor",
    )

    def __init__(
        self, request: Request, sandbox: Sandbox, vendor: Vendor, endpoint: Endpoint
    ) -> None:
        self.request = request
        self.sandbox = sandbox
        self.vendor = vendor
        self.endpoint = endpoint
        self.object: str | None = None
        self.op: Op = endpoint.op
        self.principal: Principal | None = None
        self.records_served = 0

    @property
    def tenant(self) -> Tenant:
        if self.principal is None:
            raise RuntimeError(f"{self.endpoint.path} is not an authenticated endpoint")
        return self.principal.tenant

    def collection(self, object_name: str | None = None) -> Collection:
        name = object_name or self.object
        if name is None:
            raise RuntimeError("no object named for this call")
        return self.tenant.collection(name)

    def served(self, count: int) -> None:
        """Record how many records this response carries (for the statistics)."""
        self.records_served += count

    async def json(self) -> Any:
        """The JSON body; BodyError (a ValueError) when absent or invalid."""
        return parse_json(await self.request.body())


class Vendor:
    """Base class of every simulator; override the hooks, keep the defaults you like."""

    system: ClassVar[str]
    title: ClassVar[str]
    prefixes: ClassVar[tuple[str, ...]] = ()
    # The longest request URL (path and query, in characters as sent) the vendor's front
    # door accepts; a tenant's `RateLimitConfig.uri_max` overrides it (sandbox/README.md
    # lists each vendor's source, or says it is unconfirmed).
    uri_max: ClassVar[int] = 8192
    # How the n-th added custom field is named (`wide_fields`): the vendor's own convention.
    wide_name: ClassVar[str] = "wide_field_{n:04d}"
    # The vendor's published caps on how many results one query pages through, by name
    # (HubSpot search: 10,000); each can be lowered per tenant (`Tenant.result_cap`).
    caps: ClassVar[Mapping[str, int]] = {}

    def objects(self) -> Sequence[ObjectSpec]:
        raise NotImplementedError

    def default_tenants(self) -> Sequence[TenantConfig]:
        raise NotImplementedError

    def objects_for(self, tenant: TenantConfig) -> Sequence[ObjectSpec]:
        """The specs one tenant uses; override when ids differ per tenant (org pods,
        id offsets). Must name the same objects as `objects()`."""
        return self.objects()

    def endpoints(self) -> Sequence[Endpoint]:
        raise NotImplementedError

    async def authenticate(self, call: Call) -> Principal:
        """Resolve the caller to a tenant or raise VendorReply with the vendor's 401."""
        raise NotImplementedError

    def rate_limit_headers(self, tenant: Tenant, usage: RateUsage) -> Mapping[str, str]:
        """Headers every authenticated response carries (Sforce-Limit-Info, ...)."""
        return {}

    def fault_response(self, fault: Fault, call: Call, usage: RateUsage | None) -> Response:
        """The vendor's rendering of rate_limited, server_error, token_expired and
        daily_limit (the others are transport-level and the core does them)."""
        status = {
            FaultKind.RATE_LIMITED: 429,
            FaultKind.TOKEN_EXPIRED: 401,
            FaultKind.DAILY_LIMIT: 429,
        }.get(fault.kind, fault.status)
        headers = {"Retry-After": str(fault.retry_after_s)} if status == 429 else None
        return json_response({"error": fault.kind.value}, status, headers=headers)

    def uri_too_long(self, call: Call, limit: int) -> Response:
        """The front door's refusal of a request URL over `limit`: 414, as web servers and
        gateways answer it (a vendor with its own JSON for it overrides this)."""
        body = f"<html><body><h1>414 Request-URI Too Long</h1><p>over {limit} characters</p>"
        return Response(body + "</body></html>", 414, media_type="text/html")

    def wide_fields(self, tenant: str, object_name: str, count: int) -> tuple[FieldDef, ...]:
        """`count` custom text fields for `object_name`, named the vendor's way (Salesforce
        `__c`, Odoo `x_`...), for an object with more custom fields than a URL can list
        (control API `PUT .../custom_fields`)."""
        return tuple(
            FieldDef(self.wide_name.format(n=n), "string", label=f"Wide field {n}", custom=True)
            for n in range(1, count + 1)
        )

    def not_found(self, request: Request) -> Response:
        return json_response({"error": "not found", "path": request.url.path}, 404)

    def method_not_allowed(self, request: Request) -> Response:
        return json_response({"error": "method not allowed"}, 405)

    def bad_body(self, call: Call, error: BodyError) -> Response:
        """A handler let BodyError escape: the vendor's 400 for unreadable JSON."""
        return json_response({"error": "bad request", "detail": str(error)}, 400)

    def webhook_requests(
        self, target: WebhookTarget, events: list[ChangeEvent]
    ) -> list[OutboundRequest]:
        """Turn changes into the vendor's signed webhook calls (runs off the event loop)."""
        return []

    def credentials_summary(self, tenant: TenantConfig) -> Mapping[str, str]:
        """What `toothpick sandbox` prints and /__sandbox__/ lists for each tenant."""
        return dict(tenant.credentials)
