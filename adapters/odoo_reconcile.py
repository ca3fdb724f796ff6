"""The reconciliation's questions put to Odoo: counts, id listings and id ranges.

Reconciliation (core.sync.reconcile) compares what the hub holds with Odoo's live
records, so each question uses the entity's live scope (maps.SCOPES), not a read's
window: `search_count` for a count, `search` (ids only, every id in one call) for a
listing, both narrowed to `id >= lo, id < hi` for a range, Odoo ids being integers.
Kept apart from the adapter's reads, which page a write_date window by id.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from adapters import odoo_maps as maps
from core.errors import VendorError
from core.models import Entity

if TYPE_CHECKING:
    from adapters.odoo import OdooAdapter

ALL_IDS = 2**31  # ids one `search` call returns: all of them


def count(adapter: OdooAdapter, entity: Entity) -> int | None:
    """`search_count` over the entity's live scope: one call. Where the scope judges
    records (customers: archived ones are deleted in the hub) Odoo's default
    active_test leaves archived ones out; otherwise (products carry `active: false`
    as a field) they count too."""
    found = adapter.orm.call(
        adapter.spec(entity).vendor_object, "search_count", params=_range(entity, None, None)
    )
    return found if isinstance(found, int) and not isinstance(found, bool) else None


def id_listing(adapter: OdooAdapter, entity: Entity) -> Iterator[str] | None:
    """`search` over the same live scope as `count`: every id in one call."""
    params = _range(entity, None, None)
    found = adapter.orm.call(adapter.spec(entity).vendor_object, "search", params=params)
    return iter([str(i) for i in found] if isinstance(found, list) else [])


def count_range(adapter: OdooAdapter, entity: Entity, lo: str | None, hi: str | None) -> int:
    """`search_count` over the live scope and `id >= lo, id < hi`: one call."""
    found = adapter.orm.call(
        adapter.spec(entity).vendor_object, "search_count", params=_range(entity, lo, hi)
    )
    if not isinstance(found, int) or isinstance(found, bool):
        raise VendorError(f"Odoo answered search_count with {type(found).__name__}")
    return found


def list_range(adapter: OdooAdapter, entity: Entity, lo: str | None, hi: str | None) -> list[str]:
    """`search` over the same domain: the range's ids in one call."""
    params = {**_range(entity, lo, hi), "order": "id asc"}
    found = adapter.orm.call(adapter.spec(entity).vendor_object, "search", params=params)
    return [str(i) for i in found] if isinstance(found, list) else []


def _range(entity: Entity, lo: str | None, hi: str | None) -> dict[str, Any]:
    """The entity's live scope (core of every count and listing here), between the bounds
    given; archived records count where the scope does not judge them itself."""
    _fields, full_domain, scope, fixed = maps.SCOPES[entity]
    bounds = [["id", ">=", int(lo)]] if lo is not None else []
    bounds += [["id", "<", int(hi)]] if hi is not None else []
    params: dict[str, Any] = {"domain": [*fixed, *full_domain, *bounds]}
    if scope is None:
        params["context"] = {"active_test": False}
    return params
