"""HubSpot search reads: a keyset paginator inside a fixed modified-time window.

Kept apart from the adapter because it is the one subtle part of reading HubSpot:
search pages by `hs_object_id GT <last id>` (never by `after` offsets, which the
10,000-result cap refuses and which shift when a record is edited mid-read).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from adapters.convert import read_datetime
from adapters.paging import PageRequest, Paginator
from adapters.paths import dig
from adapters.payload import Reply
from adapters.spec import EntitySpec


def to_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


class KeysetPaginator(Paginator):
    """Search pages by `hs_object_id GT <last id>` inside a fixed modified-time window.

    >>> KeysetPaginator(modified="lastmodifieddate", since_ms=1714521600000,
    ...                 until_ms=1714608000000)  # resume: {"after_id": "40101"}
    """

    def __init__(self, *, modified: str, since_ms: int | None, until_ms: int) -> None:
        super().__init__()
        self.modified, self.since_ms, self.until_ms = modified, since_ms, until_ms

    def _next_state(self, reply: Reply, records: Sequence[Any]) -> dict[str, Any] | None:
        if not dig(reply.body, "paging.next") or not records:
            return None
        return {"after_id": str(dig(records[-1], "id"))}

    def _apply(self, request: PageRequest) -> None:
        window = [{"propertyName": self.modified, "operator": "LTE", "value": str(self.until_ms)}]
        if self.since_ms is not None:
            window.append(
                {"propertyName": self.modified, "operator": "GTE", "value": str(self.since_ms)}
            )
        if "after_id" in self._state:
            window.append(
                {"propertyName": "hs_object_id", "operator": "GT", "value": self._state["after_id"]}
            )
        request.json = {
            **(request.json or {}),
            "filterGroups": [{"filters": window}],
            "sorts": [{"propertyName": "hs_object_id", "direction": "ASCENDING"}],
        }


def modified_property(spec: EntitySpec) -> str:
    return "lastmodifieddate" if spec.vendor_object == "contacts" else "hs_lastmodifieddate"


def archived_between(low_ms: int | None, high_ms: int) -> Callable[[Any], bool]:
    """Archived records inside the read's window (later ones come with the next read)."""

    def keep(item: Any) -> bool:
        archived, updated = dig(item, "archivedAt"), dig(item, "updatedAt")
        try:
            at = to_ms(read_datetime(archived)) if archived else None
            changed = to_ms(read_datetime(updated)) if updated else None
        except (ValueError, TypeError):
            return False
        if at is None or at > high_ms or (changed is not None and changed > high_ms):
            return False
        return low_ms is None or at >= low_ms

    return keep
