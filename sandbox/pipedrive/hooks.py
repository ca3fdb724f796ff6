"""Webhooks: `/api/v1/webhooks` subscriptions and the calls Pipedrive makes.

One POST per change. Version "2.0" sends `{data, previous, meta}` (meta.action
create/change/delete, meta.entity); version "1.0" sends `{v: 1, meta,
current, previous, event: "updated.person", retry}`. Pipedrive signs
nothing: a receiver authenticates the call by the HTTP Basic credentials
given at subscription (`http_auth_user`/`http_auth_password`).
"""

from __future__ import annotations

import base64
import uuid
from typing import Any
from urllib.parse import parse_qsl

import orjson
from starlette.responses import Response

from sandbox.core import Call, ChangeEvent, OutboundRequest, WebhookTarget, json_response
from sandbox.core.clock import now_ms
from sandbox.pipedrive.render import render_v1, render_v2, v1_time, v2_time

WORDS = {
    "persons": "person",
    "organizations": "organization",
    "deals": "deal",
    "activities": "activity",
    "products": "product",
    "leads": "lead",
    "notes": "note",
    "users": "user",
}
ACTIONS = {
    "1.0": {"created": "added", "updated": "updated", "deleted": "deleted"},
    "2.0": {"created": "create", "updated": "change", "deleted": "delete"},
}
OBJECTS = {*WORDS.values(), "activityType", "pipeline", "stage", "*"}


def _public(target: WebhookTarget) -> dict[str, Any]:
    o = target.options
    return {
        "id": int(o.get("webhook_id") or 0),
        "company_id": o.get("company_id"),
        "owner_id": o.get("user_id"),
        "user_id": o.get("user_id"),
        "event_action": o["event_action"],
        "event_object": o["event_object"],
        "subscription_url": target.url,
        "version": o["version"],
        "is_active": 1,
        "add_time": o.get("add_time"),
        "remove_time": None,
        "type": "general",
        "http_auth_user": o.get("http_auth_user"),
        "http_auth_password": None,
        "remove_reason": None,
        "last_delivery_time": None,
        "last_http_status": None,
    }


async def webhooks(call: Call) -> Response:
    hooks, tenant = call.sandbox.webhooks, call.tenant
    if call.request.method == "GET":
        data = [_public(t) for t in hooks.targets("pipedrive", tenant.name)]
        return json_response({"status": "ok", "success": True, "data": data})
    raw = await call.request.body()
    try:
        body = orjson.loads(raw) if raw.strip().startswith(b"{") else dict(parse_qsl(raw.decode()))
    except (orjson.JSONDecodeError, UnicodeDecodeError):
        body = None
    if not isinstance(body, dict):
        return _refused("Invalid request body")
    version = str(body.get("version") or "1.0")
    url, action, obj = (
        body.get("subscription_url"),
        body.get("event_action"),
        body.get("event_object"),
    )
    if version not in ACTIONS:
        return _refused("version must be 1.0 or 2.0")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        return _refused("subscription_url must be a valid URL")
    if action not in {*ACTIONS[version].values(), *(["merged"] if version == "1.0" else []), "*"}:
        return _refused(f"event_action is not valid for version {version}")
    if obj not in OBJECTS:
        return _refused("event_object is not valid")
    users = list(call.collection("users").scan())
    options = {
        "webhook_id": str(_next_id(hooks.targets("pipedrive"))),
        "version": version,
        "event_action": action,
        "event_object": obj,
        "user_id": int(body.get("user_id") or users[0].id),
        "company_id": int(tenant.config.settings["company_id"]),
        "add_time": v1_time(now_ms()),
        "http_auth_user": body.get("http_auth_user"),
        "http_auth_password": body.get("http_auth_password"),
        "host": f"{tenant.config.settings['company_domain']}.pipedrive.com",
    }
    target = hooks.subscribe("pipedrive", tenant.name, url, options=options)
    return json_response({"status": "ok", "success": True, "data": _public(target)}, 201)


async def webhook(call: Call) -> Response:
    wanted = str(call.request.path_params["webhook_id"])
    for target in call.sandbox.webhooks.targets("pipedrive", call.tenant.name):
        if str(target.options.get("webhook_id")) == wanted:
            call.sandbox.webhooks.unsubscribe(target.id)
            return json_response({"status": "ok", "success": True})
    return json_response({"status": "error", "success": False, "error": "Webhook not found"}, 404)


def _next_id(targets: list[WebhookTarget]) -> int:
    taken = [int(t.options["webhook_id"]) for t in targets if t.options.get("webhook_id")]
    return max(taken, default=1000) + 1


def _refused(message: str) -> Response:
    return json_response({"status": "error", "success": False, "error": message}, 400)


def _wanted(options: Any, word: str, action: str) -> bool:
    return options.get("event_object", "*") in ("*", word) and options.get("event_action", "*") in (
        "*",
        action,
    )


def calls(target: WebhookTarget, events: list[ChangeEvent]) -> list[OutboundRequest]:
    o = target.options
    version = str(o.get("version") or "2.0")
    headers = {"Content-Type": "application/json"}
    if o.get("http_auth_user"):
        pair = f"{o['http_auth_user']}:{o.get('http_auth_password') or ''}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
    out = []
    for event in events:
        word = WORDS.get(event.object)
        action = ACTIONS[version][event.kind]
        if word is None or not _wanted(o, word, action):
            continue
        body = (
            _v2(target, event, word, action)
            if version == "2.0"
            else _v1(target, event, word, action)
        )
        out.append(OutboundRequest("POST", target.url, headers, orjson.dumps(body)))
    return out


def _meta(target: WebhookTarget, event: ChangeEvent) -> dict[str, Any]:
    o = target.options
    return {
        "company_id": str(o.get("company_id")),
        "user_id": str(o.get("user_id")),
        "webhook_id": str(o.get("webhook_id")),
        "host": o.get("host"),
        "change_source": "api" if event.source == "api" else "app",
    }


def _v2(target: WebhookTarget, event: ChangeEvent, word: str, action: str) -> dict[str, Any]:
    at = event.occurred_ms
    current = None if event.kind == "deleted" else _record(event, event.fields, v2=True)
    previous = None
    if event.previous is not None:
        previous = (
            {k: event.previous.get(k) for k in event.changed}
            if event.kind == "updated"
            else (_record(event, event.previous, v2=True))
        )
    meta = {
        "action": action,
        "entity": word,
        "entity_id": event.record_id,
        "id": str(uuid.uuid4()),
        "correlation_id": str(uuid.uuid4()),
        "timestamp": v2_time(at),
        "type": "general",
        "version": "2.0",
        "attempt": 1,
        "is_bulk_edit": False,
        **_meta(target, event),
    }
    return {"data": current, "previous": previous, "meta": meta}


def _v1(target: WebhookTarget, event: ChangeEvent, word: str, action: str) -> dict[str, Any]:
    current = None if event.kind == "deleted" else _record(event, event.fields, v2=False)
    previous = _record(event, event.previous, v2=False) if event.previous is not None else None
    meta = {
        "action": action,
        "object": word,
        "id": event.record_id,
        "timestamp": event.occurred_ms // 1000,
        "timestamp_micro": event.occurred_ms * 1000,
        "is_bulk_update": False,
        "v": 1,
        **_meta(target, event),
    }
    return {
        "v": 1,
        "matches_filters": {"current": []},
        "meta": meta,
        "current": current,
        "previous": previous,
        "event": f"{action}.{word}",
        "retry": 0,
    }


def _record(event: ChangeEvent, fields: Any, *, v2: bool) -> dict[str, Any] | None:
    """The object in the webhook's version; webhooks know no creation time, so add_time
    carries the change's time."""
    if event.object not in ("persons", "organizations", "deals", "activities", "products"):
        return {"id": event.record_id, **dict(fields)}
    at, deleted = event.occurred_ms, event.kind == "deleted"
    render = render_v2 if v2 else render_v1
    return render(event.object, event.record_id, dict(fields), at, at, deleted=deleted)
