"""Killing the worker between the vendor's accept of a create and the local write of its id:
the run taken over never makes a second vendor record.

The sandbox's `slow_answer` fault applies the create at once and answers late; the worker
is killed (SIGKILL) while it waits, once the vendor holds the record. A second worker takes
the run over when the heartbeat goes stale and pushes the still-pending local record again.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest

from core.clock import utcnow
from core.models import Direction, Entity, RunState, SyncOptions, System
from tests.proof.conftest import ORG, Hub
from tests.proof.test_worker_kill import _stop, _worker

ERP_KILL_CASES = (System.ODOO, System.SAP, System.ORACLE)

EMAIL = "kill.between.accept.and.write@example.com"
# Systems whose contact creates are idempotent: (object, email field, method of the create).
# HubSpot and Zoho upsert by the e-mail, Salesforce by its external-id field holding our
# local id, Pipedrive looks that id up in its correlation field before creating again.
IDEMPOTENT_CREATES = {
    System.SALESFORCE: ("Contact", "Email", "PATCH"),
    System.HUBSPOT: ("contacts", "email", "POST"),
    System.ZOHO: ("Contacts", "Email", "POST"),
    System.PIPEDRIVE: ("persons", "emails", "POST"),
}


def _vendor_matches(hub: Hub) -> list[str]:
    case, control = hub.case, hub.sandbox.control
    object_name, email, _method = IDEMPOTENT_CREATES[case.system]
    return [
        r.id
        for r in control.iter_records(case.system.value, case.tenant, object_name)
        if not r.deleted and EMAIL in str(r.fields.get(email))  # Pipedrive: a list of e-mails
    ]


def test_a_create_accepted_before_the_kill_is_not_made_twice(hub: Hub) -> None:
    case, control = hub.case, hub.sandbox.control
    if case.system in ERP_KILL_CASES:  # no contacts: each ERP kills a create of its own entity
        pytest.skip(f"{case.id}: an ERP; tests/proof/test_push_kill_erp.py kills its create")
    object_name, _email, method = IDEMPOTENT_CREATES[case.system]
    hub.sync(full=True)
    hub.service.runtime.store.set_local_change(
        ORG, hub.connection.id, Entity.CONTACT, "local:kill-1",
        {"first_name": "Killed", "last_name": "Mid-push", "email": EMAIL}, at=utcnow(),
    )  # fmt: skip
    control.add_fault(
        {"system": case.system.value, "tenant": case.tenant, "method": method,
         "object": object_name, "kind": "slow_answer", "delay_s": 60, "rate": 1.0}
    )  # fmt: skip
    run = hub.service.syncs.queue_sync(
        ORG, hub.connection.id, SyncOptions(direction=Direction.PUSH)
    )
    first, second = _worker(), None
    try:
        deadline = time.monotonic() + 60
        while not _vendor_matches(hub):
            assert time.monotonic() < deadline, "the vendor never received the create"
            assert first.poll() is None, "the first worker died on its own"
            time.sleep(0.05)
        _stop_hard(first)
        pending = hub.service.runtime.store.get_records(
            ORG, hub.connection.id, Entity.CONTACT, ["local:kill-1"]
        )
        assert pending, "the local record learnt its vendor id before the kill"
        control.clear_faults()
        second = _worker()
        deadline = time.monotonic() + 90
        while not hub.service.syncs.get_run(ORG, run.id).state.is_finished:
            assert time.monotonic() < deadline, "the run was never finished by the second worker"
            time.sleep(0.2)
        done = hub.service.syncs.get_run(ORG, run.id)
        assert done.state is RunState.SUCCEEDED, done.error
        assert done.attempt == 2
    finally:
        _stop(first)
        if second is not None:
            _stop(second)
    [vendor_id] = _vendor_matches(hub)  # one vendor record, not two
    stored = hub.stored(Entity.CONTACT)
    assert "local:kill-1" not in stored
    assert stored[vendor_id]["email"] == EMAIL
    assert stored[vendor_id]["last_name"] == "Mid-push"


def _stop_hard(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGKILL)  # no goodbye: the heartbeat just stops
    process.wait(timeout=10)
