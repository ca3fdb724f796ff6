"""The vendor-neutral sandbox core. Vendor packages import what they need from here.

See sandbox/README.md ("Adding a vendor") for the contract; the names below are
the stable extension interface.
"""

from sandbox.core.collection import Collection, Order
from sandbox.core.draw import Draw, collection_key
from sandbox.core.entry import Entry
from sandbox.core.faults import Fault, FaultKind
from sandbox.core.http import (
    JSON,
    BodyError,
    basic_credentials,
    empty_response,
    json_response,
    parse_json,
)
from sandbox.core.limits import RateLimitConfig, RateUsage
from sandbox.core.schema import FieldDef, GenContext, IdScheme, NumericIds, ObjectSpec
from sandbox.core.tenants import Tenant, TenantConfig
from sandbox.core.vendor import (
    Call,
    Endpoint,
    Principal,
    Vendor,
    VendorReply,
    fixed_object,
    path_param,
)
from sandbox.core.webhooks import ChangeEvent, OutboundRequest, WebhookTarget

__all__ = [
    "JSON",
    "BodyError",
    "Call",
    "ChangeEvent",
    "Collection",
    "Draw",
    "Endpoint",
    "Entry",
    "Fault",
    "FaultKind",
    "FieldDef",
    "GenContext",
    "IdScheme",
    "NumericIds",
    "ObjectSpec",
    "Order",
    "OutboundRequest",
    "Principal",
    "RateLimitConfig",
    "RateUsage",
    "Tenant",
    "TenantConfig",
    "Vendor",
    "VendorReply",
    "WebhookTarget",
    "basic_credentials",
    "collection_key",
    "empty_response",
    "fixed_object",
    "json_response",
    "parse_json",
    "path_param",
]
