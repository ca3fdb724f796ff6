"""Oracle in the sync benchmark: itemsV2 with its flexfield rows, offset pages of 500 (the
maximum), REST framework version 4 as the adapter sends it."""

from __future__ import annotations

from typing import Any

from adapters.base_adapter import BaseAdapter
from adapters.paging import PageRequest
from bench.systems import BenchSystem
from core.models import Entity
from tests.proof.cases.oracle import CASE

PAGE = 500
HEADERS = {"REST-Framework-Version": "4"}


def _first(adapter: BaseAdapter) -> PageRequest:
    own = adapter.first_request(adapter.spec(Entity.PRODUCT), None)
    return PageRequest(
        url=own.url, params={**own.params, "limit": PAGE, "offset": 0}, headers=HEADERS
    )


def _next(request: PageRequest, body: Any) -> PageRequest | None:
    if not body.get("hasMore"):
        return None
    offset = int(request.params["offset"]) + len(body["items"])
    return PageRequest(
        url=request.url, params={**request.params, "offset": offset}, headers=HEADERS
    )


def new_product(n: int) -> dict[str, Any]:
    """The n-th local product a push bench creates."""
    return {"sku": f"TP-P{n:06d}", "name": f"Bench product {n}"}


def profile() -> BenchSystem:
    from dlt.sources.helpers.rest_client.paginators import OffsetPaginator

    return BenchSystem(
        case=CASE,
        entity=Entity.PRODUCT,
        fields=lambda sandbox: {**CASE.connection_fields(sandbox), "page_size": PAGE},
        first_request=_first,
        next_request=_next,
        records_path="items",
        dlt_paginator=lambda: OffsetPaginator(limit=PAGE, total_path=None, has_more_path="hasMore"),
        push_record=new_product,
    )
