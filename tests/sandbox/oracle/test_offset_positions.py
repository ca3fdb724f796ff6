"""Offset paging after a write: an offset counts matching records in the current data,
so the pages of a listing fetched after a purge and a create, in any order (a client
that prefetches pages asks for later ones first), hold every live record once (a page
position remembered from before the write once served a listing's last pages short)."""

from __future__ import annotations

import requests

from sandbox.testing import RunningSandbox
from tests.sandbox.oracle.conftest import FSCM, SYSTEM

LIMIT = 50


def _page(sandbox: RunningSandbox, fusion: requests.Session, offset: int) -> list[int]:
    params = {"limit": str(LIMIT), "offset": str(offset), "onlyData": "true"}
    params |= {"fields": "ItemId", "orderBy": "LastUpdateDate:asc"}
    body = fusion.get(f"{sandbox.url}{FSCM}/itemsV2", params=params, timeout=10).json()
    return [item["ItemId"] for item in body["items"]]


def test_pages_fetched_after_a_purge_and_a_create_hold_every_live_record_once(
    sandbox: RunningSandbox, fusion: requests.Session
) -> None:
    sandbox.control.reset(SYSTEM, "acme", scale={"itemsV2": 300})
    before = [i for offset in range(0, 300, LIMIT) for i in _page(sandbox, fusion, offset)]
    assert len(before) == 300
    control = sandbox.control
    early = str(before[3])
    control.delete(SYSTEM, "acme", "itemsV2", early, hard=True)
    model = next(iter(control.iter_records(SYSTEM, "acme", "itemsV2")))
    required = control.required_fields(SYSTEM, "acme", "itemsV2")
    created = control.create(SYSTEM, "acme", "itemsV2", {f: model.fields.get(f) for f in required})
    after = [i for offset in range(250, -1, -LIMIT) for i in _page(sandbox, fusion, offset)]
    assert sorted(after) == sorted([i for i in before if str(i) != early] + [int(created.id)])
