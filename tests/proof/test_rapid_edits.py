"""The same record edited on both sides again and again: the policy decides once per
change, and once the edits stop the two sides agree and stay still (no flip-flop,
a complaint about peers' bidirectional syncs: see shared/peer-failures.md)."""

from __future__ import annotations

import time

import pytest

from adapters import convert
from core.models import ConflictPolicy, Direction, RunState, SyncRun
from tests.proof.conftest import ORG, Hub
from tests.proof.test_no_silent_loss import _other_text_field


def _edited_field(hub: Hub) -> tuple[str, str]:
    """The proof case's own pushable edit field, as (canonical, vendor field); another
    text field where that one lives in a child object (SAP's descriptions)."""
    case, entity = hub.case, hub.case.push_entity
    assert entity is not None
    objects = hub.sandbox.control.tenant(case.system.value, case.tenant)["objects"]
    top_level = set(objects[case.objects[entity]]["fields"])
    adapter = hub.adapter()
    try:
        rules = adapter.field_map(entity).rules
    finally:
        adapter.close()
    for rule in rules:
        name = rule.vendor.split(".")[-1]
        if (
            rule.canonical in case.local_edit
            and rule.convert.name == convert.TEXT.name
            and name in top_level
        ):
            return rule.canonical, name
    return _other_text_field(hub, entity, set())


def _both_ways(hub: Hub) -> SyncRun:
    run = hub.sync(direction=Direction.BOTH, conflict_policy=ConflictPolicy.TIMESTAMP)
    assert run.state is RunState.SUCCEEDED, run.error
    return run


def test_rapid_edits_on_both_sides_settle_on_the_latest(hub: Hub) -> None:
    case, control = hub.case, hub.sandbox.control
    if case.push_entity is None:
        pytest.skip(f"{case.id}: no writable entity")
    entity = case.push_entity
    system, tenant, obj = case.system.value, case.tenant, case.objects[entity]
    assert hub.sync(full=True).state is RunState.SUCCEEDED
    external_id = sorted(hub.stored(entity))[0]
    canonical, vendor_field = _edited_field(hub)

    def local(value: str) -> None:
        hub.service.review.edit_record(
            ORG, hub.connection.id, entity, external_id, {canonical: value}
        )

    def remote(value: str) -> None:
        control.update(system, tenant, obj, external_id, {vendor_field: value})

    for round_ in range(2):
        local(f"Local-{round_}")
        remote(f"Remote-{round_}")  # the later edit of the same field
        _both_ways(hub)
        assert hub.stored(entity)[external_id][canonical] == f"Remote-{round_}"
        assert hub.truth(entity)[external_id][canonical] == f"Remote-{round_}"
        remote(f"Remote-{round_}b")
        # Now ToothPick's edit is the later one. Several vendors stamp whole seconds, and a
        # same-second tie goes to the vendor (core/sync/policy.py): edit in the next second.
        time.sleep(1.02 - time.time() % 1)
        local(f"Local-{round_}b")
        _both_ways(hub)
        assert hub.stored(entity)[external_id][canonical] == f"Local-{round_}b"
        assert hub.truth(entity)[external_id][canonical] == f"Local-{round_}b"
    settled = hub.truth(entity)
    for _ in range(2):  # nothing changes any more: nothing moves either way
        run = _both_ways(hub)
        counts = run.counts[entity]
        assert (counts.pushed, counts.updated, counts.conflicts) == (0, 0, 0), counts
    assert hub.truth(entity) == settled == hub.stored(entity)
