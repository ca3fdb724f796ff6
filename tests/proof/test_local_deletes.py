"""Deletes made in ToothPick reach every vendor, stay deleted, and meet a vendor edit made
since the way the connection's conflict policy says (peers' "deletes never carried over":
shared/peer-failures.md). Dry runs predict each real run's counts."""

from __future__ import annotations

import time

import pytest

from core.models import (
    ConflictPolicy,
    Direction,
    Entity,
    Resolution,
    RunState,
    SyncRun,
    System,
)
from core.schemas import ConnectionUpdate
from tests.proof.conftest import ORG, Hub
from tests.proof.test_no_silent_loss import _other_text_field
from tests.proof.test_rapid_edits import _edited_field

# What makes a new vendor record one of the entity's: Odoo's customers are active partners
# with a customer rank (adapters/odoo_maps.py), which the sandbox's control API (unlike
# Odoo's `create`) leaves unset, as it leaves the name Odoo requires.
MEMBERSHIP = {
    (System.ODOO, Entity.CUSTOMER): {"customer_rank": 1, "active": True, "name": "Proof partner"}
}
COUNTED = ("created", "updated", "deleted", "pushed", "conflicts", "failed")


def _pushing(hub: Hub, count: int, policy: ConflictPolicy) -> tuple[Entity, list[str]]:
    """A two-way connection holding `count` fresh vendor records of the pushed entity."""
    info = hub.service.connections.system(hub.case.system)
    deletable = [
        e
        for e in (hub.case.push_entity, *hub.case.objects)
        if e is not None and info.support(e).writable and not info.support(e).undeletable
    ]
    if not deletable:
        pytest.skip(f"{hub.case.id}: no entity its API deletes")
    entity = deletable[0]
    hub.service.connections.update_connection(
        ORG,
        hub.connection.id,
        ConnectionUpdate(direction=Direction.BOTH, conflict_policy=policy),
    )
    ids = hub.vendor_creates(count, entity, **MEMBERSHIP.get((hub.case.system, entity), {}))
    assert hub.sync(full=True).state is RunState.SUCCEEDED
    assert set(ids) <= set(hub.stored(entity))
    return entity, ids


def _vendor_field(hub: Hub, entity: Entity) -> tuple[str, str]:
    """A text field the vendor edits: the case's own edit field on its pushed entity."""
    if entity is hub.case.push_entity:
        return _edited_field(hub)
    return _other_text_field(hub, entity, set())


def _predicted_then_run(hub: Hub, entity: Entity) -> SyncRun:
    dry = hub.sync(dry_run=True)
    run = hub.sync()
    assert (dry.state, run.state) == (RunState.SUCCEEDED, RunState.SUCCEEDED), run.error
    predicted = {k: getattr(dry.counts[entity], k) for k in COUNTED}
    assert predicted == {k: getattr(run.counts[entity], k) for k in COUNTED}
    return run


def _next_second() -> None:
    """Several vendors stamp whole seconds and a same-second tie goes to the vendor
    (core/sync/policy.py): the later change is made in the next second."""
    time.sleep(1.02 - time.time() % 1)


def test_local_deletes_reach_the_vendor_and_stay_deleted(hub: Hub) -> None:
    entity, ids = _pushing(hub, 3, ConflictPolicy.TIMESTAMP)
    for external_id in ids:
        hub.service.review.delete_record(ORG, hub.connection.id, entity, external_id)
    assert not set(ids) & set(hub.stored(entity))  # gone from the hub's live records at once

    run = _predicted_then_run(hub, entity)

    assert run.counts[entity].pushed == 3 and run.counts[entity].failed == 0
    assert not set(ids) & set(hub.truth(entity))
    again = hub.sync(full=True)  # a full read brings nothing back; nothing is pushed again
    assert again.state is RunState.SUCCEEDED, again.error
    counts = again.counts[entity]
    assert (counts.pushed, counts.unexplained) == (0, 0)
    assert counts.vendor_count == counts.held_count
    assert hub.stored(entity) == hub.truth(entity)


@pytest.mark.parametrize("later", ["vendor", "toothpick"])
def test_timestamp_policy_the_later_of_a_deletion_and_an_edit_wins(hub: Hub, later: str) -> None:
    entity, [external_id] = _pushing(hub, 1, ConflictPolicy.TIMESTAMP)
    case, control = hub.case, hub.sandbox.control
    canonical, vendor_field = _vendor_field(hub, entity)

    def vendor_edit() -> None:
        control.update(
            case.system.value, case.tenant, case.objects[entity], external_id,
            {vendor_field: "Edited at the vendor"},
        )  # fmt: skip

    def delete_here() -> None:
        hub.service.review.delete_record(ORG, hub.connection.id, entity, external_id)

    first, second = (delete_here, vendor_edit) if later == "vendor" else (vendor_edit, delete_here)
    first()
    _next_second()
    second()

    run = _predicted_then_run(hub, entity)

    assert run.counts[entity].conflicts >= 1
    if later == "vendor":
        assert hub.truth(entity)[external_id][canonical] == "Edited at the vendor"
        assert hub.stored(entity)[external_id][canonical] == "Edited at the vendor"
    else:
        assert external_id not in hub.truth(entity)
        assert external_id not in hub.stored(entity)
    assert hub.stored(entity) == hub.truth(entity)


def test_manual_policy_holds_a_deletion_a_vendor_edit_met(hub: Hub) -> None:
    entity, [kept, deleted] = _pushing(hub, 2, ConflictPolicy.MANUAL)
    case, control = hub.case, hub.sandbox.control
    _, vendor_field = _vendor_field(hub, entity)
    for external_id in (kept, deleted):
        hub.service.review.delete_record(ORG, hub.connection.id, entity, external_id)
        control.update(
            case.system.value, case.tenant, case.objects[entity], external_id,
            {vendor_field: "Edited at the vendor"},
        )  # fmt: skip

    _predicted_then_run(hub, entity)

    assert {kept, deleted} <= set(hub.truth(entity))  # nothing deleted without a person
    held = {c.external_id: c for c in hub.service.review.conflicts(ORG).items}
    assert {kept, deleted} <= set(held)
    assert held[kept].deleted_in_toothpick and held[deleted].deleted_in_toothpick
    hub.service.review.resolve_conflict(ORG, held[kept].id, Resolution.REJECT_DELETE)
    hub.service.review.resolve_conflict(ORG, held[deleted].id, Resolution.APPROVE_DELETE)

    run = _predicted_then_run(hub, entity)

    assert run.counts[entity].pushed == 1
    assert kept in hub.truth(entity) and kept in hub.stored(entity)
    assert deleted not in hub.truth(entity) and deleted not in hub.stored(entity)
    assert hub.stored(entity) == hub.truth(entity)


def test_skip_policy_leaves_a_deletion_and_a_vendor_edit_as_they_are(hub: Hub) -> None:
    entity, [external_id] = _pushing(hub, 1, ConflictPolicy.SKIP)
    case, control = hub.case, hub.sandbox.control
    hub.service.review.delete_record(ORG, hub.connection.id, entity, external_id)
    _, vendor_field = _vendor_field(hub, entity)
    control.update(
        case.system.value, case.tenant, case.objects[entity], external_id,
        {vendor_field: "Edited at the vendor"},
    )  # fmt: skip

    run = _predicted_then_run(hub, entity)

    assert run.counts[entity].conflicts >= 1 and run.counts[entity].pushed == 0
    assert external_id in hub.truth(entity) and external_id not in hub.stored(entity)
