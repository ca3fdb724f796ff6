"""The engine issue's proofs, for every system, against the sandbox over real HTTP.

Each test runs the product as a user would (service -> queued run -> worker ->
adapter -> sandbox) and compares what ToothPick stores with the sandbox's
truth, mapped field by field through the adapter's own field map.
"""

from __future__ import annotations

import pytest

from core.models import ConflictPolicy, Direction, RunState
from core.store.queries import LogFilter
from core.sync.context import PLANNED_LIMIT
from tests.proof.case import ProofCase
from tests.proof.conftest import ORG, Hub


def _assert_exact(hub: Hub) -> None:
    for entity in hub.case.objects:
        stored, truth = hub.stored(entity), hub.truth(entity)
        assert stored.keys() == truth.keys(), entity
        mismatched = [key for key in truth if stored[key] != truth[key]]
        assert not mismatched, (
            entity,
            mismatched[:3],
            {k: (stored[mismatched[0]].get(k), v) for k, v in truth[mismatched[0]].items()
             if stored[mismatched[0]].get(k) != v},
        )  # fmt: skip


def test_full_sync_equals_the_sandbox_truth(hub: Hub) -> None:
    run = hub.sync(full=True)
    assert run.state is RunState.SUCCEEDED, run.error
    _assert_exact(hub)
    first = hub.case.first_entity
    assert run.counts[first].pages >= 3  # the proof pages through several pages
    assert run.counts[first].created == len(hub.truth(first))


def _edit_remotely(hub: Hub, how_many: int) -> list[str]:
    case, control = hub.case, hub.sandbox.control
    entity = case.first_entity
    picked = []
    for record in control.iter_records(case.system.value, case.tenant, case.objects[entity]):
        if record.deleted:
            continue
        control.update(
            case.system.value, case.tenant, case.objects[entity], record.id,
            case.remote_edit(entity, record),
        )  # fmt: skip
        picked.append(record.id)
        if len(picked) == how_many:
            return picked
    return picked


def test_incremental_sync_fetches_only_what_changed(hub: Hub) -> None:
    hub.sync(full=True)
    case, control = hub.case, hub.sandbox.control
    entity = case.first_entity
    edited = _edit_remotely(hub, 3)
    control.reset_stats()
    run = hub.sync()
    assert run.state is RunState.SUCCEEDED, run.error
    served = control.records_served(case.system.value, case.tenant, case.objects[entity])
    # Only the edits, plus at most the records sharing the committed cursor's instant.
    assert len(edited) <= served <= len(edited) + 3, served
    assert run.counts[entity].updated == len(edited)
    _assert_exact(hub)


def _local_edit(hub: Hub) -> str:
    case = hub.case
    assert case.push_entity is not None
    external_id = sorted(hub.stored(case.push_entity))[0]
    hub.service.review.edit_record(
        ORG, hub.connection.id, case.push_entity, external_id, dict(case.local_edit)
    )
    return external_id


def test_push_lands_in_the_sandbox(hub: Hub) -> None:
    case = hub.case
    if case.push_entity is None:
        pytest.skip(f"{case.id}: no writable entity")
    hub.sync(full=True)
    external_id = _local_edit(hub)
    run = hub.sync(direction=Direction.PUSH)
    assert run.state is RunState.SUCCEEDED, run.error
    assert run.counts[case.push_entity].pushed == 1
    truth = hub.truth(case.push_entity)[external_id]
    for name, value in case.local_edit.items():
        assert truth[name] == hub.stored(case.push_entity)[external_id][name] == value or (
            str(truth[name]) == str(value)
        )
    assert not list(
        hub.service.runtime.store.iter_records(
            ORG, hub.connection.id, case.push_entity, pending_only=True
        )
    )


@pytest.mark.parametrize("policy", list(ConflictPolicy))
def test_conflict_policies(hub: Hub, policy: ConflictPolicy) -> None:
    case, control = hub.case, hub.sandbox.control
    if case.push_entity is None:
        pytest.skip(f"{case.id}: no writable entity")
    entity = case.push_entity
    hub.sync(full=True)
    external_id = _local_edit(hub)
    base_version = hub.truth(entity)[external_id]
    local_version = hub.stored(entity)[external_id]
    truth_record = control.get(case.system.value, case.tenant, case.objects[entity], external_id)
    assert truth_record is not None
    control.update(
        case.system.value,
        case.tenant,
        case.objects[entity],
        external_id,
        case.remote_edit(entity, truth_record),
    )  # fmt: skip — the vendor's edit is the newer one
    remote_version = hub.truth(entity)[external_id]
    run = hub.sync(direction=Direction.BOTH, conflict_policy=policy)
    assert run.state is RunState.SUCCEEDED, run.error
    assert run.totals.conflicts >= 1
    conflicts = hub.service.review.conflicts(ORG).items
    if policy is ConflictPolicy.MANUAL:
        [conflict] = conflicts
        assert conflict.local == local_version and conflict.remote == remote_version
        assert hub.stored(entity)[external_id] == local_version  # nothing overwritten
        assert hub.truth(entity)[external_id] == remote_version
    elif policy is ConflictPolicy.SKIP:
        assert conflicts == []
        assert hub.stored(entity)[external_id] == local_version
        assert hub.truth(entity)[external_id] == remote_version
        skipped = hub.service.monitoring.logs(ORG, LogFilter(run_id=run.id, text="skipped"))
        assert skipped.total >= 1
    else:  # timestamp, field by field: the vendor's later edit wins the fields it changed
        assert conflicts == []
        expected = {
            name: value if value != base_version[name] else local_version[name]
            for name, value in remote_version.items()
        }
        assert hub.stored(entity)[external_id] == expected
        assert hub.truth(entity)[external_id] == expected


def test_dry_run_changes_nothing_anywhere(hub: Hub) -> None:
    case, control = hub.case, hub.sandbox.control
    control.reset_stats()
    run = hub.sync(full=True, dry_run=True, direction=Direction.BOTH)
    assert run.state is RunState.SUCCEEDED, run.error
    for entity in case.objects:
        assert hub.stored(entity) == {}
    expected = sum(len(hub.truth(entity)) for entity in case.objects)
    assert len(run.planned) == min(expected, PLANNED_LIMIT)
    assert {p.action for p in run.planned} == {"create"}
    writes = [
        row for row in control.stats()["requests"]
        if row.get("op") in ("create", "update", "delete") and row.get("count", 0) > 0
    ]  # fmt: skip
    assert writes == []
    assert (
        hub.service.runtime.store.get_sync_state(ORG, hub.connection.id, case.first_entity) is None
    )


FAULTS = {
    # Retry-After of 1 s keeps the proof quick; honouring it is what is proven.
    "429-storm": ["ok", *[{"kind": "rate_limited", "retry_after_s": 1}] * 3],
    "5xx-burst": [
        "ok",
        {"kind": "server_error", "status": 503},
        {"kind": "server_error", "status": 502},
        {"kind": "server_error", "status": 500},
    ],
    "timeout": ["ok", {"kind": "slow", "delay_s": 4.5}],
    "dropped-connection": ["ok", "drop", "drop"],
    "malformed-page": ["ok", "malformed"],
    "truncated-page": ["ok", "truncated"],
    "token-expiry-mid-pagination": ["ok", "token_expired"],
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_faults_end_in_the_exact_truth(hub: Hub, fault: str) -> None:
    case, control = hub.case, hub.sandbox.control
    control.add_fault(
        {
            "system": case.system.value,
            "tenant": case.tenant,
            "object": case.objects[case.first_entity],
            "op": "list",
            "sequence": FAULTS[fault],
        }
    )
    first = hub.sync(full=True)
    if first.state is RunState.FAILED:
        assert first.error, "a failed run says why"
        control.clear_faults()
        second = hub.sync()
        assert second.state is RunState.SUCCEEDED, second.error
    else:
        assert first.state is RunState.SUCCEEDED, first.error
        if fault != "token-expiry-mid-pagination":
            assert first.totals.retries >= 1, "the fault was absorbed by a retry"
    _assert_exact(hub)
    counts = hub.service.runtime.store.count_records(ORG, hub.connection.id)
    for entity in case.objects:
        assert counts.get(entity, 0) == len(hub.truth(entity))  # nothing lost or doubled


def test_case_declares_reachable_entities(case: ProofCase) -> None:
    assert case.objects, "a proof case names at least one entity"
