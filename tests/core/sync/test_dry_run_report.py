"""A dry run's report carries, per record, each field's value now and the value a
real run would write, whether both sides changed, and what the policy would do."""

from __future__ import annotations

from core.models import ConflictPolicy, Direction, Entity
from tests.core.sync.conftest import ORG, Harness

C = Entity.CONTACT


def _edit_both_sides(harness: Harness) -> None:
    harness.run()
    harness.store.set_local_change(
        ORG, harness.connection.id, C, "c3", {"last_name": "LocalEdit"}, at=harness.vendor.tick()
    )
    harness.vendor.put(C, "c3", {"first_name": "F3", "last_name": "VendorEdit", "email": "c3@x.io"})


def test_a_create_lists_its_new_values(harness: Harness) -> None:
    outcome, _ = harness.run(dry_run=True)
    c1 = next(p for p in outcome.planned if p.external_id == "c1")
    assert c1.direction == "pull" and not c1.conflict
    assert ("email", None, "c1@x.io") in [(c.field, c.current, c.new) for c in c1.changes]


def test_an_update_shows_current_and_new(harness: Harness) -> None:
    harness.run()
    harness.vendor.put(C, "c2", {"first_name": "F2", "last_name": "Renamed", "email": "c2@x.io"})
    outcome, _ = harness.run(dry_run=True)
    [c2] = [p for p in outcome.planned if p.external_id == "c2"]
    assert c2.action == "update"
    [change] = [c for c in c2.changes if c.field == "last_name"]
    assert change.new == "Renamed" and change.current not in (None, "Renamed")


def test_a_held_conflict_says_both_changed_and_what_the_policy_does(harness: Harness) -> None:
    harness.reconfigure(conflict_policy=ConflictPolicy.MANUAL)
    _edit_both_sides(harness)
    outcome, _ = harness.run(dry_run=True)
    [c3] = [p for p in outcome.planned if p.external_id == "c3"]
    assert c3.conflict and c3.action == "conflict"
    assert c3.policy == "held for review on the Conflicts page"
    [change] = c3.changes
    assert (change.field, change.current, change.new) == ("last_name", "LocalEdit", "VendorEdit")


def test_a_timestamp_win_says_which_side_wins(harness: Harness) -> None:
    harness.reconfigure(direction=Direction.BOTH)
    _edit_both_sides(harness)  # the vendor edit is the later one
    outcome, _ = harness.run(dry_run=True)
    # (the push step then sees the same record again and reports the same outcome)
    c3 = next(p for p in outcome.planned if p.external_id == "c3")
    assert c3.conflict and c3.policy is not None
    assert "the vendor's later change wins last_name" in c3.policy
    assert [(c.field, c.current, c.new) for c in c3.changes] == [
        ("last_name", "LocalEdit", "VendorEdit")
    ]


def test_a_push_shows_the_vendors_value_and_ours(harness: Harness) -> None:
    harness.reconfigure(direction=Direction.BOTH)
    harness.run()
    harness.store.set_local_change(
        ORG, harness.connection.id, C, "c1", {"email": "dry@x.io"}, at=harness.vendor.tick()
    )
    outcome, _ = harness.run(dry_run=True)
    [push] = [p for p in outcome.planned if p.action == "push"]
    assert push.direction == "push"
    assert [(c.field, c.current, c.new) for c in push.changes] == [("email", "c1@x.io", "dry@x.io")]
