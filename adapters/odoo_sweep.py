"""Odoo's deletion sweep: tombstones for records `unlink` removed without a trace.

`unlink` is a hard delete Odoo keeps no trace of, so after its pages each read
lists the model's live ids in ascending slices and reports every id missing between
the smallest and largest live one as deleted (a no-op for ids never synced). Kept
apart from the adapter's reads: it pages by its own resume position
(`{"sweep": True, "after_id": ...}`) and its own sizes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from adapters.base import RemotePage, RemoteRecord
from adapters.spec import EntitySpec

if TYPE_CHECKING:
    from adapters.odoo import OdooAdapter

SWEEP_SLICE = 50_000  # ids per read of the deletion sweep
SWEEP_PAGE = 2_000  # tombstones per page handed to the engine


def sweep(adapter: OdooAdapter, spec: EntitySpec, *, after: int) -> Iterator[RemotePage]:
    """Tombstones for ids Odoo no longer has (unlinked), between the live ones.

    Streamed: ids are read a slice at a time and tombstones go out in pages of at
    most SWEEP_PAGE, so memory stays flat however many records the model holds."""
    previous: int | None = after or None
    gone: list[RemoteRecord] = []
    while True:
        ids = adapter.orm.live_ids(spec.vendor_object, after=previous or 0, limit=SWEEP_SLICE)
        for current in ids:
            if previous is not None:
                for missing in range(previous + 1, current):
                    gone.append(RemoteRecord(str(missing), {}, deleted=True))
                    if len(gone) >= SWEEP_PAGE:
                        yield RemotePage(gone, resume={"sweep": True, "after_id": missing})
                        gone = []
            previous = current
        if len(ids) < SWEEP_SLICE:
            yield RemotePage(gone, resume=None)
            return
