"""The hub's side of an id-range reconciliation: its stored ids in the vendor's id order
and the vendor's range count and listing, handed to the bisection (core.sync.bisection).

The stored ids are the split points; records that fail to map (open pull issues) count
as held, so a record the hub refuses is not "missing" on every run. Extra ids that the
hub does not store (a failing record the vendor no longer has) are dropped: there is
nothing to delete.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from adapters.base import Adapter
from core.models import Entity
from core.sync.bisection import Bound, Narrowed, call_bound, narrow_by_counts
from core.sync.context import RunContext

LOCAL_PREFIX = "local:"  # created in ToothPick, not yet known to the vendor
RANGE_LEAF = 200  # a range this small is listed: one page on every vendor that counts
CHECKPOINT_EVERY = 25  # vendor calls between two checkpoints (cancel, heartbeat)


class UnorderedIds(ValueError):
    """A stored id the vendor's id order cannot place (not a number where ids are)."""


def ranged(adapter: Adapter, entity: Entity) -> bool:
    """Whether the vendor counts an id range of this entity."""
    return adapter.id_order(entity) is not None


def bisection_pays(adapter: Adapter, entity: Entity, vendor: int, held: int) -> bool:
    """Whether narrowing a count difference by id-range counts costs fewer calls than
    the vendor's id listing (Salesforce's `SELECT Id` pages 2,000 ids a call: a listing
    wins once differences are many, Odoo's `search` answers every id in one call)."""
    page = adapter.id_listing_page(entity)
    if page <= 0:
        return True  # the alternative is reading every record
    listing = -(-max(vendor, held) // page)
    return call_bound(abs(vendor - held), held, RANGE_LEAF) < listing


def _sort_key(adapter: Adapter, entity: Entity) -> Callable[[str], Any]:
    return int if adapter.id_order(entity) == "number" else str


def narrow_entity(
    ctx: RunContext, entity: Entity, vendor_total: int, failing: set[str]
) -> Narrowed:
    adapter = ctx.adapter
    stored = {
        i
        for i in ctx.store.iter_external_ids(ctx.organisation_id, ctx.connection_id, entity)
        if not i.startswith(LOCAL_PREFIX)
    }
    try:
        held = sorted(stored | failing, key=_sort_key(adapter, entity))
    except ValueError as exc:
        raise UnorderedIds("a stored id is not in the vendor's id order") from exc
    calls = 0

    def pace() -> None:
        nonlocal calls
        calls += 1
        if calls % CHECKPOINT_EVERY == 0:
            ctx.checkpoint(entity, f"Reconciling {entity.value}: {calls:,} range calls")

    def count(lo: Bound, hi: Bound) -> int:
        pace()
        return adapter.count_range(entity, lo, hi)

    def listing(lo: Bound, hi: Bound) -> list[str]:
        pace()
        return adapter.list_range(entity, lo, hi)

    found = narrow_by_counts(held, vendor_total, count, listing, leaf=RANGE_LEAF)
    found.extra = [i for i in found.extra if i in stored]
    return found
