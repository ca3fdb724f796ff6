"""Odoo's pages fetched together (adapters.odoo_paging): the ids listed first and cut into
id windows read exactly what sequential keyset pages read, with the same checkpoints, and
a read resumed from any checkpoint (either way) reads exactly the rest."""

from __future__ import annotations

import threading
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.odoo_paging import IdWindowPaginator
from adapters.paging import PageRequest
from adapters.payload import Reply
from adapters.prefetch import fetch_pages

UNTIL = "2026-03-01 10:00:01"


class OdooVendor:
    """A model's ids in a fixed write_date window, `search` and `search_read` by id domain.
    `leaving` ids are edited (their write_date passes the window) once the ids are listed."""

    def __init__(
        self,
        ids: list[int],
        leaving: frozenset[int] = frozenset(),
        entering: frozenset[int] = frozenset(),
    ) -> None:
        self.ids, self.leaving, self.entering = sorted(ids), set(leaving), set(entering)
        self.listings = self.pages = 0
        self._lock = threading.Lock()

    def live(self) -> list[int]:
        if not self.listings:
            return self.ids
        return sorted({i for i in self.ids if i not in self.leaving} | self.entering)

    def search(self, request: PageRequest, slice_size: int) -> list[int]:
        request.params.setdefault("until", UNTIL)  # the adapter fixes the window first
        after = int(request.params.get("after_id") or 0)
        found = [i for i in self.live() if i > after][:slice_size]
        with self._lock:
            self.listings += 1
        return found

    def search_read(self, request: PageRequest) -> Reply:
        request.params.setdefault("until", UNTIL)
        after = int(request.params.get("after_id") or 0)
        upto = request.params.get("upto_id")
        rows = [{"id": i} for i in self.live() if i > after and (upto is None or i <= upto)]
        limit = (request.json or {}).get("limit")
        if limit:
            rows = rows[:limit]
        with self._lock:
            self.pages += 1
        return Reply(200, {}, rows, "sale.order")


def read(
    vendor: OdooVendor,
    *,
    width: int,
    limit: int,
    slice_size: int = 50_000,
    resume: dict[str, Any] | None = None,
) -> tuple[list[tuple[list[int], Any]], int | None]:
    """Each page's ids and checkpoint, and the read's listed total."""
    lister = None if width == 1 else vendor.search
    paginator = IdWindowPaginator(lister, slice_size=slice_size)
    request = PageRequest("POST", "sale.order", json={"limit": limit})
    paginator.init_request(request, resume)
    pages = [
        ([row["id"] for row in raw], paginator.resume)
        for _reply, raw in fetch_pages(
            paginator, request, vendor.search_read, lambda reply: reply.body, width=width
        )
    ]
    return pages, request.params.get("listed")


ids_strategy = st.lists(st.integers(1, 400), unique=True, max_size=60)


@settings(max_examples=60, deadline=None)
@given(
    ids=ids_strategy,
    limit=st.integers(1, 12),
    width=st.integers(2, 5),
    slice_size=st.integers(1, 80),
)
def test_id_windows_read_what_keyset_pages_read(
    ids: list[int], limit: int, width: int, slice_size: int
) -> None:
    sequential, _ = read(OdooVendor(ids), width=1, limit=limit)
    vendor = OdooVendor(ids)
    windows, listed = read(vendor, width=width, limit=limit, slice_size=slice_size)
    assert [i for page, _ in windows for i in page] == sorted(ids)
    # the same non-empty pages with the same checkpoints, but for the last: the sequential
    # read learns it is done from a short or empty page, the listing knew it already
    full, pages = [p for p in windows if p[0]], [p for p in sequential if p[0]]
    assert [ids for ids, _ in full] == [ids for ids, _ in pages]
    assert [at for _, at in full[:-1]] == [at for _, at in pages[:-1]]
    assert windows[-1][1] is None
    size = max(limit, slice_size // limit * limit)
    assert listed == (len(ids) if 0 < len(ids) < size else None)
    assert vendor.listings == len(ids) // size + 1


@settings(max_examples=60, deadline=None)
@given(
    ids=ids_strategy,
    data=st.data(),
    limit=st.integers(1, 12),
    width=st.integers(2, 5),
)
def test_records_leaving_mid_read_never_stop_or_shift_it(
    ids: list[int], data: st.DataObject, limit: int, width: int
) -> None:
    """Edited records leave the window (the next read brings them); every other record
    comes once, in order, even when a whole window empties."""
    leaving = set(data.draw(st.lists(st.sampled_from(ids), unique=True))) if ids else set()
    pages, _ = read(OdooVendor(ids, frozenset(leaving)), width=width, limit=limit)
    assert [i for page, _ in pages for i in page] == [i for i in sorted(ids) if i not in leaving]


@settings(max_examples=60, deadline=None)
@given(
    ids=ids_strategy,
    entering=st.sets(st.integers(1, 400), max_size=20),
    limit=st.integers(1, 12),
    width=st.integers(2, 5),
)
def test_records_entering_a_window_after_the_listing_are_read_too(
    ids: list[int], entering: set[int], limit: int, width: int
) -> None:
    """A record whose write_date moves into the read's window after the ids were listed
    (edited within the bound's margin, or into the entity's scope) lands inside a listed
    window: a full page short of its edge is followed by the rest of that window."""
    entering -= set(ids)
    vendor = OdooVendor(ids, entering=frozenset(entering))
    pages, _ = read(vendor, width=width, limit=limit)
    read_ids = [i for page, _ in pages for i in page]
    assert read_ids == sorted(set(read_ids))  # in order, none twice
    # the last window ends at the last listed id (nothing listed: plain keyset pages)
    inside = max(ids) if ids else 400
    assert set(read_ids) == set(ids) | {i for i in entering if i <= inside}


@settings(max_examples=40, deadline=None)
@given(
    ids=ids_strategy,
    data=st.data(),
    limit=st.integers(1, 12),
    width=st.integers(2, 5),
    resumed_width=st.sampled_from([1, 3]),
)
def test_a_read_resumed_from_any_checkpoint_reads_exactly_the_rest(
    ids: list[int], data: st.DataObject, limit: int, width: int, resumed_width: int
) -> None:
    pages, _ = read(OdooVendor(ids), width=width, limit=limit)
    stop = data.draw(st.integers(0, len(pages) - 1))
    done = [i for page, _ in pages[: stop + 1] for i in page]
    checkpoint = pages[stop][1]
    if checkpoint is None:
        assert done == sorted(ids)
        return
    assert "upto_id" not in checkpoint and checkpoint["until"] == UNTIL
    rest, _ = read(OdooVendor(ids), width=resumed_width, limit=limit, resume=checkpoint)
    assert done + [i for page, _ in rest for i in page] == sorted(ids)
