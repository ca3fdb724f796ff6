"""Keyset paging by id inside a fixed write_date window: how the Odoo adapter pages.

The position is the last id read and the window's upper edge (`until`, set by
the adapter before the first page and kept for the whole read, so a resumed run
reads the same window):

    >>> IdWindowPaginator()  # resume: {"after_id": 1500, "until": "2026-03-01 10:00:01"}

The page size is the request's `limit`; a short page is the last one. Why not
offset paging: see adapters/odoo.py.

Pages fetched together (`lister` given, adapters.prefetch): a keyset page's
position comes from the page before it, so the paginator first lists the ids the
read will return (Odoo's `search` over the same domain, ids only, up to `slice_size`
at a time) and cuts them into id windows of one page each, `(after_id, upto_id]`.
Every window's position is then known, and the windows are requested at once.
The resume position after a window is its upper edge, with `upto_id` dropped, so a
checkpoint is the same `{"after_id", "until"}` a sequential read saves and a killed
run resumes (sequentially or listing again) right after the last stored page.
Ids never move, so a record edited mid-read leaves its window (its write_date
passes `until`) and comes with the next read, as in a sequential read. A window
whose records all left is an empty page, not the end of the read. A window page
keeps the page size as its `limit` (so the vendor stops at the page, not at the
end of the table); one that comes back full short of its edge (records entered
the window since the listing) is followed by the rest of that window. The listing
replaces the first page's `search_count`: its length is the read's total
(`listed`, put on the read's request for the adapter's `reported_total`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from adapters.paging import PageRequest, Paginator
from adapters.payload import Reply
from core.errors import ToothpickError

# The ids of the read's next pages, ascending, at most the given number, from a request at
# the current position (which the lister may complete with the read's `until`).
Lister = Callable[[PageRequest, int], list[int]]
ID_SLICE = 50_000  # ids per listing: one call per 50 pages of 1,000, memory bounded


class IdWindowPaginator(Paginator):
    def __init__(self, lister: Lister | None = None, *, slice_size: int = ID_SLICE) -> None:
        super().__init__()
        self._request: PageRequest | None = None
        self._base: PageRequest | None = None
        self._lister, self._slice = lister, slice_size
        self._edges: list[int] = []  # upper edges of the listed windows, the current one first
        self._more = False  # the last listing filled its slice: ids may follow its last edge

    def init_request(self, request: PageRequest, resume: Mapping[str, Any] | None = None) -> None:
        self._base = request
        super().init_request(request, resume)

    @property
    def resume(self) -> dict[str, Any] | None:
        position = super().resume
        if position is not None:
            position.pop("upto_id", None)  # a checkpoint is the sequential read's position
        return position

    def _apply(self, request: PageRequest) -> None:
        self._request = request
        for name in ("after_id", "until"):
            if name in self._state:
                request.params[name] = self._state[name]
        if "upto_id" in self._state:
            request.params["upto_id"] = self._state["upto_id"]
        else:
            request.params.pop("upto_id", None)

    def request_at(self, request: PageRequest, position: Mapping[str, Any]) -> PageRequest:
        applied = self._request
        try:
            return super().request_at(request, position)
        finally:
            self._request = applied

    # --- windows of listed ids ---------------------------------------------------------------

    def ahead(self, n: int) -> list[dict[str, Any]] | None:
        if "upto_id" not in self._state and not self._plan():
            return None
        shared = {k: v for k, v in self._state.items() if k not in ("after_id", "upto_id")}
        lows = [self._state.get("after_id", 0), *self._edges]
        return [
            {**shared, "after_id": low, "upto_id": high}
            for low, high in zip(lows[:n], self._edges[:n], strict=False)
        ]

    def _plan(self) -> bool:
        """List the ids from the current position and cut them into windows; False (and
        sequential keyset pages from here on) when there is no lister or nothing listed."""
        if self._lister is None or self._base is None:
            return False
        limit = int((self._base.json or {}).get("limit") or 0)
        if limit < 1:
            return False
        size = max(limit, self._slice // limit * limit)  # whole pages: none cut at a slice
        listing = self.request_at(self._base, self._state)
        ids = self._lister(listing, size)
        if not ids:
            self._lister = None  # a listing that races the read: page sequentially from here
            return False
        if "until" in listing.params:
            self._state["until"] = listing.params["until"]
        self._more = len(ids) >= size
        if "after_id" not in self._state and not self._more:
            self._base.params["listed"] = len(ids)  # the whole read, listed in one call
        self._state.setdefault("after_id", 0)
        self._edges = [ids[min(i + limit, len(ids)) - 1] for i in range(0, len(ids), limit)]
        self._state["upto_id"] = self._edges[0]
        return True

    def update_state(self, reply: Reply, records: Sequence[Any]) -> None:
        if "upto_id" not in self._state:
            super().update_state(reply, records)
            return
        limit = int((self._base.json or {}).get("limit") or 0) if self._base else 0
        last = records[-1].get("id") if records and isinstance(records[-1], Mapping) else None
        if limit and len(records) >= limit and isinstance(last, int) and last < self._edges[0]:
            # a full page short of its edge: records entered the window since the listing,
            # so the rest of the window is read next (the windows after it stay as they are)
            self._state = {**self._state, "after_id": last}
            self._mark_requested()
            return
        edge = self._edges.pop(0)
        following = {k: v for k, v in self._state.items() if k != "upto_id"} | {"after_id": edge}
        if self._edges:
            following["upto_id"] = self._edges[0]
        elif not self._more:
            self.has_next_page = False
            return
        self._state = following
        self._mark_requested()

    # --- sequential keyset pages ---------------------------------------------------------------

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
