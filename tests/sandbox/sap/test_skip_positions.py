"""$skip paging after a write: a $skip counts matching rows in the current data, so the
pages of a listing fetched after a purge and a create, in any order (a client that
prefetches pages asks for later ones first), hold every live record once."""

from __future__ import annotations

import requests

from sandbox.testing import RunningSandbox
from tests.sandbox.sap.conftest import ROOT, SYSTEM

TOP = 50


def _page(sandbox: RunningSandbox, session: requests.Session, skip: int) -> list[str]:
    params = {"$top": str(TOP), "$skip": str(skip), "$select": "Product", "$format": "json"}
    url = f"{sandbox.url}{ROOT}/API_PRODUCT_SRV/A_Product"
    body = session.get(url, params=params, timeout=10).json()
    return [row["Product"] for row in body["d"]["results"]]


def test_pages_fetched_after_a_purge_and_a_create_hold_every_live_record_once(
    sandbox: RunningSandbox, session: requests.Session
) -> None:
    control = sandbox.control
    control.reset(SYSTEM, "acme", scale={"A_Product": 300})
    before = [p for skip in range(0, 300, TOP) for p in _page(sandbox, session, skip)]
    assert len(before) == 300
    control.delete(SYSTEM, "acme", "A_Product", before[3], hard=True)
    model = next(iter(control.iter_records(SYSTEM, "acme", "A_Product")))
    required = control.required_fields(SYSTEM, "acme", "A_Product")
    fields = {f: model.fields.get(f) for f in required}
    created = control.create(SYSTEM, "acme", "A_Product", fields)
    after = [p for skip in range(250, -1, -TOP) for p in _page(sandbox, session, skip)]
    assert sorted(after) == sorted([p for p in before if p != before[3]] + [created.id])
