"""SAP in the sync benchmark: A_Product with its descriptions, $top/$skip pages of 1,000
(the adapter's default page size; SAP's server page when no $top is sent)."""

from __future__ import annotations

from typing import Any

from adapters.base_adapter import BaseAdapter
from adapters.paging import PageRequest
from bench.systems import BenchSystem
from core.models import Entity
from tests.proof.cases.sap import CASE

PAGE = 1000


def _first(adapter: BaseAdapter) -> PageRequest:
    own = adapter.first_request(adapter.spec(Entity.PRODUCT), None)
    return PageRequest(url=own.url, params={**own.params, "$top": PAGE, "$skip": 0})


def _next(request: PageRequest, body: Any) -> PageRequest | None:
    rows = body["d"]["results"]
    if len(rows) < PAGE:
        return None
    return PageRequest(
        url=request.url,
        params={**request.params, "$skip": int(request.params["$skip"]) + len(rows)},
    )


def new_product(n: int) -> dict[str, Any]:
    """The n-th local product a push bench creates."""
    return {"sku": f"TP-P{n:06d}", "name": f"Bench product {n}", "unit": "PC", "category": "L001"}


def profile() -> BenchSystem:
    from dlt.sources.helpers.rest_client.paginators import OffsetPaginator

    return BenchSystem(
        case=CASE,
        entity=Entity.PRODUCT,
        fields=lambda sandbox: {**CASE.connection_fields(sandbox), "page_size": PAGE},
        first_request=_first,
        next_request=_next,
        records_path="d.results",
        dlt_paginator=lambda: OffsetPaginator(
            limit=PAGE, offset_param="$skip", limit_param="$top", total_path=None
        ),
        push_record=new_product,
    )
