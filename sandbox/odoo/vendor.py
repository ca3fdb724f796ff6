"""The Odoo simulator: routes, authentication per protocol, and failure renderings.

Routes exist twice: at Odoo's real root paths (every database, as a
multi-database server) and under `/odoo/<db>/` (that database as its own
server, with its own version). Odoo has no rate limiting of its own: the
`rate_limited` fault answers as a fronting nginx's `limit_req` does (429, HTML,
no Retry-After); 502/503/504 are nginx's pages, 500 werkzeug's; `token_expired`
is the protocol's own refusal (XML-RPC fault 3 "Access Denied", JSON-RPC error
AccessDenied, an expired web session, /json/2's 401 "Invalid apikey").
"""

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
    TenantConfig,
    Vendor,
    VendorReply,
    WebhookTarget,
)
from sandbox.core.vendor import Handler, Op
from sandbox.odoo import handlers, services
from sandbox.odoo.errors import AccessDenied, OdooError, SessionExpired, html_page, http_error
from sandbox.odoo.objects import build_objects
from sandbox.odoo.outbound import webhook_requests
from sandbox.odoo.tenants import default_tenants
from sandbox.odoo.wire import Kind, RpcCall, cached, parsed

_NGINX = {502: "Bad Gateway", 503: "Service Temporarily Unavailable", 504: "Gateway Time-out"}
_NOT_FOUND = (
    "The requested URL was not found on the server. If you entered the URL manually please "
    "check your spelling and try again."
)


def kind_of(path: str) -> Kind:
    if "/xmlrpc/" in path:
        return "xmlrpc"
    if path.rstrip("/").endswith("/jsonrpc"):
        return "jsonrpc"
    if "/json/2/" in path:
        return "json2"
    return "web"


def nginx(status: int, title: str, headers: Mapping[str, str] | None = None) -> Response:
    page = (
        f"<html>\r\n<head><title>{status} {title}</title></head>\r\n<body>\r\n"
        f"<center><h1>{status} {title}</h1></center>\r\n<hr><center>nginx</center>\r\n"
        "</body>\r\n</html>\r\n"
    )
    return Response(page.encode(), status_code=status, headers=headers, media_type="text/html")


async def _object_of(request: Request) -> str | None:
    return (await parsed(request, kind_of(request.url.path))).model


async def _op_of(request: Request) -> Op | None:
    return (await parsed(request, kind_of(request.url.path))).op


class OdooVendor(Vendor):
    system = "odoo"
    title = "Odoo external API (XML-RPC, JSON-RPC, /json/2)"
    prefixes = ("/xmlrpc", "/jsonrpc", "/json/", "/web/", "/odoo/")
    uri_max = 8_192  # unpublished, UNCONFIRMED (its RPC reads carry fields in the body)
    wide_name = "x_wide_field_{n:04d}"

    def __init__(self) -> None:
        self._objects = build_objects(17)

    def objects(self) -> Sequence[ObjectSpec]:
        return self._objects

    def objects_for(self, tenant: TenantConfig) -> Sequence[ObjectSpec]:
        return build_objects(int(tenant.settings.get("version", 17)))

    def default_tenants(self) -> Sequence[TenantConfig]:
        return default_tenants()

    def endpoints(self) -> Sequence[Endpoint]:
        routes: list[tuple[str, Handler, tuple[str, ...], Op]] = [
            ("/xmlrpc/2/common", handlers.rpc, ("POST",), "auth"),
            ("/xmlrpc/2/object", handlers.rpc, ("POST",), "other"),
            ("/xmlrpc/2/db", handlers.rpc, ("POST",), "metadata"),
            ("/jsonrpc", handlers.rpc, ("POST",), "other"),
            ("/web/webclient/version_info", handlers.version_info, ("POST",), "metadata"),
            ("/web/version", handlers.web_version, ("GET", "POST"), "metadata"),
            ("/web/session/authenticate", handlers.session_authenticate, ("POST",), "auth"),
            ("/web/session/get_session_info", handlers.session_get, ("POST",), "metadata"),
            ("/web/session/destroy", handlers.session_destroy, ("POST",), "auth"),
            ("/web/dataset/call_kw", handlers.call_kw, ("POST",), "other"),
            ("/web/dataset/call_kw/{path:path}", handlers.call_kw, ("POST",), "other"),
            ("/json/2/{model}/{method}", handlers.json2, ("POST",), "other"),
        ]
        return [
            Endpoint(
                prefix + path,
                handler,
                methods,
                op,
                object_of=_object_of,
                op_of=_op_of,
                name=path,
            )
            for prefix in ("", "/odoo/{db}")
            for path, handler, methods, op in routes
        ]

    async def authenticate(self, call: Call) -> Principal:
        request = call.request
        rpc = await parsed(request, kind_of(request.url.path))
        try:
            return self._principal(call, rpc)
        except OdooError as error:
            if error.name == "werkzeug.exceptions.NotFound" and rpc.kind != "json2":
                raise VendorReply(html_page(404, "Not Found", _NOT_FOUND)) from None
            raise VendorReply(handlers.error_response(rpc, error)) from None

    def _principal(self, call: Call, rpc: RpcCall) -> Principal:
        sandbox, request = call.sandbox, call.request
        if rpc.kind == "json2":
            return self._bearer(call, rpc)
        if request.url.path.rstrip("/").endswith(("/call_kw", "/get_session_info")) or (
            "/web/dataset/call_kw/" in request.url.path
        ):
            session = request.cookies.get(handlers.SESSION_COOKIE, "")
            issued = sandbox.tokens.lookup(services.SYSTEM, session) if session else None
            if issued is None or issued.expired:
                raise SessionExpired()
            return Principal(sandbox.tenant(services.SYSTEM, issued.tenant), token=session)
        tenant = services.resolve(sandbox, request, rpc)
        if rpc.service == "object" and rpc.error is None:
            services.check_object_call(tenant, rpc)
        return Principal(tenant)

    def _bearer(self, call: Call, rpc: RpcCall) -> Principal:
        sandbox, request = call.sandbox, call.request
        scheme, _, key = request.headers.get("authorization", "").partition(" ")
        by_key = sandbox.find_tenant(services.SYSTEM, "api_key", key.strip())
        pinned, header = request.path_params.get("db"), request.headers.get("x-odoo-database")
        if pinned and header and header != pinned:  # that database is not on this server
            raise http_error(404, f"database {header!r} not found")
        named = pinned or header
        tenant = sandbox.find_tenant(services.SYSTEM, "database", named) if named else by_key
        if named and tenant is None:
            raise http_error(404, f"database {named!r} not found")
        if tenant is not None and services.version(tenant) < 19:
            raise VendorReply(html_page(404, "Not Found", _NOT_FOUND))
        if (
            scheme.lower() != "bearer"
            or by_key is None
            or (tenant is not None and by_key is not tenant)
        ):
            raise http_error(401, "Invalid apikey")
        return Principal(by_key)

    def fault_response(self, fault: Fault, call: Call, usage: RateUsage | None) -> Response:
        kind = fault.kind
        if kind is FaultKind.RATE_LIMITED:
            return nginx(429, "Too Many Requests")
        if kind is FaultKind.DAILY_LIMIT:
            wait = usage.retry_after_s if usage and usage.retry_after_s else fault.retry_after_s
            return nginx(429, "Too Many Requests", {"Retry-After": str(wait)})
        if kind is FaultKind.TOKEN_EXPIRED:
            rpc = cached(call.request) or RpcCall("xmlrpc")
            if rpc.kind == "json2":
                return handlers.error_response(rpc, http_error(401, "Invalid apikey"))
            if rpc.kind == "web":
                return handlers.error_response(rpc, SessionExpired())
            return handlers.error_response(rpc, AccessDenied())
        if fault.status in _NGINX:
            return nginx(fault.status, _NGINX[fault.status])
        return html_page(
            500,
            "Internal Server Error",
            "The server encountered an internal error and was unable to complete your request. "
            "Either the server is overloaded or there is an error in the application.",
        )

    def not_found(self, request: Request) -> Response:
        return html_page(404, "Not Found", _NOT_FOUND)

    def method_not_allowed(self, request: Request) -> Response:
        return html_page(
            405, "Method Not Allowed", "The method is not allowed for the requested URL."
        )

    def webhook_requests(
        self, target: WebhookTarget, events: list[ChangeEvent]
    ) -> list[OutboundRequest]:
        return webhook_requests(target, events)

    def credentials_summary(self, tenant: TenantConfig) -> Mapping[str, Any]:
        return {
            **tenant.credentials,
            "version": f"{tenant.settings.get('version', 17)}.0",
            "base_path": f"/odoo/{tenant.name}",
        }
