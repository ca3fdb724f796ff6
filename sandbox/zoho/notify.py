"""Zoho notifications: `/crm/v2/actions/watch` channels and the calls Zoho makes.

A channel names events such as "Contacts.create", "Deals.edit",
"Accounts.delete" or "Contacts.all", a `notify_url` and an optional `token`
(at most 50 characters). Zoho signs nothing: every callback echoes the
channel's `token` and `channel_id`, which is how a receiver recognises it.
Channels expire after one day at most (an hour by default) in v2.
Subscribing through the control API works too (`events`, and `options`
{"channel_id", "token"}).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import orjson
from starlette.responses import Response

from sandbox.core import BodyError, Call, ChangeEvent, OutboundRequest, WebhookTarget, json_response
from sandbox.core.clock import now_ms
from sandbox.zoho.errors import fail
from sandbox.zoho.render import parse_zoho_time, zoho_time
from sandbox.zoho.schema import BY_NAME

OPERATIONS = {
    "created": ("create", "insert"),
    "updated": ("edit", "update"),
    "deleted": ("delete", "delete"),
}
MAX_EXPIRY_MS = 86_400_000
DEFAULT_EXPIRY_MS = 3_600_000


def _refuse(message: str, index: int, name: str) -> Any:
    return fail(
        400, "INVALID_DATA", message, {"api_name": name, "json_path": f"$.watch[{index}].{name}"}
    )


async def watch(call: Call) -> Response:
    hooks, tenant = call.sandbox.webhooks, call.tenant
    mine = {str(t.options.get("channel_id")): t for t in hooks.targets("zoho", tenant.name)}
    offset = str(tenant.config.settings["tz"])
    if call.request.method == "GET":
        listed = [
            {
                "channel_id": t.options.get("channel_id"),
                "events": list(t.events),
                "channel_expiry": zoho_time(int(t.options["expiry_ms"]), offset),
                "notify_url": t.url,
                "token": t.options.get("token"),
            }
            for t in mine.values()
        ]
        return json_response({"watch": listed}) if listed else Response(status_code=204)
    if call.request.method == "DELETE":
        ids = [i for i in call.request.query_params.get("channel_ids", "").split(",") if i]
        if not ids:
            raise fail(
                400,
                "REQUIRED_PARAM_MISSING",
                "One of the expected parameter is missing",
                {"param_name": "channel_ids"},
            )
        results = []
        for channel in ids:
            target = mine.get(channel)
            if target is not None:
                hooks.unsubscribe(target.id)
            results.append(
                {
                    "code": "SUCCESS",
                    "details": {"events": [{"channel_id": channel}]},
                    "message": "Successfully unsubscribed from actions-watch",
                    "status": "success",
                }
            )
        return json_response({"watch": results})
    try:
        body = await call.json()
    except BodyError:
        raise fail(400, "INVALID_DATA", "body") from None
    items = body.get("watch") if isinstance(body, dict) else None
    if not isinstance(items, list) or not items:
        raise fail(
            400,
            "REQUIRED_PARAM_MISSING",
            "One of the expected parameter is missing",
            {"param_name": "watch"},
        )
    results = []
    for i, item in enumerate(items):
        channel, events, url = item.get("channel_id"), item.get("events"), item.get("notify_url")
        if channel is None:
            raise _refuse("required field not found", i, "channel_id")
        if not isinstance(events, list) or not events or not all(_known(e) for e in events):
            raise _refuse("invalid data", i, "events")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise _refuse("invalid data", i, "notify_url")
        token = item.get("token")
        if token is not None and (not isinstance(token, str) or len(token) > 50):
            raise _refuse("invalid data", i, "token")
        now = now_ms()
        expiry = now + DEFAULT_EXPIRY_MS
        if item.get("channel_expiry"):
            expiry = min(parse_zoho_time(str(item["channel_expiry"])), now + MAX_EXPIRY_MS)
        old = mine.get(str(channel))
        if old is not None:
            hooks.unsubscribe(old.id)
        hooks.subscribe(
            "zoho",
            tenant.name,
            url,
            events=tuple(events),
            options={
                "channel_id": channel,
                "token": token,
                "expiry_ms": expiry,
                "return_affected_field_values": bool(item.get("return_affected_field_values")),
            },
        )
        resource = call.sandbox.urls.http + "/crm/v2/"
        described = [
            {
                "channel_expiry": zoho_time(expiry, offset),
                "resource_uri": resource + e.split(".")[0],
                "resource_id": str(e.split(".")[0]),
                "resource_name": e.split(".")[0],
                "channel_id": channel,
            }
            for e in events
        ]
        results.append(
            {
                "code": "SUCCESS",
                "details": {"events": described},
                "message": "Successfully subscribed for actions-watch of the given module",
                "status": "success",
            }
        )
    return json_response({"watch": results})


def _known(event: Any) -> bool:
    module, _, action = str(event).partition(".")
    return module in BY_NAME and action in ("create", "edit", "delete", "all")


def _wanted(target: WebhookTarget, event: ChangeEvent) -> bool:
    action = OPERATIONS[event.kind][0]
    names = set(target.events) or {f"{event.object}.all"}
    return f"{event.object}.{action}" in names or f"{event.object}.all" in names


def notifications(
    target: WebhookTarget, events: list[ChangeEvent], base_url: str
) -> list[OutboundRequest]:
    """One call per (module, operation) with the ids that changed, as Zoho batches them."""
    expiry = target.options.get("expiry_ms")
    if expiry is not None and int(expiry) < now_ms():
        return []
    grouped: dict[tuple[str, str], list[ChangeEvent]] = defaultdict(list)
    for event in events:
        if event.object in BY_NAME and _wanted(target, event):
            grouped[(event.object, OPERATIONS[event.kind][1])].append(event)
    calls = []
    for (module, operation), batch in grouped.items():
        body: dict[str, Any] = {
            "server_time": max(e.occurred_ms for e in batch),
            "query_params": {},
            "module": module,
            "resource_uri": f"{base_url}/crm/v2/{module}",
            "ids": [e.record_id for e in batch],
            "affected_fields": [
                {e.record_id: list(e.changed)} for e in batch if operation == "update"
            ],
            "operation": operation,
            "channel_id": target.options.get("channel_id"),
            "token": target.options.get("token"),
        }
        calls.append(
            OutboundRequest(
                "POST", target.url, {"Content-Type": "application/json"}, orjson.dumps(body)
            )
        )
    return calls
