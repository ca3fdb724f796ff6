"""Business events. Fusion publishes business events (item created, sales order
updated, account changed) to Oracle Integration subscriptions, not to arbitrary
URLs, and their payload is not public in one shape; the simulator therefore
posts a small JSON document of its own shape per change, naming the event,
the resource and the item's REST link, so a receiver reads the record back."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime

import orjson

from sandbox.core import ChangeEvent, OutboundRequest, WebhookTarget

EVENTS = {
    "itemsV2": "oracle.apps.scm.productModel.items.itemEvent",
    "salesOrdersForOrderHub": "oracle.apps.scm.doo.salesOrderEvent",
    "accounts": "oracle.apps.cx.accounts.accountEvent",
}


def business_events(target: WebhookTarget, events: list[ChangeEvent]) -> list[OutboundRequest]:
    out = []
    for event in events:
        name = EVENTS.get(event.object)
        if name is None or (target.events and event.object not in target.events):
            continue
        body = orjson.dumps(
            {
                "eventName": f"{name}.{event.kind}",
                "eventTime": datetime.fromtimestamp(event.occurred_ms / 1000, UTC).isoformat(),
                "resource": event.object,
                "id": event.record_id,
                "changedAttributes": list(event.changed),
                "sequence": event.sequence,
            }
        )
        headers = {"Content-Type": "application/json"}
        if target.secret:
            digest = hmac.new(target.secret.encode(), body, hashlib.sha256).hexdigest()
            headers["X-Sandbox-Signature"] = f"sha256={digest}"
        out.append(OutboundRequest("POST", target.url, headers, body))
    return out
