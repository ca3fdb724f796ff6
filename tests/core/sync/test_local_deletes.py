"""Deletes made in ToothPick: pushed to the vendor, and against a vendor edit made since,
decided by the connection's conflict policy (sandbox proofs on every system:
tests/proof/test_local_deletes.py)."""

from __future__ import annotations

from typing import cast

import pytest

from core.errors import InvalidInputError
from core.models import (
    ChangeKind,
    ConflictKind,
    ConflictPolicy,
    Connection,
    Direction,
    Entity,
    IssueState,
    Record,
    Resolution,
    System,
)
from core.services.connections import ConnectionService
from core.services.review import ReviewService
from tests.core.sync.conftest import ORG, Harness

C = Entity.CONTACT
VENDOR_EDIT = {"first_name": "F3", "last_name": "VendorEdit", "email": "c3@x.io"}


def _delete_here(harness: Harness, external_id: str = "c3") -> None:
    harness.store.delete_locally(
        ORG, harness.connection.id, C, external_id, at=harness.vendor.tick()
    )


def _record(harness: Harness, external_id: str = "c3") -> Record:
    return harness.store.get_records(ORG, harness.connection.id, C, [external_id])[external_id]


def _kinds(harness: Harness, external_id: str = "c3") -> list[ChangeKind]:
    return [
        c.kind for c in harness.store.record_history(ORG, harness.connection.id, C, external_id)
    ]


@pytest.fixture
def both(harness: Harness) -> Harness:
    harness.reconfigure(direction=Direction.BOTH)
    harness.run()
    return harness


def test_a_local_deletion_is_pushed_once(both: Harness) -> None:
    _delete_here(both)

    outcome, _ = both.run()

    assert "c3" not in both.vendor.truth(C)
    assert outcome.counts[C].pushed == 1 and outcome.counts[C].failed == 0
    assert both.adapter.deleted == ["c3"]
    record = _record(both)
    assert (record.deleted, record.local_delete) == (True, False)
    kinds = _kinds(both)  # newest first; the deletion is dated by the vendor's clock
    assert kinds[0] is ChangeKind.DELETED and ChangeKind.LOCAL_DELETE in kinds
    outcome, _ = both.run(full=True)  # nothing left to push, nothing comes back
    assert both.adapter.deleted == ["c3"]
    assert outcome.counts[C].pushed == 0 and "c3" not in both.local()


def test_a_deletion_taken_back_before_the_sync_is_never_pushed(both: Harness) -> None:
    _delete_here(both)
    review = _review(both)
    review.undo_delete(ORG, both.connection.id, C, "c3")

    outcome, _ = both.run()

    assert both.adapter.deleted == [] and outcome.counts[C].pushed == 0
    assert both.local()["c3"] == both.vendor.truth(C)["c3"]


def test_a_deletion_the_vendor_also_made_is_settled_without_a_call(both: Harness) -> None:
    _delete_here(both)
    both.vendor.delete(C, "c3")

    outcome, _ = both.run()

    assert both.adapter.deleted == []
    assert outcome.counts[C].pushed == 0 and outcome.counts[C].conflicts == 0
    assert not _record(both).local_delete
    assert _kinds(both)[0] is ChangeKind.DELETED


def test_a_local_record_deleted_before_its_push_never_reaches_the_vendor(both: Harness) -> None:
    both.store.set_local_change(
        ORG, both.connection.id, C, "local:n1", {"last_name": "Fresh"}, at=both.vendor.tick()
    )
    _delete_here(both, "local:n1")

    outcome, _ = both.run()

    assert both.adapter.written == [] and both.adapter.deleted == []
    assert outcome.counts[C].pushed == 0
    assert len(both.vendor.truth(C)) == 7


def test_timestamp_policy_a_later_vendor_edit_restores_the_record(both: Harness) -> None:
    _delete_here(both)
    both.vendor.put(C, "c3", VENDOR_EDIT)  # after the deletion

    outcome, _ = both.run()

    assert both.adapter.deleted == []
    assert both.local()["c3"]["last_name"] == "VendorEdit"
    assert both.vendor.truth(C)["c3"]["last_name"] == "VendorEdit"
    assert outcome.counts[C].conflicts == 1
    assert _kinds(both)[0] is ChangeKind.RESTORED


def test_timestamp_policy_a_later_local_deletion_deletes_the_vendor_edit(both: Harness) -> None:
    both.vendor.put(C, "c3", VENDOR_EDIT)
    _delete_here(both)  # after the vendor's edit

    outcome, _ = both.run()

    assert "c3" not in both.vendor.truth(C)
    assert "c3" not in both.local()
    assert outcome.counts[C].conflicts == 1 and outcome.counts[C].pushed == 1


def test_timestamp_policy_decides_the_same_way_at_push_time(harness: Harness) -> None:
    """A push-only connection sees the vendor's edit only when it fetches before deleting."""
    harness.run()
    harness.reconfigure(direction=Direction.PUSH)
    _delete_here(harness)
    harness.vendor.put(C, "c3", VENDOR_EDIT)

    outcome, _ = harness.run()

    assert harness.adapter.deleted == []
    assert harness.local()["c3"]["last_name"] == "VendorEdit"
    assert outcome.counts[C].conflicts == 1


@pytest.mark.parametrize("resolution", [Resolution.APPROVE_DELETE, Resolution.REJECT_DELETE])
def test_manual_policy_holds_the_deletion_for_a_person(
    both: Harness, resolution: Resolution
) -> None:
    both.reconfigure(conflict_policy=ConflictPolicy.MANUAL)
    _delete_here(both)
    both.vendor.put(C, "c3", VENDOR_EDIT)

    outcome, _ = both.run()

    assert both.adapter.deleted == [] and "c3" in both.vendor.truth(C)
    assert "c3" not in both.local() and _record(both).local_delete
    [conflict] = both.store.list_conflicts(ORG).items
    assert (conflict.kind, conflict.local, conflict.deleted_in_toothpick) == (
        ConflictKind.DELETE, None, True
    )  # fmt: skip
    assert conflict.remote is not None and conflict.remote["last_name"] == "VendorEdit"
    assert outcome.counts[C].conflicts >= 1

    review = _review(both)
    review.resolve_conflict(ORG, conflict.id, resolution)
    both.run()

    if resolution is Resolution.APPROVE_DELETE:
        assert "c3" not in both.vendor.truth(C) and "c3" not in both.local()
        assert both.adapter.deleted == ["c3"]
    else:
        assert both.local()["c3"]["last_name"] == "VendorEdit"
        assert both.vendor.truth(C)["c3"]["last_name"] == "VendorEdit"
        assert both.adapter.deleted == [] and not _record(both).local_change
    assert both.store.list_conflicts(ORG).items == []


def test_skip_policy_touches_neither_side(both: Harness) -> None:
    both.reconfigure(conflict_policy=ConflictPolicy.SKIP)
    _delete_here(both)
    both.vendor.put(C, "c3", VENDOR_EDIT)

    outcome, _ = both.run()

    assert both.adapter.deleted == [] and "c3" in both.vendor.truth(C)
    assert "c3" not in both.local() and _record(both).local_delete
    assert outcome.counts[C].conflicts >= 1


def test_a_vendor_deletion_drops_a_pending_local_edit_and_says_so(both: Harness) -> None:
    both.store.set_local_change(
        ORG, both.connection.id, C, "c3", {"title": "CFO"}, at=both.vendor.tick()
    )
    both.vendor.delete(C, "c3")

    outcome, _ = both.run()

    assert "c3" not in both.local()
    assert not _record(both).local_change  # nothing left to push into a deleted record
    assert both.adapter.written == [] and both.adapter.deleted == []
    assert outcome.counts[C].deleted == 1 and outcome.counts[C].conflicts == 1


def test_a_refused_deletion_is_a_record_issue_retried_later(both: Harness) -> None:
    _delete_here(both, "c2")
    _delete_here(both, "c4")
    both.vendor.refuse_deletes["c2"] = "ENTITY_IS_LOCKED: the record is in an approval process"

    outcome, _ = both.run()

    assert outcome.counts[C].failed == 1 and outcome.counts[C].pushed == 1
    assert "c2" in both.vendor.truth(C) and "c4" not in both.vendor.truth(C)
    assert _record(both, "c2").local_delete
    [issue] = both.store.list_record_issues(ORG, states=[IssueState.OPEN])
    assert issue.external_id == "c2" and "ENTITY_IS_LOCKED" in (issue.message or "")


@pytest.mark.parametrize("policy", list(ConflictPolicy))
@pytest.mark.parametrize("vendor_edit", ["before", "after", "none", "deleted"])
def test_a_dry_run_predicts_the_real_runs_counts(
    both: Harness, policy: ConflictPolicy, vendor_edit: str
) -> None:
    both.reconfigure(conflict_policy=policy)
    if vendor_edit == "before":
        both.vendor.put(C, "c3", VENDOR_EDIT)
    _delete_here(both)
    _delete_here(both, "c5")
    if vendor_edit == "after":
        both.vendor.put(C, "c3", VENDOR_EDIT)
    elif vendor_edit == "deleted":
        both.vendor.delete(C, "c3")

    dry, _ = both.run(dry_run=True)
    real, _ = both.run()

    keys = ("created", "updated", "deleted", "pushed", "conflicts", "failed")
    assert {k: getattr(dry.counts[C], k) for k in keys} == {
        k: getattr(real.counts[C], k) for k in keys
    }
    planned = {(p.action, p.direction) for p in dry.planned if p.external_id == "c5"}
    assert planned == {("delete", "push")}


def test_reconciliation_counts_a_pending_deletion_as_held(harness: Harness) -> None:
    """Pull-only (say the connection was switched after the deletion): the vendor rightly
    still has the record, so the hub is complete, and no repair restores it."""
    harness.run()
    _delete_here(harness)

    outcome, _ = harness.run(full=True)

    counts = outcome.counts[C]
    assert (counts.vendor_count, counts.held_count, counts.unexplained) == (7, 7, 0)
    assert counts.missing == 0 and "c3" not in harness.local()
    assert _record(harness).local_delete


class _Connections:
    """What ReviewService asks of the connections service, for the harness's one."""

    def __init__(self, harness: Harness) -> None:
        self._harness = harness

    def stored_connection(self, organisation_id: str, connection_id: str) -> Connection:
        return self._harness.connection


def _review(harness: Harness) -> ReviewService:
    return ReviewService(
        store=harness.store, connections=cast(ConnectionService, _Connections(harness))
    )


@pytest.mark.parametrize(
    ("direction", "entity", "words"),
    [
        (Direction.PULL, Entity.CUSTOMER, "only pulls"),
        (Direction.BOTH, Entity.INVENTORY, "takes no writes of inventory"),
        (Direction.BOTH, Entity.PRODUCT, "through a deletion group"),  # Oracle deletes no items
        (Direction.BOTH, Entity.ORDER, "cancel the order"),
    ],
)
def test_a_deletion_that_could_never_reach_the_vendor_is_refused_in_words(
    harness: Harness, direction: Direction, entity: Entity, words: str
) -> None:
    harness.reconfigure(system=System.ORACLE, direction=direction, entities=[entity])

    with pytest.raises(InvalidInputError, match=words):
        _review(harness).delete_record(ORG, harness.connection.id, entity, "300100")
