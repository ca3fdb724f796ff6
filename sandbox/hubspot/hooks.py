"""Webhooks as HubSpot sends them: a JSON array of up to 100 events per POST,
signed with v3 (base64 HMAC-SHA256 of method + URI + body + timestamp, keyed by
the app's client secret; X-HubSpot-Signature-v3 and X-HubSpot-Request-Timestamp
in milliseconds) and, as HubSpot also does, v1 (hex SHA-256 of secret + body).

Target `events` are subscription types ("contact.creation",
"contact.propertyChange", "deal.deletion", "object.creation", ...; empty: all);
options may set "app_id" and "subscription_id".
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

import orjson

from sandbox.core import ChangeEvent, OutboundRequest, WebhookTarget
from sandbox.core.clock import now_ms
from sandbox.hubspot.schema import TYPES

LEGACY = {"contacts", "companies", "deals", "products"}
KIND = {"created": "creation", "updated": "propertyChange", "deleted": "deletion"}


def sign_v3(secret: str, method: str, uri: str, body: bytes, timestamp: str) -> str:
    message = method.encode() + uri.encode() + body + timestamp.encode()
    return base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest()).decode()


def _events(
    target: WebhookTarget, event: ChangeEvent, settings: Mapping[str, Any]
) -> list[dict[str, Any]]:
    info = TYPES.get(event.object)
    if info is None:
        return []
    legacy = event.object in LEGACY
    subscription = f"{info.singular if legacy else 'object'}.{KIND[event.kind]}"
    base: dict[str, Any] = {
        "eventId": 100_000_000 + event.sequence,
        "subscriptionId": int(
            target.options.get("subscription_id", 2_000_000 + int(target.id[1:]))
        ),
        "portalId": settings.get("portal_id"),
        "appId": int(target.options.get("app_id", settings.get("app_id", 0))),
        "occurredAt": event.occurred_ms,
        "subscriptionType": subscription,
        "attemptNumber": 0,
        "objectId": int(event.record_id),
        "changeSource": "CRM_UI" if event.source == "control" else "API",
    }
    if not legacy:
        base["objectTypeId"] = info.type_id
    if event.kind != "updated":
        return [base | ({"changeFlag": "NEW"} if event.kind == "created" else {})]
    return [
        base
        | {
            "propertyName": name,
            "propertyValue": "" if (v := event.fields.get(name)) is None else str(v),
        }
        for name in event.changed
    ]


def webhook_requests(
    target: WebhookTarget,
    events: list[ChangeEvent],
    secrets: Mapping[str, str],
    settings: Mapping[str, Any],
) -> list[OutboundRequest]:
    payload = [
        item
        for event in events
        for item in _events(target, event, settings)
        if not target.events or item["subscriptionType"] in target.events
    ]
    secret = target.secret or secrets.get(target.tenant, "")
    requests = []
    for start in range(0, len(payload), 100):
        body = orjson.dumps(payload[start : start + 100])
        timestamp = str(now_ms())
        requests.append(
            OutboundRequest(
                "POST",
                target.url,
                {
                    "Content-Type": "application/json",
                    "User-Agent": "HubSpot Connect 2.0 (http://dev.hubspot.com/)",
                    "X-HubSpot-Signature-v3": sign_v3(secret, "POST", target.url, body, timestamp),
                    "X-HubSpot-Request-Timestamp": timestamp,
                    "X-HubSpot-Signature": hashlib.sha256(secret.encode() + body).hexdigest(),
                    "X-HubSpot-Signature-Version": "v1",
                },
                body,
            )
        )
    return requests
