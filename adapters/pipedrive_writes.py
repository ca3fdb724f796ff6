"""Pipedrive writes: one call per record (Pipedrive has no batch write), at the limiter's
pace, with creates made idempotent by a correlation key.

Every create writes the hub's `local:` id into the connection's correlation field (a
text custom field, by default named "ToothPick id", found by name in the object's
fields API). When a create may have reached Pipedrive before (`maybe_sent`: the run
was taken over, or an earlier push of the record failed), the key is looked up first
(`GET /api/v2/{object}/search?term=<key>&fields=custom_fields&exact_match=true`); a
record found is updated and adopted instead of created a second time. Activities have
no search endpoint: the activities list (`GET /api/v2/activities`) is read instead,
narrowed to the deal, person or organisation the activity is linked to where it has
one, newest first (`sort_by=add_time&sort_direction=desc`), for at most
ACTIVITY_PAGES pages of 500, and its correlation field matched: an activity made before
the interruption is among the newest unless thousands were added since. An object
without the field refuses creates in one line naming the setting; clearing the setting
creates without it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from adapters.base import OutboundRecord, WriteResult
from adapters.base_adapter import _is_record_level
from adapters.mapping import FieldMap
from adapters.pipedrive_maps import LIMIT
from adapters.spec import EntitySpec
from core.errors import RecordError, VendorError

if TYPE_CHECKING:
    from adapters.pipedrive import PipedriveAdapter

DEFAULT_CORRELATION = "ToothPick id"
SEARCHABLE = frozenset({"persons", "organizations", "deals", "products"})
ACTIVITY_LINKS = ("deal_id", "person_id", "org_id")  # narrowest first
ACTIVITY_PAGES = 4


def write_each(
    adapter: PipedriveAdapter,
    spec: EntitySpec,
    fields: FieldMap,
    records: Sequence[OutboundRecord],
) -> list[WriteResult]:
    label = str(adapter.config.get("correlation_field", DEFAULT_CORRELATION) or "").strip()
    out = []
    for record in records:
        if not record.creating:
            out.append(adapter._write_one(spec, fields, record))
            continue
        try:
            out.append(_create(adapter, spec, fields, record, label))
        except RecordError as exc:
            out.append(WriteResult(record.external_id, error=str(exc)))
        except VendorError as exc:
            if not _is_record_level(exc):
                raise
            out.append(WriteResult(record.external_id, error=str(exc)))
    return out


def _create(
    adapter: PipedriveAdapter,
    spec: EntitySpec,
    fields: FieldMap,
    record: OutboundRecord,
    label: str,
) -> WriteResult:
    payload = fields.to_vendor(record.data, creating=True)
    code = correlation_code(adapter, spec, label) if label else None
    if label and code is None:
        return WriteResult(
            record.external_id,
            error=f"Pipedrive {spec.vendor_object} have no text custom field named {label!r}: "
            "add one, or clear 'Correlation field' (correlation_field) in the connection settings",
        )
    if code and record.external_id:
        custom = payload.get("custom_fields")
        payload["custom_fields"] = {
            **(custom if isinstance(custom, dict) else {}),
            code: record.external_id,
        }
        if record.maybe_sent:
            found = find_by_key(adapter, spec, record.external_id, code, payload)
            if found is not None:  # made before the interruption: adopt it
                updated = adapter.update(spec, found, payload)
                return WriteResult(record.external_id, found, updated_at=updated)
    new_id, updated = adapter.create(spec, payload)
    return WriteResult(record.external_id, new_external_id=new_id, updated_at=updated)


def correlation_code(adapter: PipedriveAdapter, spec: EntitySpec, label: str) -> str | None:
    """The custom field's key (40 hex characters) from the fields API, cached per object."""
    cache: dict[str, str | None] = adapter.correlation_codes
    if spec.vendor_object not in cache:
        wanted = label.casefold()
        cache[spec.vendor_object] = next(
            (
                f.name.removeprefix("custom_fields.")
                for f in adapter.custom_fields(spec)
                if f.label.casefold() == wanted
            ),
            None,
        )
    return cache[spec.vendor_object]


def find_by_key(
    adapter: PipedriveAdapter, spec: EntitySpec, key: str, code: str, payload: dict[str, Any]
) -> str | None:
    if spec.vendor_object not in SEARCHABLE:
        return _find_activity(adapter, spec, key, code, payload)
    params: dict[str, Any] = {
        "term": key,
        "fields": "custom_fields",
        "exact_match": "true",
        "limit": 2,
    }
    reply = adapter.session.request_json("GET", f"{spec.endpoint}/search", params=params)
    data = reply.body.get("data") if isinstance(reply.body, dict) else None
    items = data.get("items") if isinstance(data, dict) else None
    for found in items or []:
        item = found.get("item") if isinstance(found, dict) else None
        if isinstance(item, dict) and key in (item.get("custom_fields") or []):
            return str(item["id"])
    return None


def _find_activity(
    adapter: PipedriveAdapter, spec: EntitySpec, key: str, code: str, payload: dict[str, Any]
) -> str | None:
    params: dict[str, Any] = {"sort_by": "add_time", "sort_direction": "desc", "limit": LIMIT}
    link = next((name for name in ACTIVITY_LINKS if payload.get(name) is not None), None)
    if link:
        params[link] = payload[link]
    for _page in range(ACTIVITY_PAGES):
        body = adapter.session.request_json("GET", spec.endpoint, params=params).body
        body = body if isinstance(body, dict) else {}
        for item in body.get("data") or []:
            custom = item.get("custom_fields") if isinstance(item, dict) else None
            if isinstance(custom, dict) and custom.get(code) == key:
                return str(item["id"])
        cursor = (body.get("additional_data") or {}).get("next_cursor")
        if not cursor:
            break
        params["cursor"] = cursor
    return None
