"""Generated records and Odoo's list answers, pinned by digest.

The sandbox's CPU is trimmed by caching and by skipping repeated look-ups, never by
changing what it answers: a faster path must yield the same bytes. These digests were
taken before any such change (3,000 records of every object, every shipped tenant), so
a change to a generator, to `Draw` or to the order a query returns fails here.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from sandbox.core.config import SandboxConfig
from sandbox.core.state import Sandbox
from sandbox.core.tenants import Tenant
from sandbox.odoo import orm
from sandbox.odoo.db import OdooDb

SCALE = 3000
INDEXES = (0, 1, 2, 7, 99, 1234, 2999)

GENERATED = {
    "salesforce/acme": "ecccd3d84211e42a",
    "salesforce/globex": "e1440a3faf969625",
    "hubspot/acme": "454ef9b83e3740fc",
    "hubspot/globex": "1b873525f3e25432",
    "zoho/acme": "807cc71c6a19fd36",
    "zoho/globex": "13f5842914727dad",
    "pipedrive/acme": "f0cfc9d2f8ae1741",
    "pipedrive/globex": "b4367904c49866f5",
    "odoo/acme": "8c020e587346bdad",
    "odoo/globex": "91c1570ec3cf7658",
    "odoo/initech": "e9e2def94c416f5e",
    "sap/acme": "359e0e32fd483546",
    "sap/globex": "f502a90e8b1c5ff2",
    "oracle/acme": "73fc16b6b2275cee",
    "oracle/globex": "4c74c1304e0782e2",
}
ODOO_QUERIES = {"acme": "a2b42d2a658ceeef", "globex": "7f76498ccb20054f"}


def _digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, default=repr)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@pytest.fixture(scope="module")
def state() -> Sandbox:
    return Sandbox(SandboxConfig(webhooks=False))


def _fresh(state: Sandbox, system: str, name: str) -> Tenant:
    tenant = state.tenant(system, name)
    tenant.reset(scale=dict.fromkeys(tenant.specs, SCALE))
    return tenant


@pytest.mark.parametrize("label", sorted(GENERATED))
def test_generated_records_are_unchanged(state: Sandbox, label: str) -> None:
    tenant = _fresh(state, *label.split("/"))
    rows = []
    for name in sorted(tenant.specs):
        collection = tenant.collection(name)
        for index in INDEXES:
            if index < collection.count:
                e = collection.generate(index)
                rows.append([name, e.index, e.id, e.fields, e.created_ms, e.modified_ms])
    assert _digest(rows) == GENERATED[label]


@pytest.mark.parametrize("name", sorted(ODOO_QUERIES))
def test_odoo_list_answers_are_unchanged(state: Sandbox, name: str) -> None:
    """What the Odoo adapter asks during a full read (a filtered id list, lines by order
    id sorted by order), plus a sort by name past an offset and by a many2one."""
    tenant = _fresh(state, "odoo", name)

    def call(model: str, method: str, **kwargs: Any) -> Any:
        return orm.call(OdooDb(tenant), model, method, None, [], kwargs)

    answers = [
        call("sale.order", "search", domain=[["state", "in", ["sale", "done"]]], order="id asc"),
        call(
            "sale.order.line",
            "search_read",
            domain=[["order_id", "in", list(range(1, 400, 3))]],
            order="order_id, sequence, id",
        ),
        call("sale.order", "search_read", domain=[], order="name desc, id", offset=40, limit=30),
        call(
            "res.partner",
            "search_read",
            domain=[["customer_rank", ">", 0]],
            order="parent_id, id",
            limit=200,
            fields=["name", "parent_id"],
        ),
        call(
            "stock.quant",
            "search_read",
            domain=[["location_id.usage", "in", ["internal"]]],
            limit=300,
        ),
    ]
    assert _digest(answers) == ODOO_QUERIES[name]
