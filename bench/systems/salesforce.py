"""Salesforce in the sync benchmark: Contact through queryAll, 2,000 records a page."""

from __future__ import annotations

from typing import Any

from adapters.paging import PageRequest
from bench.systems import BenchSystem, new_contact
from core.models import Entity
from tests.proof.cases.salesforce import CASE


def _next(request: PageRequest, body: Any) -> PageRequest | None:
    locator = body.get("nextRecordsUrl")
    return PageRequest(url=locator, headers=request.headers) if locator else None


def profile() -> BenchSystem:
    from dlt.sources.helpers.rest_client.paginators import JSONLinkPaginator

    return BenchSystem(
        case=CASE,
        entity=Entity.CONTACT,
        # REST pages here (bench/bulk_read_bench.py measures the Bulk API path)
        fields=lambda sandbox: {
            **CASE.connection_fields(sandbox),
            "batch_size": 2000,
            "bulk_threshold": 0,
        },
        first_request=lambda adapter: adapter.first_request(adapter.spec(Entity.CONTACT), None),
        next_request=_next,
        records_path="records",
        dlt_paginator=lambda: JSONLinkPaginator(next_url_path="nextRecordsUrl"),
        push_record=new_contact,
    )
