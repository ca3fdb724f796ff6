"""The reconciliation's questions put to Salesforce: counts, id listings and id ranges.

Reconciliation (core.sync.reconcile) compares what the hub holds with the org's live
records, so these go through `query`, not `queryAll` (no soft-deleted rows): COUNT()
for a count, `SELECT Id` for a listing, 2,000 ids a locator page, each narrowed to
`Id >= lo AND Id < hi` for a range, since SOQL compares ids as text (as PK chunking
does). Kept apart from the adapter's reads, which page and resume differently.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from adapters.salesforce_maps import DEFAULT_BATCH
from adapters.salesforce_wide import soql_string
from core.errors import VendorError
from core.models import Entity

if TYPE_CHECKING:
    from adapters.salesforce import SalesforceAdapter


def count(adapter: SalesforceAdapter, entity: Entity) -> int | None:
    """SOQL COUNT(): one call, the live (not deleted) records."""
    spec = adapter.spec(entity)
    soql = f"SELECT COUNT() FROM {spec.vendor_object}"  # noqa: S608 (one of our objects)
    reply = adapter.session.request_json("GET", f"{adapter.data_path}/query", params={"q": soql})
    total = reply.body.get("totalSize") if isinstance(reply.body, dict) else None
    return int(total) if isinstance(total, int) else None


def id_listing(adapter: SalesforceAdapter, entity: Entity) -> Iterator[str] | None:
    """`SELECT Id` through `query` (live records only), 2,000 ids a locator page."""
    soql = f"SELECT Id FROM {adapter.spec(entity).vendor_object}"  # noqa: S608 (ours)
    return _ids(adapter, soql)


def count_range(adapter: SalesforceAdapter, entity: Entity, lo: str | None, hi: str | None) -> int:
    """`SELECT COUNT() ... WHERE Id >= lo AND Id < hi`: one call."""
    soql = f"SELECT COUNT() FROM {adapter.spec(entity).vendor_object}{_id_range(lo, hi)}"  # noqa: S608 (ours, quoted)
    reply = adapter.session.request_json("GET", f"{adapter.data_path}/query", params={"q": soql})
    total = reply.body.get("totalSize") if isinstance(reply.body, dict) else None
    if not isinstance(total, int):
        raise VendorError(f"Salesforce answered a COUNT() without a totalSize: {soql}")
    return total


def list_range(
    adapter: SalesforceAdapter, entity: Entity, lo: str | None, hi: str | None
) -> list[str]:
    """`SELECT Id ... WHERE Id >= lo AND Id < hi` (2,000 ids a locator page)."""
    soql = f"SELECT Id FROM {adapter.spec(entity).vendor_object}{_id_range(lo, hi)}"  # noqa: S608 (ours, quoted)
    return list(_ids(adapter, soql))


def _ids(adapter: SalesforceAdapter, soql: str) -> Iterator[str]:
    headers = {"Sforce-Query-Options": f"batchSize={DEFAULT_BATCH}"}
    reply = adapter.session.request_json(
        "GET", f"{adapter.data_path}/query", params={"q": soql}, headers=headers
    )
    while True:
        body = reply.body if isinstance(reply.body, dict) else {}
        yield from (str(r["Id"]) for r in body.get("records") or [] if r.get("Id"))
        locator = body.get("nextRecordsUrl")
        if not locator:
            return
        reply = adapter.session.request_json("GET", str(locator), headers=headers)


def _id_range(lo: str | None, hi: str | None) -> str:
    """A WHERE clause for ids in [lo, hi), each quoted as a SOQL string."""
    terms = [f"Id >= {soql_string(lo)}"] if lo is not None else []
    terms += [f"Id < {soql_string(hi)}"] if hi is not None else []
    return f" WHERE {' AND '.join(terms)}" if terms else ""
