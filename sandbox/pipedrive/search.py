"""API v2 search: `GET /api/v2/{persons,organizations,deals,products}/search`.

As Pipedrive documents it: `term` (at least 2 characters, or 1 with `exact_match`),
`fields` (a comma list of the object's searchable fields; custom fields of text types
are searched as `custom_fields`), `exact_match`, `limit` (at most 500) and `cursor`.
The answer is `{"success": true, "data": {"items": [{"result_score", "item": {...}}]},
"additional_data": {"next_cursor"}}`, each item a short form of the record with the
matched custom-field values in `custom_fields`. Records are scanned whole (the sandbox
has no search index), which is fine at the scales the tests and the demo use.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from sandbox.core import Call, Entry, json_response
from sandbox.pipedrive.errors import invalid, not_found
from sandbox.pipedrive.render import v2_time

SEARCHABLE = {
    "persons": ("name", "email", "phone", "notes", "custom_fields"),
    "organizations": ("name", "address", "notes", "custom_fields"),
    "deals": ("title", "notes", "custom_fields"),
    "products": ("name", "code", "custom_fields"),
}
STORED = {"email": "emails", "phone": "phones"}
TEXT_TYPES = ("string", "text")
LIMIT = 500


async def search(call: Call) -> Response:
    obj = str(call.request.path_params["obj"])
    if obj not in SEARCHABLE:
        raise not_found("resource")
    params = call.request.query_params
    term = params.get("term", "").strip()
    exact = params.get("exact_match", "false").lower() == "true"
    if len(term) < (1 if exact else 2):
        raise invalid("Validation failed: term: String must contain at least 2 character(s)")
    allowed = SEARCHABLE[obj]
    fields = [f.strip() for f in params.get("fields", ",".join(allowed)).split(",") if f.strip()]
    unknown = [f for f in fields if f not in allowed]
    if unknown:
        raise invalid(f"Validation failed: fields: Invalid enum value '{unknown[0]}'")
    raw_limit = params.get("limit", "100")
    if not raw_limit.isascii() or not raw_limit.isdigit() or not 1 <= int(raw_limit) <= LIMIT:
        raise invalid(f"Validation failed: limit: Number must be between 1 and {LIMIT}")
    collection = call.collection(obj)
    customs = [f.name for f in collection.custom_fields if f.type in TEXT_TYPES]
    wanted = term.lower()
    items = []
    for entry in collection.scan():  # deleted records are not found
        matched = _matches(entry, fields, customs, wanted, exact)
        if matched is None:
            continue
        items.append({"result_score": 1.0 if exact else 0.5, "item": _item(obj, entry, matched)})
        if len(items) == int(raw_limit):
            break
    call.served(len(items))
    return json_response(
        {"success": True, "data": {"items": items}, "additional_data": {"next_cursor": None}}
    )


def _matches(
    entry: Entry, fields: list[str], customs: list[str], term: str, exact: bool
) -> list[str] | None:
    """The matched custom-field values ([] for a match elsewhere), or None: no match."""

    def hit(value: Any) -> bool:
        text = str(value).lower() if value is not None else ""
        return text == term if exact else term in text

    found: list[str] | None = None
    for name in fields:
        if name == "custom_fields":
            values = [entry.fields.get(key) for key in customs]
            matched = [str(v) for v in values if hit(v)]
            if matched:
                found = [*(found or []), *matched]
            continue
        value = entry.fields.get(STORED.get(name, name))
        values = [v.get("value") if isinstance(v, dict) else v for v in value] if isinstance(
            value, list
        ) else [value]  # fmt: skip
        if any(hit(v) for v in values):
            found = found or []
    return found


def _item(obj: str, entry: Entry, custom_values: list[str]) -> dict[str, Any]:
    title = "title" if obj == "deals" else "name"
    return {
        "id": int(entry.id),
        "type": obj[:-1],
        title: entry.fields.get(title),
        "custom_fields": custom_values,
        "update_time": v2_time(entry.modified_ms),
    }
