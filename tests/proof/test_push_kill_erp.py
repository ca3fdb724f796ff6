"""The ERPs' half of test_push_kill: killing the worker after the vendor accepted a create
and before the local record learnt its id never makes a second vendor record.

ERPs have no contacts, so each pushes a new record of its own push entity: Odoo a
customer through `load` with an external id, SAP a product under its own number in a
`$batch`, Oracle an item by its number in a batch action. The vendor's answer to that
write is held back (`slow_answer` on the write's path); the worker is SIGKILLed while
it waits, and a second worker takes the run over and pushes the record again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from core.clock import utcnow
from core.models import Direction, Entity, RunState, SyncOptions, System
from sandbox.control import TruthRecord
from tests.proof.conftest import ORG, Hub
from tests.proof.test_push_kill import _stop_hard
from tests.proof.test_worker_kill import _stop, _worker

EMAIL = "kill.between.accept.and.write@example.com"
SKU = "TP-KILL-1"


@dataclass(frozen=True)
class KillCase:
    entity: Entity
    object: str  # the sandbox object the create lands in
    data: dict[str, Any]  # the local record
    fault: dict[str, Any]  # what to hold back: the write call
    ours: Callable[[TruthRecord], bool]


KILL_CASES = {
    System.ODOO: KillCase(
        Entity.CUSTOMER, "res.partner", {"name": "Killed Mid-push", "email": EMAIL},
        {"object": "res.partner", "op": "create"},
        lambda r: r.fields.get("email") == EMAIL,
    ),
    System.SAP: KillCase(
        Entity.PRODUCT, "A_Product", {"sku": SKU, "name": "Killed mid-push", "unit": "PC"},
        {"method": "POST", "path": "/sap/opu/odata/sap/API_PRODUCT_SRV/$batch"},
        lambda r: r.id == SKU,
    ),
    System.ORACLE: KillCase(
        Entity.PRODUCT, "itemsV2", {"sku": SKU, "name": "Killed mid-push"},
        {"method": "POST", "path": "/fscmRestApi/resources/11.13.18.05"},
        lambda r: r.fields.get("ItemNumber") == SKU,
    ),
}  # fmt: skip


def _matches(hub: Hub, kill: KillCase) -> list[str]:
    control, case = hub.sandbox.control, hub.case
    return [
        r.id
        for r in control.iter_records(case.system.value, case.tenant, kill.object)
        if not r.deleted and kill.ours(r)
    ]


@pytest.mark.slow  # two worker processes and a stale heartbeat: 10-20 s a system
def test_an_erp_create_accepted_before_the_kill_is_not_made_twice(hub: Hub) -> None:
    case, control = hub.case, hub.sandbox.control
    if case.system not in KILL_CASES:
        pytest.skip(f"{case.id} is a CRM: tests/proof/test_push_kill.py covers it")
    kill = KILL_CASES[case.system]
    hub.service.runtime.store.set_local_change(
        ORG, hub.connection.id, kill.entity, "local:kill-1", kill.data, at=utcnow()
    )
    control.add_fault(
        {"system": case.system.value, "tenant": case.tenant, "kind": "slow_answer",
         "delay_s": 60, "rate": 1.0, **kill.fault}
    )  # fmt: skip
    run = hub.service.syncs.queue_sync(
        ORG, hub.connection.id, SyncOptions(direction=Direction.PUSH, entities=[kill.entity])
    )
    first, second = _worker(), None
    try:
        deadline = time.monotonic() + 60
        while not _matches(hub, kill):
            assert time.monotonic() < deadline, "the vendor never received the create"
            assert first.poll() is None, "the first worker died on its own"
            time.sleep(0.05)
        _stop_hard(first)
        store = hub.service.runtime.store
        assert store.get_records(ORG, hub.connection.id, kill.entity, ["local:kill-1"])
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
    [vendor_id] = _matches(hub, kill)  # one vendor record, not two
    stored = hub.stored(kill.entity)
    assert "local:kill-1" not in stored
    assert vendor_id in stored
