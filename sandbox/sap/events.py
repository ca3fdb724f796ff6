"""SAP Business Events as an Event Mesh webhook delivers them: one CloudEvent (spec
1.0, structured JSON) per HTTP POST, typed `sap.s4.beh.<object>.v1.<Object>.<Verb>.v1`,
with only the key of the changed object in `data` (the receiver reads the rest
through the OData API).

Event types follow SAP's business event catalog (Product, BusinessPartner,
SalesOrder, SalesQuotation; Created and Changed; Deleted for sales documents).
Stock has no business event. A subscription's `secret` is sent as HTTP Basic
password with the `options["user"]` name (default "eventmesh"), as an Event
Mesh webhook with Basic authentication does.
"""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime

import orjson

from sandbox.core import ChangeEvent, OutboundRequest, WebhookTarget

EVENT_OBJECTS = {
    "A_Product": ("product", "Product", "Product"),
    "A_BusinessPartner": ("businesspartner", "BusinessPartner", "BusinessPartner"),
    "A_SalesOrder": ("salesorder", "SalesOrder", "SalesOrder"),
    "A_SalesQuotation": ("salesquotation", "SalesQuotation", "SalesQuotation"),
}
VERBS = {"created": "Created", "updated": "Changed", "deleted": "Deleted"}


def event_type(event: ChangeEvent) -> str | None:
    found = EVENT_OBJECTS.get(event.object)
    if found is None:
        return None
    package, name, _key = found
    verb = VERBS[event.kind]
    if verb == "Deleted" and name in ("Product", "BusinessPartner"):
        return None  # master data is flagged, not deleted, in S/4HANA
    return f"sap.s4.beh.{package}.v1.{name}.{verb}.v1"


def cloud_events(
    target: WebhookTarget, events: list[ChangeEvent], source: str
) -> list[OutboundRequest]:
    requests: list[OutboundRequest] = []
    headers = {"Content-Type": "application/cloudevents+json"}
    if target.secret:
        user = str(target.options.get("user", "eventmesh"))
        token = base64.b64encode(f"{user}:{target.secret}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    for event in events:
        kind = event_type(event)
        if kind is None or (target.events and kind not in target.events):
            continue
        key_name = EVENT_OBJECTS[event.object][2]
        body = {
            "type": kind,
            "specversion": "1.0",
            "source": source,
            "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{source}/{event.sequence}")),
            "time": datetime.fromtimestamp(event.occurred_ms / 1000, UTC).strftime(
                "%Y-%m-%dT%H:%M:%SZ"
            ),
            "datacontenttype": "application/json",
            "data": {key_name: event.record_id},
        }
        requests.append(OutboundRequest("POST", target.url, headers, orjson.dumps(body)))
    return requests
