"""The SAP S/4HANA Cloud OData V2 simulator: routes, objects, tenants, error rendering.

Services live at SAP's paths, `/sap/opu/odata/sap/<SERVICE>/...`, with the
OAuth token endpoint at `/sap/bc/sec/oauth2/token`. An entity addressed by
key (`A_Product('TG000001')`) is matched by a path convertor of our own, so
that list, read, count and navigation requests are separate routes (and fault
rules can target "list requests of A_Product").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from starlette.convertors import Convertor, register_url_convertor
from starlette.requests import Request
from starlette.responses import Response

from sandbox.core import (
    Call,
    ChangeEvent,
    Endpoint,
    Fault,
    FaultKind,
    NumericIds,
    ObjectSpec,
    OutboundRequest,
    Principal,
    RateUsage,
    TenantConfig,
    Vendor,
    WebhookTarget,
    path_param,
)
from sandbox.core.http import BodyError
from sandbox.sap import auth, handlers
from sandbox.sap.catalog import ALL_SETS
from sandbox.sap.edm import neutral_type
from sandbox.sap.errors import (
    BAD_PAYLOAD,
    NOT_ALLOWED,
    NOT_FOUND,
    api_management_fault,
    error_response,
    gateway_page,
    logon_failed,
)
from sandbox.sap.events import cloud_events
from sandbox.sap.generate import gen_partner, gen_product, gen_quotation, gen_sales_order
from sandbox.sap.keys import KEYED_SEGMENT
from sandbox.sap.stock import ProductIds, StockIds, gen_stock
from sandbox.sap.tenants import default_tenants

ROOT = "/sap/opu/odata/sap/{service}"


class _KeyedSegment(Convertor[str]):
    regex = KEYED_SEGMENT.replace(".*", "[^/]*")

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("sapkey", _KeyedSegment())


def _spec(name: str, generate: Any, ids: Any, label: str, entity: str | None) -> ObjectSpec:
    from sandbox.core import FieldDef

    entity_set = ALL_SETS[name]
    fields = tuple(
        FieldDef(p.name, neutral_type(p), label=p.label, updateable=p.updatable)  # type: ignore[arg-type]
        for p in entity_set.props
        if p.derived is None
    )
    return ObjectSpec(
        name=name,
        fields=fields,
        generate=generate,
        ids=ids,
        label=label,
        label_plural=f"{label}s",
        entity=entity,
        writable=entity_set.creatable,
        deletable=entity_set.deletable,
    )


class SapVendor(Vendor):
    system = "sap"
    title = "SAP S/4HANA Cloud (OData V2)"
    prefixes = ("/sap/",)
    uri_max = 8_192  # unpublished for S/4HANA Cloud, UNCONFIRMED (gateways refuse about 8-16 KB)
    wide_name = "YY1_WideField{n:04d}"

    def __init__(self) -> None:
        self._sources = {t.name: str(t.settings["event_source"]) for t in default_tenants()}

    def objects(self) -> Sequence[ObjectSpec]:
        return self.objects_for(default_tenants()[0])

    def objects_for(self, tenant: TenantConfig) -> Sequence[ObjectSpec]:
        products = ProductIds()
        plants = tuple(str(p) for p in tenant.settings["plants"])
        return [
            _spec("A_Product", gen_product, products, "Product", "product"),
            _spec(
                "A_BusinessPartner",
                gen_partner,
                NumericIds(1_000_000),
                "Business Partner",
                "customer",
            ),
            _spec("A_SalesOrder", gen_sales_order, NumericIds(5_000_000), "Sales Order", "order"),
            _spec(
                "A_SalesQuotation",
                gen_quotation,
                NumericIds(20_000_000),
                "Sales Quotation",
                "quote",
            ),
            _spec(
                "A_MatlStkInAcctMod",
                gen_stock,
                StockIds(products, plants),
                "Material Stock",
                "inventory",
            ),
        ]

    def default_tenants(self) -> Sequence[TenantConfig]:
        return default_tenants()

    async def authenticate(self, call: Call) -> Principal:
        return await auth.authenticate(call)

    def endpoints(self) -> Sequence[Endpoint]:
        keyed, entity_set = handlers.keyed_object, path_param("entity_set")
        return [
            Endpoint("/sap/bc/sec/oauth2/token", auth.token, ("POST",), "auth", auth=False),
            Endpoint(ROOT, handlers.service_root, ("GET",), "metadata"),
            Endpoint(ROOT + "/$metadata", handlers.metadata, ("GET",), "metadata"),
            Endpoint(ROOT + "/$batch", handlers.batch, ("POST",), "other"),
            Endpoint(
                ROOT + "/{key:sapkey}/{nav}",
                handlers.navigate,
                ("GET",),
                "list",
                object_of=handlers.nav_object,
            ),
            Endpoint(ROOT + "/{key:sapkey}", handlers.read, ("GET",), "read", object_of=keyed),
            Endpoint(
                ROOT + "/{key:sapkey}",
                handlers.update,
                ("PATCH", "PUT", "MERGE"),
                "update",
                object_of=keyed,
            ),
            Endpoint(
                ROOT + "/{key:sapkey}", handlers.delete, ("DELETE",), "delete", object_of=keyed
            ),
            Endpoint(ROOT + "/{key:sapkey}", handlers.tunnel, ("POST",), "update", object_of=keyed),
            Endpoint(
                ROOT + "/{entity_set}/$count",
                handlers.count,
                ("GET",),
                "list",
                object_of=entity_set,
            ),
            Endpoint(
                ROOT + "/{entity_set}", handlers.list_set, ("GET",), "list", object_of=entity_set
            ),
            Endpoint(
                ROOT + "/{entity_set}", handlers.create, ("POST",), "create", object_of=entity_set
            ),
        ]

    def fault_response(self, fault: Fault, call: Call, usage: RateUsage | None) -> Response:
        kind = fault.kind
        if kind is FaultKind.RATE_LIMITED:
            return api_management_fault(
                "Spike arrest violation. Allowed rate : MessageRate{messagesPerPeriod=10, "
                "periodInMicroseconds=1000000, maxBurstMessageCount=1.0}",
                "policies.ratelimit.SpikeArrestViolation",
            )
        if kind is FaultKind.DAILY_LIMIT:
            return api_management_fault(
                "Rate limit quota violation. Quota limit  exceeded. Identifier : _default",
                "policies.ratelimit.QuotaViolation",
            )
        if kind is FaultKind.TOKEN_EXPIRED:
            return logon_failed().response
        if fault.status in (502, 503, 504):
            return gateway_page(fault.status)
        return error_response(
            500,
            "/IWFND/CM_BEC/076",
            "Error while executing the service request",
            component="OPU-GW-COR",
        )

    def not_found(self, request: Request) -> Response:
        return error_response(
            404, NOT_FOUND, f"Resource not found for segment '{request.url.path}'"
        )

    def method_not_allowed(self, request: Request) -> Response:
        return error_response(405, NOT_ALLOWED, f"Method '{request.method}' is not allowed here")

    def bad_body(self, call: Call, error: BodyError) -> Response:
        return error_response(400, BAD_PAYLOAD, f"Malformed JSON in the request body: {error}")

    def webhook_requests(
        self, target: WebhookTarget, events: list[ChangeEvent]
    ) -> list[OutboundRequest]:
        return cloud_events(target, events, self._sources.get(target.tenant, "/default/sap.s4.beh"))

    def credentials_summary(self, tenant: TenantConfig) -> Mapping[str, str]:
        return {
            **tenant.credentials,
            "token_url": "/sap/bc/sec/oauth2/token",
            "services": "/sap/opu/odata/sap/<API_..._SRV>/",
        }
