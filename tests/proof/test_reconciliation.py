"""Reconciliation (issue 15): records deleted, added and altered behind the hub's back
(through the sandbox's control API, no webhooks, no sync in between) are found by a
reconciliation run, named as missing, extra and stale, and repaired to the exact truth.
"""

from __future__ import annotations

from itertools import islice

from core.models import RunState
from tests.proof.conftest import Hub
from tests.proof.test_sync_proofs import _assert_exact


def test_reconciliation_finds_and_repairs_changes_made_behind_the_hubs_back(hub: Hub) -> None:
    case, control = hub.case, hub.sandbox.control
    system, tenant = case.system.value, case.tenant
    entity = case.first_entity
    object_name = case.objects[entity]
    required = control.required_fields(system, tenant, object_name)
    model, *others = islice(control.iter_records(system, tenant, object_name), 6)

    def new_record() -> str:
        return control.create(
            system, tenant, object_name, {f: model.fields.get(f) for f in required}
        ).id

    purged = [new_record() for _ in range(2)]  # nothing refers to them: the vendor may purge
    assert hub.sync(full=True).state is RunState.SUCCEEDED
    adapter = hub.adapter()
    try:
        counts = adapter.count(entity) is not None
    finally:
        adapter.close()

    quiet = hub.sync(reconcile=True)
    assert quiet.state is RunState.SUCCEEDED, quiet.error
    held = len(hub.truth(entity))
    c = quiet.counts[entity]
    assert c.completeness() == f"complete: {held:,} of {held:,}"
    assert (c.missing, c.extra, c.stale, c.repaired) == (0, 0, 0, 0)
    if counts:  # the vendor counts: one call proves it (plus a sign-in), nothing is listed
        assert c.api_calls <= 3 and c.pages == 0, (c.api_calls, c.pages)

    for record_id in purged:
        control.delete(system, tenant, object_name, record_id, hard=True)
    added = [new_record() for _ in range(3)]
    for record in others[:2]:
        control.update(system, tenant, object_name, record.id, case.remote_edit(entity, record))

    run = hub.sync(reconcile=True)
    assert run.state is RunState.SUCCEEDED, run.error
    c = run.counts[entity]
    assert (c.missing, c.extra, c.stale) == (len(added), len(purged), 2)
    assert c.repaired == len(added) + len(purged) + 2 and c.unexplained == 0
    held = len(hub.truth(entity))
    assert (
        c.completeness()
        == f"3 missing, 2 extra, 2 stale; 7 repaired; complete: {held:,} of {held:,}"
    )
    _assert_exact(hub)
    assert not hub.service.alerts.open_alerts("proof")
