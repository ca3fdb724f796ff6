"""Keyset paging by id inside a fixed write_date window: how the Odoo adapter pages.

The position is the last id read and the window's upper edge (`until`, set by
the adapter before the first page and kept for the whole read, so a resumed run
reads the same window):

    >>> IdWindowPaginator()  # resume: {"after_id": 1500, "until": "2026-03-01 10:00:01"}

The page size is the request's `limit`; a short page is the last one. Why not
offset paging: see adapters/odoo.py.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from adapters.paging import PageRequest, Paginator
from adapters.payload import Reply
from core.errors import ToothpickError


class IdWindowPaginator(Paginator):
    def __init__(self) -> None:
        super().__init__()
        self._request: PageRequest | None = None

    def _apply(self, request: PageRequest) -> None:
        self._request = request
        for name in ("after_id", "until"):
            if name in self._state:
                request.params[name] = self._state[name]

    def _next_state(self, reply: Reply, records: Sequence[Any]) -> dict[str, Any] | None:
        request = self._request
        limit = int((request.json or {}).get("limit") or 0) if request else 0
        if not records or len(records) < limit:
            return None
        last = records[-1].get("id") if isinstance(records[-1], Mapping) else None
        if not isinstance(last, int):
            return None
        until = request.params.get("until") if request else None
        return {"after_id": last, "until": until}

    def _restore(self, resume: Mapping[str, Any]) -> dict[str, Any]:
        if "after_id" not in resume:
            raise ToothpickError(
                f"cannot resume from checkpoint {dict(resume)!r}: expected after_id"
            )
        return {"after_id": int(resume["after_id"]), "until": resume.get("until")}
