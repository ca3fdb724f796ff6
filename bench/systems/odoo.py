"""Odoo in the sync benchmark: product.product over /json/2 (globex runs Odoo 19).

The adapter pages by id inside a write_date window (`id > last`, order "id asc");
the bare loop sends the same search_read bodies. dlt has no paginator that
writes a keyset into a domain, so its leg pages the same call by offset in the
JSON body (Odoo's search_read takes `offset`), stopping on an empty page.
"""

from __future__ import annotations

from typing import Any

from adapters.base_adapter import BaseAdapter
from adapters.paging import PageRequest
from bench.systems import BenchSystem
from core.models import Entity
from tests.proof.cases.odoo import case_for

CASE = case_for("globex")
MODEL = "product.product"


def _first(adapter: BaseAdapter) -> PageRequest:
    own = adapter.first_request(adapter.spec(Entity.PRODUCT), None)
    return PageRequest("POST", f"/json/2/{MODEL}/search_read", json=dict(own.json or {}))


def _next(request: PageRequest, body: Any) -> PageRequest | None:
    query = dict(request.json or {})
    if not isinstance(body, list) or len(body) < int(query.get("limit") or 0):
        return None
    base = [term for term in query["domain"] if term[0] != "id"]
    return PageRequest(
        "POST", request.url, json={**query, "domain": [*base, ["id", ">", body[-1]["id"]]]}
    )


def new_product(n: int) -> dict[str, Any]:
    """The n-th local product a push bench creates."""
    return {"sku": f"TP-P{n:06d}", "name": f"Bench product {n}"}


def profile() -> BenchSystem:
    from dlt.sources.helpers.rest_client.paginators import OffsetPaginator

    return BenchSystem(
        case=CASE,
        entity=Entity.PRODUCT,
        fields=lambda sandbox: {**CASE.connection_fields(sandbox), "page_size": 1000},
        first_request=_first,
        next_request=_next,
        records_path="",
        dlt_paginator=lambda: OffsetPaginator(
            limit=1000, total_path=None, offset_body_path="offset", limit_body_path="limit"
        ),
        push_record=new_product,
    )
