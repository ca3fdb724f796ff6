"""API v1 where v2 has no endpoint: leads, notes, recents, the deals summary and webhooks.

v1 pages with `start`/`limit` (at most 500) and answers
`additional_data.pagination = {start, limit, more_items_in_collection,
next_start}`. Recents lists everything changed since a UTC
"YYYY-MM-DD HH:MM:SS", deleted items included (their `active_flag` false),
which is how an integration learns of deleted persons and organizations.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import islice
from typing import Any

from starlette.responses import Response

from sandbox.core import BodyError, Call, Entry, json_response
from sandbox.pipedrive.errors import fail, invalid, not_found
from sandbox.pipedrive.render import render_lead, render_v1, v1_time
from sandbox.pipedrive.validate import validate

RECENT_ITEMS = {
    "person": "persons",
    "organization": "organizations",
    "deal": "deals",
    "activity": "activities",
    "product": "products",
    "note": "notes",
    "user": "users",
}


def _page(call: Call) -> tuple[int, int]:
    params = call.request.query_params
    try:
        start, limit = int(params.get("start", "0")), int(params.get("limit", "100"))
    except ValueError:
        raise fail(400, "start and limit must be integers") from None
    if start < 0 or not 1 <= limit <= 500:
        raise fail(400, "Limit must be between 1 and 500")
    return start, limit


def _pagination(start: int, limit: int, more: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"start": start, "limit": limit, "more_items_in_collection": more}
    if more:
        out["next_start"] = start + limit
    return out


def _render(call: Call, obj: str, entry: Entry) -> dict[str, Any]:
    if obj == "leads":
        return render_lead(entry.id, entry.fields, entry.created_ms, entry.modified_ms)
    company = int(call.tenant.config.settings["company_id"])
    return render_v1(
        obj,
        entry.id,
        entry.fields,
        entry.created_ms,
        entry.modified_ms,
        deleted=entry.deleted,
        company_id=company,
    )


async def recents(call: Call) -> Response:
    params = call.request.query_params
    raw = params.get("since_timestamp")
    if not raw:
        raise fail(400, "Parameter since_timestamp is required")
    try:
        since = int(
            datetime.strptime(raw, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC).timestamp() * 1000
        )
    except ValueError:
        raise fail(400, "since_timestamp must be in YYYY-MM-DD HH:MM:SS format") from None
    wanted = [
        i.strip() for i in params.get("items", ",".join(RECENT_ITEMS)).split(",") if i.strip()
    ]
    unknown = [i for i in wanted if i not in RECENT_ITEMS]
    if unknown:
        raise fail(400, f"Unknown item type: {unknown[0]}")
    start, limit = _page(call)
    streams = [_recent(call, item, since) for item in wanted]
    merged: Iterator[tuple[int, str, int, Entry]] = heapq.merge(*streams, key=lambda t: t[:3])
    chunk = list(islice(merged, start, start + limit + 1))
    more, chunk = len(chunk) > limit, chunk[:limit]
    data = [
        {"item": item, "id": int(e.id), "data": _render(call, RECENT_ITEMS[item], e)}
        for _, item, _, e in chunk
    ]
    last = v1_time(chunk[-1][0]) if chunk else None
    extra = {
        "since_timestamp": raw,
        "last_timestamp_on_page": last,
        "pagination": _pagination(start, limit, more),
    }
    return json_response({"success": True, "data": data, "additional_data": extra})


def _recent(call: Call, item: str, since: int) -> Iterator[tuple[int, str, int, Entry]]:
    """One item type's changes, each labelled with its own type (a function, so that the
    label is bound per stream and not to the last type of the caller's loop)."""
    entries = call.collection(RECENT_ITEMS[item]).scan(
        order="modified", since_ms=since, include_deleted=True
    )
    return ((e.modified_ms, item, e.index, e) for e in entries)


def _object(call: Call) -> str:
    return "leads" if "/leads" in call.request.url.path else "notes"


async def collection(call: Call) -> Response:
    """GET /leads, /notes (paged); POST creates."""
    obj = _object(call)
    if call.request.method == "POST":
        fields = validate(call.tenant, obj, await _body(call), current=None)
        entry = call.tenant.create(obj, fields)
        return json_response({"success": True, "data": _render(call, obj, entry)}, 201)
    start, limit = _page(call)
    entries = call.collection(obj).scan()
    if obj == "leads":
        archived = call.request.query_params.get("archived_status", "not_archived")
        if archived != "all":
            entries = (
                e for e in entries if bool(e.fields.get("is_archived")) == (archived == "archived")
            )
    chunk = list(islice(entries, start, start + limit + 1))
    more, chunk = len(chunk) > limit, chunk[:limit]
    call.served(len(chunk))
    return json_response(
        {
            "success": True,
            "data": [_render(call, obj, e) for e in chunk],
            "additional_data": {"pagination": _pagination(start, limit, more)},
        }
    )


async def item(call: Call) -> Response:
    """GET, PATCH (leads) / PUT (notes), DELETE of one lead or note."""
    obj = _object(call)
    record_id = str(call.request.path_params["record_id"])
    entry = call.collection(obj).get(record_id)
    if entry is None:
        raise not_found(obj[:-1])
    method = call.request.method
    if method == "DELETE":
        call.tenant.delete(obj, entry.id)
        return json_response(
            {"success": True, "data": {"id": int(entry.id) if entry.id.isdigit() else entry.id}}
        )
    if method in ("PATCH", "PUT"):
        if (method == "PATCH") != (obj == "leads"):
            raise fail(405, f"Method {method} not allowed")
        fields = validate(call.tenant, obj, await _body(call), current=dict(entry.fields))
        entry = call.tenant.update(obj, entry.id, fields)
    call.served(1)
    return json_response({"success": True, "data": _render(call, obj, entry)})


async def _body(call: Call) -> Any:
    try:
        return await call.json()
    except BodyError:
        raise invalid("Invalid JSON body") from None


async def deals_summary(call: Call) -> Response:
    """GET /v1/deals/summary: the deals' count and values (by currency), of one `status`
    (open, won, lost) or of all deals not deleted."""
    status = call.request.query_params.get("status")
    if status not in (None, "open", "won", "lost"):
        raise fail(400, "status must be one of open, won, lost")
    deals = [
        e
        for e in call.collection("deals").scan()
        if status is None or e.fields.get("status") == status
    ]
    values: dict[str, dict[str, float | int]] = {}
    for deal in deals:
        currency = str(deal.fields.get("currency") or "USD")
        slot = values.setdefault(currency, {"value": 0, "count": 0})
        slot["value"] += float(deal.fields.get("value") or 0)
        slot["count"] += 1
    total = sum(float(v["value"]) for v in values.values())
    data = {
        "values_total": values,
        "weighted_values_total": values,
        "total_count": len(deals),
        "total_currency_converted_value": total,
        "total_weighted_currency_converted_value": total,
    }
    return json_response({"success": True, "data": data})
