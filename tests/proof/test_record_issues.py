"""Per-record failures you can act on (issue 15): stored with cause, field, hint and
attempts; retried with backoff, by a person's retry, or dismissed; resolved by success."""

from __future__ import annotations

from itertools import islice

import pytest

from core.models import Direction, Entity, IssueDirection, IssueState, RunState, System
from core.worker import Worker
from tests.proof.conftest import ORG, Hub
from tests.proof.test_sync_proofs import _assert_exact

DAY_MS = 86_400_000


def _run(hub: Hub, run_id: str) -> RunState:
    Worker(hub.service, worker_id="proof-worker").run_by_id(run_id)
    return hub.service.syncs.get_run(ORG, run_id).state


def _required_mapped_field(hub: Hub, entity: Entity) -> str | None:
    """A canonical field mapped onto a field the vendor requires (None: there is none)."""
    case = hub.case
    required = hub.sandbox.control.required_fields(
        case.system.value, case.tenant, case.objects[entity]
    )
    adapter = hub.adapter()
    try:
        rules = adapter.field_map(entity).rules
    finally:
        adapter.close()
    for rule in rules:
        if rule.writable and rule.custom_name is None and rule.vendor.split(".")[-1] in required:
            return rule.canonical
    return None


def test_a_refused_push_is_kept_backed_off_dismissed_retried_and_resolved(hub: Hub) -> None:
    case = hub.case
    entity = case.push_entity
    if entity is None:
        pytest.skip(f"{case.id}: no writable entity")
    name = _required_mapped_field(hub, entity)
    if name is None:
        pytest.skip(f"{case.id}: the vendor requires none of {entity.value}'s mapped fields")
    assert hub.sync(full=True).state is RunState.SUCCEEDED
    external_id = sorted(hub.stored(entity))[0]
    hub.service.review.edit_record(ORG, hub.connection.id, entity, external_id, {name: None})

    run = hub.sync(direction=Direction.PUSH)
    assert run.state is RunState.SUCCEEDED, run.error
    assert run.totals.failed == 1
    [issue] = hub.service.issues.issues(ORG)
    assert (issue.entity, issue.direction, issue.external_id) == (
        entity,
        IssueDirection.PUSH,
        external_id,
    )
    assert issue.attempts == 1 and issue.state is IssueState.OPEN
    assert issue.code not in ("error", "") and issue.message, issue.message
    assert issue.hint, issue.code  # a plain-words hint for a missing required field
    [group] = hub.service.issues.groups(ORG)
    assert group.count == 1 and group.issue_ids == (issue.id,)

    again = hub.sync(direction=Direction.PUSH)  # backing off: not tried again yet
    assert again.state is RunState.SUCCEEDED and again.totals.failed == 0
    assert hub.service.issues.issues(ORG)[0].attempts == 1

    assert hub.service.issues.dismiss(ORG, [issue.id]) == 1
    assert hub.service.issues.issues(ORG) == []
    [dismissed] = hub.service.issues.issues(ORG, states=[IssueState.DISMISSED])
    assert dismissed.id == issue.id

    [retry] = hub.service.issues.retry(ORG, [issue.id])  # still empty: refused again
    assert _run(hub, retry.id) is RunState.SUCCEEDED
    [issue] = hub.service.issues.issues(ORG)
    assert issue.attempts == 2

    hub.service.review.edit_record(ORG, hub.connection.id, entity, external_id, {name: "Fixed"})
    [retry] = hub.service.issues.retry(ORG, [issue.id])
    assert _run(hub, retry.id) is RunState.SUCCEEDED
    assert hub.service.issues.issues(ORG) == []
    [resolved] = hub.service.issues.issues(ORG, states=[IssueState.RESOLVED])
    assert resolved.resolved_at is not None
    assert hub.truth(entity)[external_id][name] == "Fixed"


def test_a_record_our_mapping_cannot_read_is_read_again_by_id(hub: Hub) -> None:
    """HubSpot keeps every property as text: a company's employee count may hold words our
    mapping cannot convert. The cursor moves past it; once the value is fixed (here while
    HubSpot's clock ran a day behind, so no incremental window would see the fix), a retry
    reads it again by id and the issue is resolved."""
    case, control = hub.case, hub.sandbox.control
    if case.system is not System.HUBSPOT:
        pytest.skip("HubSpot keeps numbers as free text")
    assert hub.sync(full=True).state is RunState.SUCCEEDED
    company, other = islice(control.iter_records("hubspot", case.tenant, "companies"), 2)
    control.update("hubspot", case.tenant, "companies", company.id, {"numberofemployees": "forty"})
    control.update("hubspot", case.tenant, "companies", other.id, {"city": "Later"})  # the cursor
    # moves past the failed record with this later change
    run = hub.sync()
    assert run.state is RunState.SUCCEEDED and run.totals.failed == 1
    [issue] = hub.service.issues.issues(ORG)
    assert (issue.entity, issue.direction, issue.external_id) == (
        Entity.ACCOUNT,
        IssueDirection.PULL,
        company.id,
    )
    assert (issue.code, issue.field) == ("mapping", "employees") and issue.hint

    control.set_vendor_clock("hubspot", case.tenant, skew_ms=-DAY_MS)
    control.update("hubspot", case.tenant, "companies", company.id, {"numberofemployees": "40"})
    control.set_vendor_clock("hubspot", case.tenant)
    assert hub.sync().state is RunState.SUCCEEDED  # the window has passed it: still open
    assert hub.service.issues.issues(ORG)[0].attempts == 1

    [retry] = hub.service.issues.retry(ORG, [issue.id])
    assert _run(hub, retry.id) is RunState.SUCCEEDED
    assert hub.service.issues.issues(ORG) == []
    assert hub.stored(Entity.ACCOUNT)[company.id]["employees"] == 40
    _assert_exact(hub)
