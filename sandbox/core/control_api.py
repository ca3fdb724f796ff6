"""The control API under /__sandbox__/: the vendor side's back door, in JSON.

Tests and the demo use it (through `sandbox.control.SandboxControl`) to reset a
tenant, change scale, edit records "as the vendor", read the current truth,
inject faults, subscribe webhooks and read request statistics. It never goes
through the simulators' auth, rate budgets or faults.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import asdict, replace
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.core.clock import CLOCK
from sandbox.core.control_records import ControlError, RecordRoutes, body_of
from sandbox.core.faults import FaultSpecError
from sandbox.core.http import json_response
from sandbox.core.latency import LatencyError

if TYPE_CHECKING:
    from sandbox.core.state import Sandbox

PREFIX = "/__sandbox__"


class ControlApi(RecordRoutes):
    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    def routes(self) -> list[Route]:
        table: list[tuple[str, Callable[[Request], Awaitable[Any]], list[str]]] = [
            ("/", self.info, ["GET"]),
            ("/stats", self.stats, ["GET", "DELETE"]),
            ("/faults", self.faults, ["GET", "POST", "DELETE"]),
            ("/faults/{rule_id}", self.fault, ["DELETE"]),
            ("/clock", self.clock, ["GET", "PUT", "DELETE"]),
            ("/latency", self.latency, ["GET", "PUT", "DELETE"]),
            ("/webhooks/deliveries", self.deliveries, ["GET"]),
            ("/webhooks/wait", self.wait_webhooks, ["POST"]),
            ("/{system}/{tenant}", self.tenant_info, ["GET"]),
            ("/{system}/{tenant}/reset", self.reset, ["POST"]),
            ("/{system}/{tenant}/scale", self.scale, ["PUT"]),
            ("/{system}/{tenant}/limits", self.limits, ["GET", "PUT"]),
            ("/{system}/{tenant}/custom_fields", self.custom_fields, ["PUT"]),
            ("/{system}/{tenant}/caps", self.caps, ["GET", "PUT"]),
            ("/{system}/{tenant}/tokens/expire", self.expire_tokens, ["POST"]),
            ("/{system}/{tenant}/clock", self.tenant_clock, ["GET", "PUT"]),
            ("/{system}/{tenant}/webhooks", self.webhooks, ["GET", "POST", "DELETE"]),
            ("/{system}/{tenant}/objects/{object}", self.records, ["GET", "POST"]),
            ("/{system}/{tenant}/objects/{object}/fields", self.fields, ["GET", "PUT"]),
            (
                "/{system}/{tenant}/objects/{object}/{record_id}",
                self.record,
                ["GET", "PATCH", "DELETE"],
            ),
        ]
        return [
            Route(PREFIX + path, self._wrap(fn), methods=methods) for path, fn, methods in table
        ]

    def _wrap(
        self, fn: Callable[[Request], Awaitable[Any]]
    ) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            try:
                result = await fn(request)
            except ControlError as exc:
                return json_response({"error": str(exc)}, exc.status)
            if isinstance(result, Response):
                return result
            return json_response(result)

        return endpoint

    # --- helpers -------------------------------------------------------------------

    # --- global ----------------------------------------------------------------------

    async def info(self, request: Request) -> Any:
        urls = self.sandbox.urls
        return {
            "http": urls.http,
            "tls": urls.tls,
            "ca_path": str(urls.ca_path) if urls.ca_path else None,
            "systems": {
                system: {
                    "title": vendor.title,
                    "objects": [spec.name for spec in vendor.objects()],
                    "tenants": {
                        t.name: {
                            "description": t.config.description,
                            "credentials": dict(vendor.credentials_summary(t.config)),
                        }
                        for t in self.sandbox.tenants(system)
                    },
                }
                for system, vendor in self.sandbox.vendors.items()
            },
        }

    async def stats(self, request: Request) -> Any:
        system = request.query_params.get("system")
        tenant = request.query_params.get("tenant")
        if request.method == "DELETE":
            self.sandbox.stats.reset(system=system, tenant=tenant)
            return {"reset": True}
        return self.sandbox.stats.snapshot(system=system, tenant=tenant)

    async def faults(self, request: Request) -> Any:
        injector = self.sandbox.faults
        if request.method == "GET":
            return {"rules": [rule.as_dict() for rule in injector.rules()]}
        if request.method == "DELETE":
            removed = injector.clear(
                system=request.query_params.get("system"), tenant=request.query_params.get("tenant")
            )
            return {"removed": removed}
        body = await body_of(request)
        specs = body if isinstance(body, list) else [body]
        try:
            added = [injector.add(spec).as_dict() for spec in specs]
        except FaultSpecError as exc:
            raise ControlError(400, str(exc)) from None
        return json_response({"rules": added}, 201)

    async def fault(self, request: Request) -> Any:
        if not self.sandbox.faults.remove(request.path_params["rule_id"]):
            raise ControlError(404, "no such fault rule")
        return {"removed": 1}

    async def clock(self, request: Request) -> Any:
        """GET the sandbox's now; PUT {"at_ms": N, "frozen": true} to move it there, or
        {"advance_s": S} to move it on; DELETE to go back to the machine's time."""
        if request.method == "DELETE":
            CLOCK.release()
        elif request.method == "PUT":
            body = await body_of(request)
            at, advance = body.get("at_ms"), body.get("advance_s")
            if isinstance(at, int) and not isinstance(at, bool) and at >= 0:
                CLOCK.set(at, frozen=bool(body.get("frozen", True)))
            elif (
                isinstance(advance, int | float) and not isinstance(advance, bool) and advance >= 0
            ):
                CLOCK.advance(float(advance))
            else:
                raise ControlError(400, "give at_ms (epoch ms, >= 0) or advance_s (seconds, >= 0)")
        return CLOCK.describe()

    async def deliveries(self, request: Request) -> Any:
        found = self.sandbox.webhooks.deliveries(
            request.query_params.get("system"), request.query_params.get("tenant")
        )
        return {"deliveries": [asdict(d) for d in found]}

    async def wait_webhooks(self, request: Request) -> Any:
        timeout = float(request.query_params.get("timeout", "10"))
        idle = await asyncio.to_thread(self.sandbox.webhooks.wait_idle, timeout)
        return {"idle": idle}

    # --- per tenant --------------------------------------------------------------------

    async def tenant_info(self, request: Request) -> Any:
        tenant = self._tenant(request)
        usage = tenant.budget.usage()
        return {
            "system": tenant.system,
            "tenant": tenant.name,
            "objects": {
                name: {
                    "scale": tenant.scale_of(name),
                    "overlay": tenant.collection(name).overlay_size,
                    "fields": [f.name for f in tenant.collection(name).fields],
                    "required": [f.name for f in tenant.collection(name).fields if f.required],
                }
                for name in tenant.specs
            },
            "limits": asdict(tenant.budget.config),
            "usage": asdict(usage),
        }

    async def reset(self, request: Request) -> Any:
        tenant = self._tenant(request)
        body = await body_of(request)
        scale = body.get("scale") if isinstance(body, dict) else None
        try:
            tenant.reset(scale or None)
        except (KeyError, ValueError) as exc:
            raise ControlError(400, f"bad scale: {exc}") from None
        return {"reset": True}

    async def scale(self, request: Request) -> Any:
        tenant = self._tenant(request)
        body = await body_of(request)
        if not isinstance(body, dict) or not all(isinstance(v, int) for v in body.values()):
            raise ControlError(400, 'body must be {"Object": count, ...}')
        try:
            tenant.set_scale(body)
        except KeyError as exc:
            raise ControlError(400, f"unknown object {exc}") from None
        except ValueError as exc:
            raise ControlError(400, str(exc)) from None
        return {name: tenant.scale_of(name) for name in body}

    async def limits(self, request: Request) -> Any:
        tenant = self._tenant(request)
        if request.method == "PUT":
            body = await body_of(request)
            try:
                tenant.budget.config = replace(tenant.budget.config, **body)
            except TypeError as exc:
                raise ControlError(400, f"bad limits: {exc}") from None
            tenant.budget.reset()
        return {"limits": asdict(tenant.budget.config), "usage": asdict(tenant.budget.usage())}

    async def custom_fields(self, request: Request) -> Any:
        """`{"object": "Contact", "count": 1100}`: that many more custom fields on the object,
        named the vendor's way, in its metadata API and with values in every record, until
        the tenant's next reset (for objects wider than a request URL can list)."""
        tenant = self._tenant(request)
        body = await body_of(request)
        name, count = (body.get("object"), body.get("count")) if isinstance(body, dict) else (0, 0)
        if not isinstance(name, str) or not isinstance(count, int) or not 0 < count <= 5000:
            raise ControlError(400, 'body must be {"object": name, "count": 1..5000}')
        vendor = self.sandbox.vendors[tenant.system]
        try:
            tenant.add_custom_fields(name, vendor.wide_fields(tenant.name, name, count))
        except KeyError:
            raise ControlError(400, f"unknown object {name!r}") from None
        fields = tenant.collection(name).custom_fields
        return {"object": name, "custom_fields": [f.name for f in fields]}

    async def caps(self, request: Request) -> Any:
        """The tenant's result caps in force, by the names its vendor declares (HubSpot:
        `search`); PUT `{"search": 150}` lowers one until the next PUT or reset (`{}`: the
        vendor's published caps again)."""
        tenant = self._tenant(request)
        published = self.sandbox.vendors[tenant.system].caps
        if request.method == "PUT":
            body = await body_of(request)
            if not isinstance(body, dict):
                raise ControlError(400, 'body must be {"name": count, ...}')
            for name, value in body.items():
                if name not in published:
                    known = ", ".join(sorted(published)) or "none"
                    raise ControlError(400, f"unknown cap {name!r} (this vendor's: {known})")
                if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                    raise ControlError(400, f"cap {name} must be a whole number of at least 1")
            tenant.set_result_caps(body)
        return {name: tenant.result_cap(name, count) for name, count in published.items()}

    async def latency(self, request: Request) -> Any:
        """Realistic timing (sandbox.core.latency): `{"enabled": true, "scale": 1.0,
        "profiles": {"hubspot": {"fixed_ms": 50}}}`; GET shows the profiles in force;
        DELETE goes back to the published profiles (and to the server's --latency)."""
        gate = self.sandbox.latency
        if request.method == "DELETE":
            gate.reset(enabled=self.sandbox.config.latency)
        if request.method == "PUT":
            try:
                return gate.configure(await body_of(request))
            except LatencyError as exc:
                raise ControlError(400, f"bad latency: {exc}") from None
        return gate.describe()

    async def tenant_clock(self, request: Request) -> Any:
        """One tenant's vendor clock, on top of the sandbox's clock: `{"skew_ms": n}`
        stamps its writes n ms ahead (negative: behind); `{"frozen_at_ms": t}` stamps every
        write at t (each a millisecond after the previous, as collections never repeat a
        time, unless `"repeat": true`: then every write at t exactly, as a vendor's bulk
        edit stamps many records); `{}` follows the sandbox's clock again."""
        tenant = self._tenant(request)
        if request.method == "PUT":
            body = await body_of(request)
            if not isinstance(body, dict):
                raise ControlError(400, 'body must be {"skew_ms": n} or {"frozen_at_ms": t}')
            values = {name: body.get(name) for name in ("skew_ms", "frozen_at_ms")}
            for name, value in values.items():
                if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
                    raise ControlError(400, f"{name} must be an integer")
            repeat = body.get("repeat", False)
            if not isinstance(repeat, bool):
                raise ControlError(400, "repeat must be true or false")
            tenant.set_clock(
                skew_ms=values["skew_ms"], frozen_at_ms=values["frozen_at_ms"], repeat=repeat
            )
        return {"now_ms": tenant.vendor_now_ms()}

    async def expire_tokens(self, request: Request) -> Any:
        tenant = self._tenant(request)
        return {"expired": self.sandbox.tokens.expire_tenant(tenant.system, tenant.name)}

    async def webhooks(self, request: Request) -> Any:
        tenant = self._tenant(request)
        hooks = self.sandbox.webhooks
        if request.method == "DELETE":
            hooks.clear(tenant.system, tenant.name)
            return {"removed": True}
        if request.method == "POST":
            body = await body_of(request)
            if not isinstance(body, dict) or not isinstance(body.get("url"), str):
                raise ControlError(
                    400, 'body must be {"url": ..., "secret"?, "events"?, "options"?}'
                )
            target = hooks.subscribe(
                tenant.system,
                tenant.name,
                body["url"],
                secret=body.get("secret"),
                events=tuple(body.get("events") or ()),
                options=body.get("options") or {},
            )
            return json_response(target.as_dict(), 201)
        return {"targets": [t.as_dict() for t in hooks.targets(tenant.system, tenant.name)]}
