"""Deletes at the vendor reach the hub (issue 15, point 2: peers' "deletes never carried
over" and "deleted records that come back"), on every system.

Where the vendor shows a deletion to a changes read (HubSpot's archived list, Salesforce's
queryAll, Zoho's deleted records, Pipedrive's deleted status and recents, Odoo's sweep of
ids missing between live ones), the next incremental carries it. SAP's and Oracle's APIs
keep no trace of a deleted record: the next reconciliation (daily by default) finds and
carries it. Either way no later run brings a deleted record back, at the vendor or in the
hub.
"""

from __future__ import annotations

from core.models import ConflictPolicy, Direction, RunState, System
from tests.proof.conftest import Hub
from tests.proof.test_sync_proofs import _assert_exact

NO_TRACE = {System.SAP, System.ORACLE}  # a deleted record is gone from every API


def test_vendor_deletes_reach_the_hub_and_stay_deleted(hub: Hub) -> None:
    case, control = hub.case, hub.sandbox.control
    system, tenant = case.system.value, case.tenant
    entity = case.first_entity
    object_name = case.objects[entity]
    # The two deleted lie between live ones (Odoo's sweep sees ids missing between live
    # ones only).
    made = hub.vendor_creates(4)
    assert hub.sync(full=True).state is RunState.SUCCEEDED
    deleted = set(made[1:3])
    for record_id in deleted:
        control.delete(system, tenant, object_name, record_id)
    run = hub.sync(reconcile=case.system in NO_TRACE)
    assert run.state is RunState.SUCCEEDED, run.error
    assert run.counts[entity].deleted == len(deleted)
    assert not deleted & set(hub.stored(entity))
    _assert_exact(hub)
    both = hub.sync(direction=Direction.BOTH, conflict_policy=ConflictPolicy.TIMESTAMP)
    assert both.state is RunState.SUCCEEDED, both.error
    assert both.counts[entity].pushed == 0  # nothing sent back to the vendor
    _assert_exact(hub)  # none came back, at the vendor or in the hub (after a full
    # sync too: test_no_silent_loss.py's purged records)
