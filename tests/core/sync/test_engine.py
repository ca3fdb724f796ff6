"""The engine's rules, pinned with a scripted vendor (sandbox proofs live in tests/proof)."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from typing import Any

import pytest

from adapters.base import RemotePage, RemoteRecord
from core.models import (
    ConflictKind,
    ConflictPolicy,
    Direction,
    Entity,
    EntityCounts,
    Operation,
    RunProgress,
    RunState,
)
from core.page_budget import PageBudget
from core.store.queries import LogFilter
from core.sync import RunCancelledError
from tests.core.sync.conftest import ORG, Harness

C = Entity.CONTACT


def test_full_sync_equals_vendor_truth_and_is_audited(harness: Harness) -> None:
    outcome, run = harness.run(full=True)
    assert outcome.state is RunState.SUCCEEDED
    assert harness.local() == harness.vendor.truth(C)
    counts = outcome.counts[C]
    assert (counts.read, counts.created, counts.updated, counts.pages) == (7, 7, 0, 3)
    summary = harness.store.query_logs(ORG, LogFilter(run_id=run.id, operations=[Operation.SYNC]))
    assert summary.total == 1
    assert summary.items[0].records_processed == 7


def test_incremental_fetches_only_changes_since_the_cursor(harness: Harness) -> None:
    harness.run()
    harness.vendor.put(C, "c2", {"first_name": "F2", "last_name": "Changed", "email": "c2@x.io"})
    harness.vendor.put(C, "c9", {"first_name": "New", "last_name": "Person"})
    outcome, _ = harness.run()
    counts = outcome.counts[C]
    # The window starts READ_OVERLAP before the cursor: what it reads again is unchanged.
    assert (counts.created, counts.updated, counts.read - counts.unchanged) == (1, 1, 2)
    assert harness.local() == harness.vendor.truth(C)


def test_failure_mid_stream_resumes_after_the_last_stored_page(harness: Harness) -> None:
    harness.adapter.fail_on_page = 2
    outcome, _ = harness.run()
    assert outcome.state is RunState.FAILED
    assert "dropped the connection" in (outcome.error or "")
    assert len(harness.local()) == 3  # page 1 was stored before the failure
    harness.adapter.fail_on_page = None
    served_before = harness.adapter.pages_served
    outcome, _ = harness.run()
    assert outcome.state is RunState.SUCCEEDED
    assert harness.adapter.pages_served - served_before == 2  # pages 2 and 3 only
    assert harness.local() == harness.vendor.truth(C)
    assert sum(harness.store.count_records(ORG, harness.connection.id).values()) == 7


def test_an_expired_resume_position_restarts_the_window(harness: Harness) -> None:
    harness.adapter.fail_on_page = 2
    harness.run()
    harness.adapter.fail_on_page = None
    harness.adapter.reject_resume = True
    outcome, run = harness.run()
    assert outcome.state is RunState.SUCCEEDED
    assert harness.local() == harness.vendor.truth(C)
    warning = harness.store.query_logs(ORG, LogFilter(run_id=run.id, text="Could not resume"))
    assert warning.total == 1


def test_cancel_stops_at_a_checkpoint_and_keeps_what_was_stored(harness: Harness) -> None:
    class CancelAfterFirstPage:
        calls = 0

        def checkpoint(self, progress: RunProgress, counts: dict[Entity, EntityCounts]) -> None:
            self.calls += 1
            if self.calls == 3:  # entity start, page 1, then page 2 is refused
                raise RunCancelledError("cancelled")

    outcome, _ = harness.run(control=CancelAfterFirstPage())
    assert outcome.state is RunState.CANCELLED
    assert len(harness.local()) == 6


def _edit_both_sides(harness: Harness) -> None:
    harness.run()
    harness.store.set_local_change(
        ORG, harness.connection.id, C, "c3", {"last_name": "LocalEdit"}, at=harness.vendor.tick()
    )
    harness.vendor.put(C, "c3", {"first_name": "F3", "last_name": "VendorEdit", "email": "c3@x.io"})


def test_manual_policy_holds_both_versions_and_overwrites_nothing(harness: Harness) -> None:
    harness.reconfigure(conflict_policy=ConflictPolicy.MANUAL)
    _edit_both_sides(harness)
    outcome, _ = harness.run()
    assert outcome.counts[C].conflicts == 1
    assert harness.local()["c3"]["last_name"] == "LocalEdit"
    conflicts = harness.store.list_conflicts(ORG).items
    assert len(conflicts) == 1
    conflict = conflicts[0]
    assert conflict.kind is ConflictKind.UPDATE
    assert conflict.local is not None and conflict.local["last_name"] == "LocalEdit"
    assert conflict.remote is not None and conflict.remote["last_name"] == "VendorEdit"
    assert conflict.differing_fields == ["last_name"]


def test_skip_policy_touches_neither_side(harness: Harness) -> None:
    harness.reconfigure(conflict_policy=ConflictPolicy.SKIP, direction=Direction.BOTH)
    _edit_both_sides(harness)
    outcome, run = harness.run()
    assert outcome.counts[C].conflicts >= 1
    assert harness.local()["c3"]["last_name"] == "LocalEdit"
    assert harness.vendor.truth(C)["c3"]["last_name"] == "VendorEdit"
    assert harness.adapter.written == []
    skipped = harness.store.query_logs(
        ORG, LogFilter(run_id=run.id, operations=[Operation.CONFLICT])
    )
    assert skipped.total >= 1


def test_timestamp_policy_vendor_newer_wins(harness: Harness) -> None:
    harness.reconfigure(direction=Direction.BOTH)
    _edit_both_sides(harness)  # the vendor edit happens after the local one
    harness.run()
    assert harness.local()["c3"]["last_name"] == "VendorEdit"
    assert harness.adapter.written == []
    assert not list(harness.store.iter_records(ORG, harness.connection.id, C, pending_only=True))


def test_timestamp_policy_local_newer_wins_and_is_pushed(harness: Harness) -> None:
    harness.reconfigure(direction=Direction.BOTH)
    harness.run()
    harness.vendor.put(C, "c3", {"first_name": "F3", "last_name": "VendorEdit", "email": "c3@x.io"})
    harness.store.set_local_change(
        ORG, harness.connection.id, C, "c3", {"last_name": "LocalEdit"}, at=harness.vendor.tick()
    )
    outcome, _ = harness.run()
    assert outcome.counts[C].pushed == 1
    assert harness.vendor.truth(C)["c3"]["last_name"] == "LocalEdit"
    assert harness.local()["c3"]["last_name"] == "LocalEdit"


def test_push_of_an_edit_and_of_a_new_local_record(harness: Harness) -> None:
    harness.reconfigure(direction=Direction.BOTH)
    harness.run()
    harness.store.set_local_change(
        ORG, harness.connection.id, C, "c1", {"email": "new@x.io"}, at=harness.vendor.tick()
    )
    harness.store.set_local_change(
        ORG, harness.connection.id, C, "local:n1", {"last_name": "Fresh"}, at=harness.vendor.tick()
    )
    outcome, _ = harness.run()
    assert outcome.counts[C].pushed == 2
    truth = harness.vendor.truth(C)
    assert truth["c1"]["email"] == "new@x.io"
    new_ids = set(truth) - {f"c{n}" for n in range(1, 8)}
    assert len(new_ids) == 1
    assert "local:n1" not in harness.local()
    assert harness.local()[new_ids.pop()]["last_name"] == "Fresh"


def test_dry_run_reports_and_writes_nothing_anywhere(harness: Harness) -> None:
    harness.reconfigure(direction=Direction.BOTH)
    outcome, _ = harness.run(dry_run=True)
    assert harness.local() == {}
    assert {(p.action, p.external_id) for p in outcome.planned} == {
        ("create", f"c{n}") for n in range(1, 8)
    }
    assert outcome.counts[C].created == 7
    assert harness.store.get_sync_state(ORG, harness.connection.id, C) is None
    harness.run()
    harness.store.set_local_change(
        ORG, harness.connection.id, C, "c1", {"email": "dry@x.io"}, at=harness.vendor.tick()
    )
    outcome, _ = harness.run(dry_run=True)
    assert ("push", "c1") in {(p.action, p.external_id) for p in outcome.planned}
    assert harness.adapter.written == []
    assert harness.vendor.truth(C)["c1"]["email"] == "c1@x.io"


def test_vendor_deletions_soft_delete_or_wait_for_approval(harness: Harness) -> None:
    harness.run()
    harness.vendor.delete(C, "c5")
    outcome, _ = harness.run()
    assert outcome.counts[C].deleted == 1
    assert "c5" not in harness.local()
    deleted = harness.store.get_records(ORG, harness.connection.id, C, ["c5"])["c5"]
    assert deleted.deleted and deleted.data["last_name"] == "L5"  # kept, never dropped

    harness.reconfigure(approve_deletes=True)
    harness.vendor.delete(C, "c6")
    harness.run()
    assert "c6" in harness.local()
    held = harness.store.list_conflicts(ORG).items
    assert [(c.external_id, c.kind) for c in held] == [("c6", ConflictKind.DELETE)]


@pytest.mark.parametrize("policy", list(ConflictPolicy))
def test_unchanged_vendor_record_never_conflicts_with_a_local_edit(
    harness: Harness, policy: ConflictPolicy
) -> None:
    harness.reconfigure(conflict_policy=policy)
    harness.run()
    harness.store.set_local_change(
        ORG, harness.connection.id, C, "c7", {"title": "CEO"}, at=harness.vendor.tick()
    )
    outcome, _ = harness.run(full=True)
    assert outcome.counts[C].conflicts == 0
    assert harness.local()["c7"]["title"] == "CEO"


def test_progress_carries_the_vendors_count_and_the_entitys_place(harness: Harness) -> None:
    class Recorder:
        def __init__(self) -> None:
            self.seen: list[RunProgress] = []

        def checkpoint(self, progress: RunProgress, counts: dict[Entity, EntityCounts]) -> None:
            self.seen.append(progress)

    recorder = Recorder()
    harness.run(full=True, control=recorder)
    pages = [p for p in recorder.seen if p.message == "Pulling contact"]
    assert [(p.entity_read, p.entity_expected) for p in pages] == [(3, 7), (6, 7), (7, 7)]
    assert {(p.entity_number, p.entity_count) for p in recorder.seen} == {(1, 1)}
    assert all(p.entity_started_at is not None for p in recorder.seen)


def test_a_vendor_id_holding_nul_is_a_record_issue_not_a_stuck_sync(harness: Harness) -> None:
    """SQLite's lookups cut a text at NUL: stored, such an id failed its page on every run."""
    harness.vendor.put(C, "c\x009", {"first_name": "F", "last_name": "Odd", "email": "o@x.io"})

    outcome, _ = harness.run()

    assert outcome.state is RunState.SUCCEEDED
    assert set(harness.local()) == {f"c{n}" for n in range(1, 8)}
    assert outcome.counts[C].failed == 1
    [issue] = harness.store.list_record_issues(ORG)
    assert issue.external_id == "c\\x009" and "NUL" in (issue.message or "")


def test_a_stored_page_is_let_go_before_the_next_one_is_asked_for(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page budget's token comes back when the engine asks for the next page; a page
    the engine still held while it waited was memory outside the budget (80 streams in
    flight: 80 pages). With a budget of one page, the next page is only read once the
    engine has asked for it, so the last one must be gone by then."""
    harness.adapter.page_size = 2
    original = harness.adapter.read
    last: list[weakref.ref[RemoteRecord]] = []
    kept: list[bool] = []

    def watched(page: RemotePage) -> RemotePage:
        if last:
            gc.collect()
            kept.append(last[-1]() is not None)
        last.append(weakref.ref(page.records[0]))
        return page

    def read(entity: Entity, **kwargs: Any) -> Iterator[RemotePage]:
        return map(watched, original(entity, **kwargs))  # a map keeps no page of its own

    monkeypatch.setattr(harness.adapter, "read", read)
    outcome, _ = harness.run(page_budget=PageBudget(1), full=True)
    assert outcome.state is RunState.SUCCEEDED
    assert len(kept) >= 3
    assert not any(kept), f"the engine held its last page while the next was read: {kept}"
