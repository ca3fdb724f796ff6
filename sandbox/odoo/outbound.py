"""Automated actions with "Send Webhook Notification": what Odoo POSTs, per record.

Odoo 17+ (base.automation + ir.actions.server, state "webhook") posts one JSON
object per record and trigger, `json.dumps(vals, sort_keys=True, default=str)`
with `_model`, `_id` and `_action` ("<action name>(#<id>)") plus the selected
fields read with `load=None` (a many2one is its bare id). Nothing is signed:
receivers are told apart by URL. The trigger is `on_create`, `on_write`,
`on_create_or_write` or `on_unlink` (read before deletion, so the values are
there). A subscription's options say which:

    {"model": "res.partner", "trigger": "on_create_or_write",
     "fields": ["name", "email"], "trigger_fields": ["email"],
     "action_name": "Notify ToothPick", "action_id": 12}

Odoo sends once with a 1 s timeout and never retries; the sandbox core retries
failed deliveries a few times, which a receiver must tolerate anyway.
"""

from __future__ import annotations

import json
from typing import Any

from sandbox.core import ChangeEvent, OutboundRequest, WebhookTarget
from sandbox.odoo.values import iso_to_odoo, ms_text

_TRIGGERS = {
    "created": ("on_create", "on_create_or_write"),
    "updated": ("on_write", "on_create_or_write"),
    "deleted": ("on_unlink",),
}


def fires(target: WebhookTarget, event: ChangeEvent) -> bool:
    options = target.options
    model = options.get("model")
    if model and model != event.object:
        return False
    triggers = set(target.events) or {str(options.get("trigger") or "")} - {""}
    if triggers and not triggers & set(_TRIGGERS[event.kind]):
        return False
    watched = options.get("trigger_fields")
    return not (event.kind == "updated" and watched and not set(watched) & set(event.changed))


def payload(target: WebhookTarget, event: ChangeEvent) -> dict[str, Any]:
    options = target.options
    name = str(options.get("action_name") or "Send Webhook Notification")
    values: dict[str, Any] = {
        "_model": event.object,
        "_id": int(event.record_id) if event.record_id.isdigit() else event.record_id,
        "_action": f"{name}(#{int(options.get('action_id') or 1)})",
    }
    fields = event.previous if event.kind == "deleted" and event.previous else event.fields
    for field in options.get("fields") or ():
        if field == "id":
            values["id"] = values["_id"]
        elif field == "write_date":
            values["write_date"] = ms_text(event.occurred_ms)
        else:
            values[field] = _plain(fields.get(field))  # an unset field reads as False
    return values


def _plain(value: Any) -> Any:
    if value is None:
        return False
    if isinstance(value, str) and "T" in value and value[:4].isdigit() and len(value) >= 19:
        return iso_to_odoo(value)
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return [int(item.get("id", 0)) for item in value]  # a one2many reads as its ids
    return value


def webhook_requests(target: WebhookTarget, events: list[ChangeEvent]) -> list[OutboundRequest]:
    return [
        OutboundRequest(
            "POST",
            target.url,
            {"Content-Type": "application/json"},
            json.dumps(payload(target, event), sort_keys=True, default=str).encode(),
        )
        for event in events
        if fires(target, event)
    ]
