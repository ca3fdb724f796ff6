"""A dry run's report lines with their values: each field, its value now and the
value a real run would write, kept short so a report of many records stays small."""

from __future__ import annotations

import json
from typing import Any

from core.models import FieldChange

MAX_VALUE_CHARS = 300

# What each conflict decision would do, in the words the report shows.
POLICY_WORDS = {
    "take_remote": "the vendor's later change wins",
    "keep_local": "ToothPick's later change wins and is pushed",
    "conflict": "held for review on the Conflicts page",
    "hold_delete": "deletion held for approval",
    "skip": "skipped: neither side is touched",
}


def _short(value: Any) -> Any:
    if isinstance(value, dict | list):
        text = json.dumps(value, ensure_ascii=False, default=str)
        return value if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"
    if isinstance(value, str) and len(value) > MAX_VALUE_CHARS:
        return value[: MAX_VALUE_CHARS - 1] + "…"
    return value


def field_changes(
    current: dict[str, Any] | None, new: dict[str, Any] | None, fields: list[str]
) -> list[FieldChange]:
    """`fields` of a record, from `current` (None: it does not exist yet) to `new`."""
    before, after = current or {}, new or {}
    return [
        FieldChange(field=name, current=_short(before.get(name)), new=_short(after.get(name)))
        for name in fields
    ]
