"""Records as Pipedrive's API v2 and v1 write them.

v2: integer ids and references, RFC 3339 UTC times ("2024-01-05T10:20:00Z"),
`is_deleted`, and custom fields under `custom_fields` by their 40-character
keys. v1: "YYYY-MM-DD HH:MM:SS" times, `active_flag` (deals: `active` and
`deleted`), emails/phones as `email`/`phone`, custom fields at the top level.
Leads (a v1 API) have UUIDs and ISO times with milliseconds. The functions
take plain values so that tests can render the sandbox's truth exactly as the
API would.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sandbox.core.timefmt import formatter
from sandbox.pipedrive.objects import OBJECTS

STANDARD = {name: tuple(f.name for f in fields) for name, fields, *_ in OBJECTS}
REFERENCES = {
    name: frozenset(f.name for f in fields if f.type == "reference" and f.reference_to != "leads")
    for name, fields, *_ in OBJECTS
}
V1_RENAMES = {"persons": {"emails": "email", "phones": "phone"}, "deals": {"owner_id": "user_id"}}


v2_time = formatter(millis=False)  # 2024-01-05T10:20:00Z
v1_time = formatter(separator=" ", millis=False, suffix="")  # 2024-01-05 10:20:00
lead_time = formatter()  # 2024-01-05T10:20:00.123Z


def _ref(value: Any) -> Any:
    return int(value) if isinstance(value, str) and value.isdigit() else value


def render_v2(
    obj: str,
    record_id: str,
    fields: Mapping[str, Any],
    created_ms: int,
    modified_ms: int,
    *,
    deleted: bool = False,
) -> dict[str, Any]:
    refs = REFERENCES[obj]
    out: dict[str, Any] = {"id": int(record_id)}
    custom: dict[str, Any] = {}
    for key, value in fields.items():
        if len(key) == 40:  # a custom field's hash key
            custom[key] = value
        else:
            out[key] = _ref(value) if key in refs else value
    out["add_time"] = v2_time(created_ms)
    out["update_time"] = v2_time(modified_ms)
    out["is_deleted"] = deleted
    if obj == "persons":
        out["picture_id"] = None
    out["custom_fields"] = custom
    return out


def render_v1(
    obj: str,
    record_id: str,
    fields: Mapping[str, Any],
    created_ms: int,
    modified_ms: int,
    *,
    deleted: bool = False,
    company_id: int = 0,
) -> dict[str, Any]:
    """An object in v1's shape (recents, v1 webhooks, notes)."""
    refs, renames = REFERENCES[obj], V1_RENAMES.get(obj, {})
    out: dict[str, Any] = {"id": _ref(record_id)}
    if company_id:
        out["company_id"] = company_id
    for key, value in fields.items():
        out[renames.get(key, key)] = _ref(value) if key in refs else value
    out["add_time"] = v1_time(created_ms)
    out["update_time"] = v1_time(modified_ms)
    if obj == "deals":
        out["active"], out["deleted"] = not deleted, deleted
    else:
        out["active_flag"] = not deleted
    if "visible_to" in out:
        out["visible_to"] = str(out["visible_to"])
    return out


def render_lead(
    record_id: str, fields: Mapping[str, Any], created_ms: int, modified_ms: int
) -> dict[str, Any]:
    out: dict[str, Any] = {"id": record_id}
    for key, value in fields.items():
        out[key] = _ref(value) if key in REFERENCES["leads"] else value
    out.update(
        creator_id=out.get("owner_id"),
        origin="API",
        channel=None,
        next_activity_id=None,
        add_time=lead_time(created_ms),
        update_time=lead_time(modified_ms),
        visible_to="3",
    )
    return out
