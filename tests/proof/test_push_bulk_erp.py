"""Bulk writes, ERPs (issue 17): pushing 1,000 new local records with 3 the vendor refuses
lands exactly 997, reports the 3 as record issues with the vendor's reasons, and costs
the write calls the batch size implies, counted from the sandbox's request log.

Odoo imports a batch with one `load` (a refused row fails the load: the row with another
column set goes alone), SAP sends one `$batch` per batch (a changeset per record: the bad
one fails alone inside it), Oracle one batch action per batch plus one more for a batch
whose bad part made Oracle refuse the whole of it (all-or-none).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from core.clock import utcnow
from core.models import Direction, Entity, RunState, System
from sandbox.control import TruthRecord
from tests.proof.conftest import ORG, Hub

TOTAL = 1000
BAD = (100, 500, 900)  # in three different batches at any batch size up to 100


@dataclass(frozen=True)
class BulkCase:
    entity: Entity
    object: str
    record: Callable[[int, bool], dict[str, Any]]  # the i-th local record (bad or not)
    ours: Callable[[TruthRecord], bool]
    reason: str  # words of the vendor's refusal
    write_calls: Callable[[dict[str, Any], str], int]  # from the request log, for a tenant
    expected: Callable[[int], int]  # write calls for this many batches


def _count(stats: dict[str, Any], tenant: str, **match: str) -> int:
    return sum(
        r["count"]
        for r in stats["requests"]
        if r["tenant"] == tenant and all(r.get(k) == v for k, v in match.items())
    )


CASES = {
    System.ODOO: BulkCase(
        Entity.CUSTOMER, "res.partner",
        lambda i, bad: {"email": f"c{i:04d}@bulk.example"} | ({} if bad else {"name": f"Bulk {i}"}),
        lambda r: str(r.fields.get("email") or "").endswith("@bulk.example"),
        "Contacts require a name",
        lambda stats, tenant: _count(stats, tenant, op="create"),  # `load` calls
        lambda batches: batches + len(BAD),  # the nameless row has its own columns
    ),
    System.SAP: BulkCase(
        Entity.PRODUCT, "A_Product",
        lambda i, bad: {"sku": f"TP-B{i:04d}", "name": f"Bulk {i}", "unit": "PC",
                        "category": "TOO-LONG-GROUP" if bad else "L001"},
        lambda r: r.id.startswith("TP-B"),
        "ProductGroup is longer than 9 characters",
        lambda stats, tenant: _count(
            stats, tenant, method="POST", path="/sap/opu/odata/sap/{service}/$batch"
        ),
        lambda batches: batches,
    ),
    System.ORACLE: BulkCase(
        Entity.PRODUCT, "itemsV2",
        lambda i, bad: {"sku": f"TP-B{i:04d}", "name": "x" * 300 if bad else f"Bulk {i}"},
        lambda r: str(r.fields.get("ItemNumber") or "").startswith("TP-B"),
        "longer than 240",
        lambda stats, tenant: _count(stats, tenant, method="POST", op="other"),
        lambda batches: batches + len(BAD),  # all-or-none: the rest is sent again
    ),
}  # fmt: skip


@pytest.mark.slow  # 4-12 s a system: a thousand records through the engine and the sandbox
def test_a_thousand_pushes_with_three_refusals_land_997_in_the_implied_calls(hub: Hub) -> None:
    case, control = hub.case, hub.sandbox.control
    if case.system not in CASES:
        pytest.skip(f"{case.id}: a CRM; tests/proof/test_bulk_push.py proves its bulk writes")
    bulk = CASES[case.system]
    store = hub.service.runtime.store
    now = utcnow()
    for i in range(TOTAL):
        store.set_local_change(
            ORG, hub.connection.id, bulk.entity, f"local:bulk-{i:04d}", bulk.record(i, i in BAD),
            at=now,
        )  # fmt: skip
    adapter = hub.adapter()
    size = int(getattr(adapter.info, "write_batch_size", 50))  # what the engine hands over
    adapter.close()
    control.reset_stats(system=case.system.value, tenant=case.tenant)

    run = hub.sync(direction=Direction.PUSH, entities=[bulk.entity])

    assert run.state is RunState.SUCCEEDED, run.error
    assert (run.totals.pushed, run.totals.failed) == (TOTAL - len(BAD), len(BAD))
    landed = [
        r
        for r in control.iter_records(case.system.value, case.tenant, bulk.object)
        if not r.deleted and bulk.ours(r)
    ]
    assert len(landed) == TOTAL - len(BAD)
    issues = hub.service.issues.issues(ORG, connection_id=hub.connection.id)
    assert sorted(i.external_id for i in issues) == [f"local:bulk-{i:04d}" for i in BAD]
    assert all(bulk.reason in issue.message for issue in issues), [i.message for i in issues]
    stored = hub.stored(bulk.entity)
    assert not [k for k in stored if k.startswith("local:bulk-") and int(k[-4:]) not in BAD]
    stats = control.stats(system=case.system.value, tenant=case.tenant)
    assert bulk.write_calls(stats, case.tenant) == bulk.expected(math.ceil(TOTAL / size))
