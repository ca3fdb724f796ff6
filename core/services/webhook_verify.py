"""How each vendor's change notifications are verified, and what they touched.

One function per system, each the vendor's own way (see shared/peer-failures.md):

- HubSpot: v3 = base64(HMAC-SHA256(client secret, method + URI + body + timestamp)),
  timestamp in milliseconds, refused outside a 5-minute window; v1 = hex
  SHA-256(secret + body), which HubSpot still sends for CRM-object subscriptions.
- Salesforce outbound messages are unsigned SOAP: the URL carries our
  per-connection token and the OrganizationId must be the connection's.
- Zoho echoes the `token` and `channel_id` we set when subscribing.
- Pipedrive and SAP Event Mesh webhooks carry HTTP Basic credentials we chose.
- Oracle (and anything else where we choose): HMAC-SHA256 of the body under a
  shared secret, `sha256=<hex>` in `X-Toothpick-Signature` (or the sandbox's
  `X-Sandbox-Signature`).
- Odoo automated actions are unsigned: the URL carries our token, as for Salesforce.

Every comparison is `hmac.compare_digest`. A failure raises `Rejected` (its
reason is logged, never answered). `fingerprints` let the caller refuse replays.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from core.models import System
from core.schemas import InboundWebhook

HUBSPOT_WINDOW_MS = 5 * 60 * 1000


class Rejected(Exception):
    """Verification failed; the message is for our log only."""


@dataclass(frozen=True)
class Material:
    """What a connection holds to verify its webhooks."""

    secret: str
    user: str | None = None
    org_id: str | None = None
    channel_id: str | None = None


@dataclass
class Verified:
    objects: list[str]
    notifications: int
    fingerprints: list[str]
    reply: str | None = None
    reply_type: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _same(a: str | bytes | None, b: str | bytes | None) -> bool:
    if a is None or b is None:
        return False
    left = a.encode() if isinstance(a, str) else a
    right = b.encode() if isinstance(b, str) else b
    return hmac.compare_digest(left, right)


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise Rejected("body is not JSON") from None


def _digest(body: bytes) -> str:
    return "body:" + hashlib.sha256(body).hexdigest()


def _hubspot(hook: InboundWebhook, material: Material, now_ms: int) -> Verified:
    secret, headers = material.secret, hook.headers
    v3 = headers.get("x-hubspot-signature-v3")
    if v3:
        stamp = headers.get("x-hubspot-request-timestamp", "")
        if not stamp.isdigit() or abs(now_ms - int(stamp)) > HUBSPOT_WINDOW_MS:
            raise Rejected("timestamp missing or outside the 5-minute window")
        message = hook.method.encode() + hook.url.encode() + hook.body + stamp.encode()
        expected = base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest())
        if not _same(expected.decode(), v3):
            raise Rejected("v3 signature does not match")
        fingerprints = ["v3:" + v3]
    elif headers.get("x-hubspot-signature-version", "v1") == "v1":
        expected_v1 = hashlib.sha256(secret.encode() + hook.body).hexdigest()
        if not _same(expected_v1, headers.get("x-hubspot-signature")):
            raise Rejected("v1 signature does not match")
        fingerprints = [_digest(hook.body)]
    else:
        raise Rejected("unsupported signature version")
    events = _json(hook.body)
    if not isinstance(events, list):
        raise Rejected("not a list of events")
    objects = [
        str(e.get("subscriptionType", "")).split(".")[0] for e in events if isinstance(e, dict)
    ]
    return Verified(objects=objects, notifications=len(events), fingerprints=fingerprints)


_SF_ORG = re.compile(r"<OrganizationId>([A-Za-z0-9]{15,18})</OrganizationId>")
_SF_ID = re.compile(r"<Notification>\s*<Id>([A-Za-z0-9]{15,18})</Id>")
_SF_TYPE = re.compile(r'xsi:type="sf:([A-Za-z0-9_]+)"')
SOAP_ACK = (
    '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope '
    'xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>'
    '<notificationsResponse xmlns="http://soap.sforce.com/2005/09/outbound">'
    "<Ack>true</Ack></notificationsResponse></soapenv:Body></soapenv:Envelope>"
)


def _url_token(hook: InboundWebhook, material: Material) -> None:
    if not _same(hook.query.get("token"), material.secret):
        raise Rejected("URL token does not match")


def _salesforce(hook: InboundWebhook, material: Material, now_ms: int) -> Verified:
    _url_token(hook, material)
    # Read with patterns, not an XML parser: the body is a fixed vendor shape and
    # a pattern cannot be made to fetch entities or expand them.
    text = hook.body.decode("utf-8", "replace")
    org = _SF_ORG.search(text)
    if org is None or material.org_id is None or not _same(org.group(1)[:15], material.org_id[:15]):
        raise Rejected("OrganizationId is not the connection's")
    ids = _SF_ID.findall(text)
    return Verified(
        objects=_SF_TYPE.findall(text),
        notifications=len(ids),
        fingerprints=[f"sf:{i}" for i in ids] or [_digest(hook.body)],
        reply=SOAP_ACK,
        reply_type="text/xml; charset=utf-8",
    )


def _zoho(hook: InboundWebhook, material: Material, now_ms: int) -> Verified:
    body = _json(hook.body)
    if not isinstance(body, dict):
        raise Rejected("not an object")
    token_ok = _same(str(body.get("token") or ""), material.secret)
    channel_ok = _same(str(body.get("channel_id") or ""), material.channel_id or "")
    if not (token_ok and channel_ok):
        raise Rejected("token or channel_id does not match")
    ids = body.get("ids")
    count = len(ids) if isinstance(ids, list) else 0
    return Verified(
        objects=[str(body.get("module", ""))],
        notifications=max(count, 1),
        fingerprints=[_digest(hook.body)],
    )


def _basic(hook: InboundWebhook, material: Material) -> None:
    scheme, _, value = hook.headers.get("authorization", "").partition(" ")
    try:
        user, sep, password = base64.b64decode(value, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise Rejected("malformed basic credentials") from None
    if scheme.lower() != "basic" or not sep:
        raise Rejected("no basic credentials")
    if not (_same(user, material.user or "") & _same(password, material.secret)):
        raise Rejected("basic credentials do not match")


def _pipedrive(hook: InboundWebhook, material: Material, now_ms: int) -> Verified:
    _basic(hook, material)
    body = _json(hook.body)
    meta = body.get("meta", {}) if isinstance(body, dict) else {}
    obj = str(meta.get("entity") or meta.get("object") or "")
    return Verified(objects=[obj], notifications=1, fingerprints=[_digest(hook.body)])


def _sap(hook: InboundWebhook, material: Material, now_ms: int) -> Verified:
    _basic(hook, material)
    body = _json(hook.body)
    kind = str(body.get("type", "")) if isinstance(body, dict) else ""
    parts = kind.split(".")
    event_id = str(body.get("id", "")) if isinstance(body, dict) else ""
    return Verified(
        objects=[parts[5]] if len(parts) > 5 else [],
        notifications=1,
        fingerprints=[f"ce:{event_id}" if event_id else _digest(hook.body)],
    )


def _hmac_body(hook: InboundWebhook, material: Material, now_ms: int) -> Verified:
    given = hook.headers.get("x-toothpick-signature") or hook.headers.get("x-sandbox-signature")
    expected = hmac.new(material.secret.encode(), hook.body, hashlib.sha256).hexdigest()
    if not _same(f"sha256={expected}", given):
        raise Rejected("HMAC signature does not match")
    body = _json(hook.body)
    resource = str(body.get("resource", "")) if isinstance(body, dict) else ""
    return Verified(objects=[resource], notifications=1, fingerprints=[_digest(hook.body)])


def _odoo(hook: InboundWebhook, material: Material, now_ms: int) -> Verified:
    _url_token(hook, material)
    body = _json(hook.body)
    model = str(body.get("_model", "")) if isinstance(body, dict) else ""
    return Verified(objects=[model], notifications=1, fingerprints=[_digest(hook.body)])


VERIFIERS: dict[System, Callable[[InboundWebhook, Material, int], Verified]] = {
    System.HUBSPOT: _hubspot,
    System.SALESFORCE: _salesforce,
    System.ZOHO: _zoho,
    System.PIPEDRIVE: _pipedrive,
    System.SAP: _sap,
    System.ORACLE: _hmac_body,
    System.ODOO: _odoo,
}

# How each system is told where to send and how we check it (the set-up answer).
HOW = {
    System.HUBSPOT: "HubSpot signature v3 (and v1) with the app's client secret",
    System.SALESFORCE: "Outbound message to this URL (it carries the token); org id checked",
    System.ZOHO: "Notification channel with this token and channel_id",
    System.PIPEDRIVE: "Webhook with HTTP Basic auth: this user and password",
    System.SAP: "Event Mesh webhook with HTTP Basic auth: this user and password",
    System.ORACLE: "HMAC-SHA256 of the body with this secret: X-Toothpick-Signature: sha256=<hex>",
    System.ODOO: "Automated action webhook to this URL (it carries the token)",
}
