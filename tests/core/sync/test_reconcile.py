"""Reconciliation with the memory vendor: what the count and the id listing find, and
what explains a difference that remains."""

from __future__ import annotations

from datetime import timedelta

from core.models import ConflictKind, Entity
from core.store.queries import LogFilter
from tests.core.sync.conftest import ORG, Harness

C = Entity.CONTACT


def test_counts_that_agree_cost_one_call_and_read_nothing_else(harness: Harness) -> None:
    harness.run(full=True)
    calls, pages = harness.adapter.stats.api_calls, harness.adapter.pages_served
    outcome, _ = harness.run(reconcile=True)
    assert outcome.counts[C].completeness() == "complete: 7 of 7"
    # the catch-up's pages and one count; no listing, no fetch
    assert harness.adapter.stats.api_calls - calls == harness.adapter.pages_served - pages + 1


def test_a_record_behind_the_cursor_is_missing_and_a_purged_one_extra(harness: Harness) -> None:
    harness.run(full=True)
    harness.vendor.put(C, "c9", {"first_name": "F9", "last_name": "L9"})
    harness.vendor.tables[C]["c9"].updated_at -= timedelta(days=1)  # no incremental sees it
    for purged in ("c2", "c3"):  # no tombstone either
        del harness.vendor.tables[C][purged]
    outcome, _ = harness.run(reconcile=True)
    c = outcome.counts[C]
    assert (c.missing, c.extra, c.stale, c.repaired, c.unexplained) == (1, 2, 0, 3, 0)
    assert c.completeness() == "1 missing, 2 extra, 0 stale; 3 repaired; complete: 6 of 6"
    assert set(harness.local()) == set(harness.vendor.truth(C))


def test_a_purge_held_for_approval_is_explained_not_unexplained(harness: Harness) -> None:
    harness.reconfigure(approve_deletes=True)
    harness.run(full=True)
    del harness.vendor.tables[C]["c6"]
    outcome, _ = harness.run(reconcile=True)
    c = outcome.counts[C]
    assert (c.vendor_count, c.held_count, c.extra, c.unexplained) == (6, 7, 1, 0)
    held = harness.store.list_conflicts(ORG).items
    assert [(h.external_id, h.kind) for h in held] == [("c6", ConflictKind.DELETE)]


def test_a_vendor_that_counts_id_ranges_is_narrowed_by_range_counts(harness: Harness) -> None:
    harness.vendor.id_order = "text"
    harness.run(full=True)
    harness.vendor.put(C, "c9", {"first_name": "F9", "last_name": "L9"})
    harness.vendor.tables[C]["c9"].updated_at -= timedelta(days=1)  # no incremental sees it
    for purged in ("c2", "c3"):
        del harness.vendor.tables[C][purged]
    outcome, _ = harness.run(reconcile=True)
    c = outcome.counts[C]
    assert (c.missing, c.extra, c.repaired, c.unexplained) == (1, 2, 3, 0)
    assert set(harness.local()) == set(harness.vendor.truth(C))
    said = _said(harness, "narrowed by")
    assert said and "range count(s)" in said[0], said


def test_ids_the_vendor_order_cannot_place_fall_back_to_the_listing(harness: Harness) -> None:
    harness.vendor.id_order = "number"  # but the ids are c1..c7
    harness.run(full=True)
    del harness.vendor.tables[C]["c4"]
    outcome, _ = harness.run(reconcile=True)
    c = outcome.counts[C]
    assert (c.extra, c.repaired, c.unexplained) == (1, 1, 0)
    assert set(harness.local()) == set(harness.vendor.truth(C))
    assert _said(harness, "not in the vendor's id order")


def _said(harness: Harness, text: str) -> list[str]:
    return [e.message for e in harness.store.query_logs(ORG, LogFilter(text=text)).items]


def test_a_full_sync_without_a_vendor_count_is_not_listed_twice(harness: Harness) -> None:
    """Pipedrive's persons: no count, no id listing. The full read was the listing: a
    second read of every record by the same paging would find nothing more."""
    harness.vendor.counts = False
    outcome, _ = harness.run(full=True)
    c = outcome.counts[C]
    assert harness.adapter.pages_served == c.pages  # each page read once
    assert c.completeness() == "complete: 7 of 7"
    said = _said(harness, "the full read's own listing")
    assert said and "complete: 7 of 7" in said[0], said


def test_a_purge_seen_by_a_full_sync_without_a_count_is_swept_and_counted(
    harness: Harness,
) -> None:
    harness.vendor.counts = False
    harness.run(full=True)
    del harness.vendor.tables[C]["c5"]  # purged: no tombstone
    harness.vendor.delete(C, "c6")  # soft-deleted: read as deleted
    outcome, _ = harness.run(full=True)
    c = outcome.counts[C]
    assert (c.vendor_count, c.held_count, c.unexplained) == (5, 5, 0)
    assert set(harness.local()) == set(harness.vendor.truth(C))


def test_a_reconcile_run_without_a_vendor_count_still_lists_every_record(
    harness: Harness,
) -> None:
    """Asked for, reconciliation reads the listing: it finds what the incremental missed."""
    harness.vendor.counts = False
    harness.run(full=True)
    harness.vendor.put(C, "c9", {"first_name": "F9", "last_name": "L9"})
    harness.vendor.tables[C]["c9"].updated_at -= timedelta(days=1)  # no incremental sees it
    outcome, _ = harness.run(reconcile=True)
    c = outcome.counts[C]
    assert (c.missing, c.repaired, c.unexplained) == (1, 1, 0)
    assert set(harness.local()) == set(harness.vendor.truth(C))
