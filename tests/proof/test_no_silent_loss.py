"""No silent loss (issue 15): the vendor's data changes the way real data does, and the hub
ends with the exact truth, for every system the failure applies to.

Each test changes the vendor's side through the sandbox's control API (no webhooks), runs
the product as a user would, and compares the store with the sandbox's truth.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from itertools import islice

import pytest

from adapters import convert
from core.models import ConflictPolicy, Direction, Entity, RunState, SyncRun, System
from core.store.queries import LogFilter
from sandbox.control import TruthRecord
from tests.proof.conftest import ORG, Hub
from tests.proof.test_sync_proofs import _assert_exact, _local_edit


def _clearable(hub: Hub, entity: Entity, record: TruthRecord) -> set[str]:
    """Sandbox fields of `record` the adapter's map reads and the vendor lets one clear:
    not required, not the record's key, timestamps or deletion flag, not part of a
    composite key (clearing one would make another record, not an empty field)."""
    case = hub.case
    info = hub.sandbox.control.tenant(case.system.value, case.tenant)["objects"]
    adapter = hub.adapter()
    try:
        spec, fields = adapter.spec(entity), adapter.field_map(entity)
        segments = {part for path in fields.vendor_paths() for part in path.split(".")}
        reserved = {
            part for path in (spec.key, spec.cursor, spec.created, spec.deleted) if path
            for part in path.split(".")
        }  # fmt: skip
        required = set(info[case.objects[entity]]["required"])
        candidates = (set(info[case.objects[entity]]["fields"]) & segments) - reserved - required

        def key_after_clearing(name: str) -> str | None:
            cleared = replace(record, fields={**record.fields, name: None})
            page = adapter.to_page(spec, fields, [case.api_shape(cleared)])
            return page.records[0].external_id if page.records else None

        own = key_after_clearing("\0")  # nothing cleared: the record's own key
        return {name for name in candidates if key_after_clearing(name) == own}
    finally:
        adapter.close()


def test_optional_fields_stay_optional_and_clears_carry_over(hub: Hub) -> None:
    """A record the vendor holds with only its required fields (a HubSpot contact without a
    last name, a company without a name) is stored, and a field cleared at the vendor is
    cleared in the hub."""
    case, control = hub.case, hub.sandbox.control
    system, tenant = case.system.value, case.tenant
    assert hub.sync(full=True).state is RunState.SUCCEEDED
    for entity, object_name in case.objects.items():
        required = control.required_fields(system, tenant, object_name)
        first, second = islice(control.iter_records(system, tenant, object_name, page_size=2), 2)
        control.update(
            system, tenant, object_name, first.id, dict.fromkeys(_clearable(hub, entity, first))
        )
        control.create(system, tenant, object_name, {f: second.fields.get(f) for f in required})
    run = hub.sync()
    assert run.state is RunState.SUCCEEDED, run.error
    assert run.totals.failed == 0
    _assert_exact(hub)


def _other_text_field(hub: Hub, entity: Entity, avoid: set[str]) -> tuple[str, str]:
    """A mapped, writable text field the local edit does not touch: (canonical, vendor)."""
    case = hub.case
    sandbox_fields = set(
        hub.sandbox.control.tenant(case.system.value, case.tenant)["objects"][case.objects[entity]][
            "fields"
        ]
    )
    adapter = hub.adapter()
    try:
        rules = adapter.field_map(entity).rules
    finally:
        adapter.close()
    for rule in rules:
        name = rule.vendor.split(".")[-1]
        if (
            rule.canonical not in avoid
            and rule.custom_name is None
            and rule.writable
            and rule.direction is Direction.BOTH
            and rule.convert.name == convert.TEXT.name
            and name in sandbox_fields
        ):
            return rule.canonical, name
    raise AssertionError(f"{case.id}: no other text field on {entity.value}")


@pytest.mark.parametrize("direction", [Direction.BOTH, Direction.PUSH])
def test_timestamp_policy_merges_field_by_field(hub: Hub, direction: Direction) -> None:
    """A local edit of one field and a later vendor edit of another: both survive on both
    sides, and it is no conflict (a conflict is one field changed on both sides)."""
    case, control = hub.case, hub.sandbox.control
    if case.push_entity is None:
        pytest.skip(f"{case.id}: no writable entity")
    entity = case.push_entity
    assert hub.sync(full=True).state is RunState.SUCCEEDED
    external_id = _local_edit(hub)
    canonical, vendor_field = _other_text_field(hub, entity, set(case.local_edit))
    value = f"Remote merge {external_id[-4:]}"
    control.update(
        case.system.value, case.tenant, case.objects[entity], external_id, {vendor_field: value}
    )  # fmt: skip — the vendor's edit is the later one
    run = hub.sync(direction=direction, conflict_policy=ConflictPolicy.TIMESTAMP)
    assert run.state is RunState.SUCCEEDED, run.error
    assert run.totals.conflicts == 0
    stored, truth = hub.stored(entity)[external_id], hub.truth(entity)[external_id]
    assert stored == truth
    assert truth[canonical] == value
    for name, edited in case.local_edit.items():
        assert str(truth[name]) == str(edited)


def test_full_sync_marks_purged_records_deleted(hub: Hub) -> None:
    """Records purged at the vendor (gone from every API, no tombstone) are deleted in the hub
    by the next full sync, and a dry run predicts exactly that."""
    case, control = hub.case, hub.sandbox.control
    system, tenant = case.system.value, case.tenant
    entity = case.first_entity
    object_name = case.objects[entity]
    purged = hub.vendor_creates(3)
    assert hub.sync(full=True).state is RunState.SUCCEEDED
    for record_id in purged:
        control.delete(system, tenant, object_name, record_id, hard=True)
    dry = hub.sync(full=True, dry_run=True)
    assert dry.state is RunState.SUCCEEDED, dry.error
    assert dry.counts[entity].deleted == len(purged)
    run = hub.sync(full=True)
    assert run.state is RunState.SUCCEEDED, run.error
    assert run.counts[entity].deleted == len(purged)
    _assert_exact(hub)


def _edit_at_vendor(hub: Hub, *, skip: int, count: int | None) -> int:
    """Edit live records of the first entity at the vendor (after the first `skip`)."""
    case, control = hub.case, hub.sandbox.control
    entity, object_name = case.first_entity, case.objects[case.first_entity]
    records = list(control.iter_records(case.system.value, case.tenant, object_name))
    picked = records[skip : None if count is None else skip + count]
    for record in picked:
        control.update(
            case.system.value, case.tenant, object_name, record.id, case.remote_edit(entity, record)
        )
    return len(picked)


def test_a_vendor_clock_ahead_of_ours_hides_no_change(hub: Hub) -> None:
    """Writes stamped ahead of our clock are read by the run that follows them, and a
    vendor clock set back afterwards (corrected) hides nothing either."""
    case, control = hub.case, hub.sandbox.control
    assert hub.sync(full=True).state is RunState.SUCCEEDED
    control.set_vendor_clock(case.system.value, case.tenant, skew_ms=90_000)
    _edit_at_vendor(hub, skip=0, count=3)
    run = hub.sync()
    assert run.state is RunState.SUCCEEDED, run.error
    _assert_exact(hub)
    control.set_vendor_clock(case.system.value, case.tenant, skew_ms=0)  # corrected: back 90 s
    _edit_at_vendor(hub, skip=3, count=3)
    run = hub.sync()
    assert run.state is RunState.SUCCEEDED, run.error
    _assert_exact(hub)


# Vendors whose modified stamps carry milliseconds: for them one instant is not one second.
MILLISECONDS = {System.HUBSPOT, System.SALESFORCE, System.SAP, System.ORACLE}


@pytest.mark.parametrize("instant", ["same second", "same millisecond"])
def test_same_second_edits_across_page_boundaries_are_all_read(hub: Hub, instant: str) -> None:
    """Every record of the first entity edited within one second (a millisecond apart), or
    at one instant (a bulk edit) at the vendor: the incremental read pages through them,
    all sharing the cursor's stamp or second, and misses none."""
    case, control = hub.case, hub.sandbox.control
    system, tenant = case.system.value, case.tenant
    repeat = instant == "same millisecond"
    if repeat and case.system not in MILLISECONDS:
        pytest.skip(f"{case.id} stamps whole seconds: the same second is the same instant")
    assert hub.sync(full=True).state is RunState.SUCCEEDED
    second = control.set_vendor_clock(system, tenant) // 1000 * 1000
    control.set_vendor_clock(system, tenant, frozen_at_ms=second, repeat=repeat)
    edited = _edit_at_vendor(hub, skip=0, count=None)
    control.set_vendor_clock(system, tenant)
    run = hub.sync()
    assert run.state is RunState.SUCCEEDED, run.error
    assert run.counts[case.first_entity].updated == edited
    assert run.counts[case.first_entity].pages >= 3
    _assert_exact(hub)


def test_pipedrive_deletions_survive_entries_moving_during_the_read(hub: Hub) -> None:
    """/v1/recents pages by offset: entries edited while it is read move to its end and
    shift the rest back; the deletions at a page boundary must still be read."""
    case, control = hub.case, hub.sandbox.control
    if case.system is not System.PIPEDRIVE:
        pytest.skip("Pipedrive's /v1/recents only")
    system, tenant = case.system.value, case.tenant
    assert hub.sync(full=True).state is RunState.SUCCEEDED
    since = datetime.now(UTC) - timedelta(seconds=1)
    people = [r.id for r in control.iter_records(system, tenant, "persons")]
    for person in people[:495]:
        control.update(system, tenant, "persons", person, {"job_title": "Touched"})
    deleted = people[495:505]  # around the first page boundary of 500 entries
    for person in deleted:
        control.delete(system, tenant, "persons", person)
    for person in people[505:705]:
        control.update(system, tenant, "persons", person, {"job_title": "Touched"})
    adapter = hub.adapter()
    seen: set[str] = set()
    moved = False
    try:
        for page in adapter.read(Entity.CONTACT, since=since, resume=None):
            seen.update(r.external_id for r in page.records if r.deleted)
            if (page.resume or {}).get("deleted") not in (None, "start") and not moved:
                for person in people[:50]:  # edited now: they move to the end of the list
                    control.update(system, tenant, "persons", person, {"job_title": "Again"})
                moved = True
    finally:
        adapter.close()
    assert moved
    assert set(deleted) <= seen, sorted(set(deleted) - seen)


def test_a_full_sync_proves_it_is_complete_with_the_vendors_count(hub: Hub) -> None:
    """After a full sync the vendor's own count (one call) equals what the hub holds, and
    the run says so; a record the vendor holds but the hub cannot is counted as missing."""
    case, control = hub.case, hub.sandbox.control
    adapter = hub.adapter()
    try:
        counts = {entity: adapter.count(entity) for entity in case.objects}
    finally:
        adapter.close()
    if all(n is None for n in counts.values()):
        pytest.skip(f"{case.id}: no cheap count implemented yet")
    run = hub.sync(full=True)
    assert run.state is RunState.SUCCEEDED, run.error
    said = [
        e.message
        for e in hub.service.monitoring.logs(ORG, LogFilter(run_id=run.id, text="complete")).items
    ]
    for entity, vendor in counts.items():
        if vendor is not None:
            assert vendor == len(hub.truth(entity))
            assert f"{entity.value}: complete: {vendor:,} of {vendor:,}" in said, said
    if case.system is System.HUBSPOT:  # a value our mapping cannot read: one short, and why
        control.create("hubspot", case.tenant, "companies", {"numberofemployees": "forty"})
        run = hub.sync(full=True)
        said = [
            e.message
            for e in hub.service.monitoring.logs(ORG, LogFilter(run_id=run.id, text="holds")).items
        ]
        vendor = counts[Entity.ACCOUNT]
        assert vendor is not None
        assert (
            f"account: incomplete: the vendor holds {vendor + 1:,} live record(s), the hub "
            f"{vendor:,}; 1 known to fail (see record issues)"
        ) in said, said


def _counts(run: SyncRun) -> dict[Entity, tuple[int, int, int, int, int]]:
    return {
        entity: (c.created, c.updated, c.deleted, c.conflicts, c.pushed)
        for entity, c in run.counts.items()
    }


@pytest.mark.parametrize("direction", [Direction.BOTH, Direction.PUSH])
def test_a_dry_run_predicts_the_real_runs_counts(hub: Hub, direction: Direction) -> None:
    """Vendor edits, a vendor create and delete, local edits, and records changed on both
    sides (the same field, and different fields): a dry run's creates, updates, deletes,
    conflicts and pushes equal those of the real run started right after it."""
    case, control = hub.case, hub.sandbox.control
    entity = case.push_entity
    if entity is None:
        pytest.skip(f"{case.id}: no writable entity")
    system, tenant, object_name = case.system.value, case.tenant, case.objects[entity]
    assert hub.sync(full=True).state is RunState.SUCCEEDED
    records = list(islice(control.iter_records(system, tenant, object_name), 8))
    ids = sorted(hub.stored(entity))
    for record in records[:2]:  # vendor edits
        control.update(system, tenant, object_name, record.id, case.remote_edit(entity, record))
    control.delete(system, tenant, object_name, records[2].id)
    control.create(
        system,
        tenant,
        object_name,
        {f: records[3].fields.get(f) for f in control.required_fields(system, tenant, object_name)},
    )
    vendor_side = {r.id for r in records[:4]}
    local_only, same_field, other_field = [i for i in ids if i not in vendor_side][:3]
    for external_id in (local_only, same_field, other_field):
        hub.service.review.edit_record(
            ORG, hub.connection.id, entity, external_id, dict(case.local_edit)
        )
    same = control.get(system, tenant, object_name, same_field)
    assert same is not None
    control.update(system, tenant, object_name, same_field, case.remote_edit(entity, same))
    _canonical, vendor_field = _other_text_field(hub, entity, set(case.local_edit))
    control.update(system, tenant, object_name, other_field, {vendor_field: "Remote other"})

    dry = hub.sync(direction=direction, dry_run=True, conflict_policy=ConflictPolicy.TIMESTAMP)
    real = hub.sync(direction=direction, conflict_policy=ConflictPolicy.TIMESTAMP)
    assert dry.state is real.state is RunState.SUCCEEDED, (dry.error, real.error)
    assert _counts(dry) == _counts(real)
    assert real.counts[entity].conflicts >= 1 and real.counts[entity].pushed >= 2
