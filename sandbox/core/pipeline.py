"""What happens around every vendor endpoint: auth, budget, faults, stats, headers.

Order per request: name the object -> authenticate (vendor) -> refuse a request URL
longer than the tenant's front door takes (the vendor's 414) -> count against the
tenant's rate budget (refuse with the vendor's 429/daily body when enforced or
exhausted) -> pick a fault (vendor-rendered errors; transport faults done here)
-> run the handler -> add the vendor's rate-limit headers -> record statistics.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from sandbox.core.faults import Fault, FaultKind, RequestFacts
from sandbox.core.http import BodyError
from sandbox.core.limits import RateUsage
from sandbox.core.vendor import Call, Endpoint, Vendor, VendorReply

if TYPE_CHECKING:
    from sandbox.core.state import Sandbox

log = logging.getLogger(__name__)

TRANSPORT_EXTENSION = "sandbox.transport"


def _abort_transport(scope: Scope) -> bool:
    holder = scope.get("extensions", {}).get(TRANSPORT_EXTENSION)
    transport = holder.get("transport") if isinstance(holder, dict) else None
    if transport is None:
        return False
    transport.abort()
    return True


class DropResponse(Response):
    """Close the connection without a byte of response (the "drop" fault)."""

    def __init__(self) -> None:
        super().__init__(b"", status_code=500)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not _abort_transport(scope):
            raise ConnectionAbortedError("sandbox fault: connection dropped")
        await asyncio.sleep(0)


class TruncatedResponse(Response):
    """Promise the whole body in Content-Length, send half of it, then hang up."""

    def __init__(self, inner: Response) -> None:
        super().__init__(inner.body, status_code=inner.status_code)
        self.raw_headers = inner.raw_headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        await send(
            {
                "type": "http.response.body",
                "body": self.body[: len(self.body) // 2],
                "more_body": True,
            }
        )
        if not _abort_transport(scope):
            raise ConnectionAbortedError("sandbox fault: response truncated")
        await asyncio.sleep(0)


def _malformed(response: Response) -> Response:
    body = bytes(response.body)
    cut = max(1, len(body) * 2 // 3)
    broken = body[:cut] + b'\x00<!-- upstream error -->{"'
    response.body = broken
    response.headers["content-length"] = str(len(broken))
    return response


async def _sleep_unless_gone(request: Request, seconds: float) -> bool:
    """Sleep, but stop early (returning False) if the client hangs up first."""
    await request.body()  # keep the body for the handler; after it only a disconnect comes

    async def gone() -> None:
        while True:
            message = await request.receive()
            if message["type"] == "http.disconnect":
                return

    watcher = asyncio.ensure_future(gone())
    try:
        await asyncio.wait_for(asyncio.shield(watcher), timeout=seconds)
        return False
    except TimeoutError:
        return True
    finally:
        watcher.cancel()


async def run_endpoint(
    sandbox: Sandbox, vendor: Vendor, endpoint: Endpoint, request: Request
) -> Response:
    call = Call(request, sandbox, vendor, endpoint)
    usage: RateUsage | None = None
    fault: Fault | None = None
    try:
        if endpoint.object_of is not None:
            call.object = await endpoint.object_of(request)
        if endpoint.op_of is not None:
            call.op = await endpoint.op_of(request) or endpoint.op
        if endpoint.auth:
            call.principal = await vendor.authenticate(call)
            _check_uri(call)
            verdict, usage = call.tenant.budget.consume(enforce=sandbox.latency.enabled)
            if verdict == "interval":
                raise VendorReply(
                    vendor.fault_response(
                        Fault(FaultKind.RATE_LIMITED, retry_after_s=usage.retry_after_s),
                        call,
                        usage,
                    )
                )
            if verdict == "daily":
                raise VendorReply(
                    vendor.fault_response(
                        Fault(FaultKind.DAILY_LIMIT, retry_after_s=usage.retry_after_s), call, usage
                    )
                )
        fault = sandbox.faults.pick(
            RequestFacts(
                vendor.system,
                call.principal.tenant.name if call.principal else None,
                call.object,
                call.op,
                request.method,
                request.url.path,
            )
        )
        if fault is not None:
            early = await _apply_fault_before(call, fault, usage)
            if early is not None:
                return _finish(call, early, usage, fault)
        if sandbox.latency.enabled and call.principal is not None:
            response = await _timed(call, endpoint, usage)
        else:
            response = await endpoint.handler(call)
        if fault is not None and fault.kind is FaultKind.SLOW_ANSWER:
            await _sleep_unless_gone(call.request, fault.delay_s)  # done, but not yet told
        if fault is not None and fault.kind is FaultKind.MALFORMED:
            response = _malformed(response)
        elif fault is not None and fault.kind is FaultKind.TRUNCATED:
            response = TruncatedResponse(response)
    except VendorReply as reply:
        response = reply.response
    except BodyError as error:
        response = vendor.bad_body(call, error)
    except Exception:
        log.exception("sandbox %s handler failed on %s", vendor.system, request.url.path)
        response = vendor.fault_response(Fault(FaultKind.SERVER_ERROR, status=500), call, usage)
    return _finish(call, response, usage, fault)


def uri_length(request: Request) -> int:
    """The request target's length as sent: path and query, percent-encoded."""
    scope = request.scope
    path = scope.get("raw_path") or request.url.path.encode()
    query = scope.get("query_string") or b""
    return len(path) + (1 + len(query) if query else 0)


def _check_uri(call: Call) -> None:
    """Every authenticated request's URL length goes to the statistics; one over the
    tenant's limit gets the vendor's refusal before it costs any budget."""
    tenant = call.tenant
    limit = tenant.budget.config.uri_max or call.vendor.uri_max
    length = uri_length(call.request)
    call.sandbox.stats.uri(call.vendor.system, tenant.name, length, refused=length > limit)
    if length > limit:
        raise VendorReply(call.vendor.uri_too_long(call, limit))


async def _timed(call: Call, endpoint: Endpoint, usage: RateUsage | None) -> Response:
    """The handler under the vendor's concurrency limit and token budget, answered as late
    as the vendor would (sandbox.core.latency)."""
    gate, tenant = call.sandbox.latency, call.tenant
    system, settings = call.vendor.system, dict(tenant.config.settings)
    if not gate.spend_tokens(system, tenant.name, call.op, settings):
        raise VendorReply(call.vendor.fault_response(Fault(FaultKind.DAILY_LIMIT), call, usage))
    ticket = gate.admit(system, tenant.name, settings)
    if ticket is None:
        refusal = Fault(FaultKind.RATE_LIMITED, retry_after_s=1)
        raise VendorReply(call.vendor.fault_response(refusal, call, usage))
    try:
        response = await endpoint.handler(call)
        await _sleep_unless_gone(call.request, gate.delay_s(system, call.records_served))
    finally:
        gate.release(ticket)
    return response


async def _apply_fault_before(call: Call, fault: Fault, usage: RateUsage | None) -> Response | None:
    kind = fault.kind
    if kind is FaultKind.DROP:
        return DropResponse()
    if kind is FaultKind.SLOW:
        await _sleep_unless_gone(call.request, fault.delay_s)
        return None
    if kind is FaultKind.TOKEN_EXPIRED and call.principal is not None and call.principal.token:
        call.sandbox.tokens.expire(call.principal.token)
    if kind is FaultKind.DAILY_LIMIT and call.principal is not None:
        usage = call.tenant.budget.exhaust_daily()
        fault = Fault(kind, retry_after_s=usage.retry_after_s)
    if kind in (FaultKind.MALFORMED, FaultKind.TRUNCATED, FaultKind.SLOW_ANSWER):
        return None
    return call.vendor.fault_response(fault, call, usage)


def _finish(
    call: Call, response: Response, usage: RateUsage | None, fault: Fault | None
) -> Response:
    tenant = call.principal.tenant if call.principal is not None else None
    if tenant is not None:
        current = usage if usage is not None else tenant.budget.usage()
        if fault is not None and fault.kind is FaultKind.DAILY_LIMIT:
            current = tenant.budget.usage()
        for name, value in call.vendor.rate_limit_headers(tenant, current).items():
            response.headers.setdefault(name, value)
        if call.records_served and call.object is not None:
            call.sandbox.stats.records(
                call.vendor.system, tenant.name, call.object, call.records_served
            )
    call.sandbox.stats.request(
        call.vendor.system,
        tenant.name if tenant is not None else None,
        call.request.method,
        call.endpoint.label,
        response.status_code,
        op=call.op,
    )
    return response


def make_route(sandbox: Sandbox, vendor: Vendor, endpoints: Sequence[Endpoint]) -> Any:
    """One Starlette endpoint serving every method registered on a path."""
    by_method = {method: ep for ep in endpoints for method in ep.methods}

    async def route(request: Request) -> Response:
        endpoint = by_method.get(request.method)
        if endpoint is None and request.method == "HEAD":
            endpoint = by_method.get("GET")
        if endpoint is None:
            return vendor.method_not_allowed(request)
        return await run_endpoint(sandbox, vendor, endpoint, request)

    return route
