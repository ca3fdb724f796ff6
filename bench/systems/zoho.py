"""Zoho CRM in the sync benchmark: Contacts, 200 a page, page tokens after the first page.

The bare loop sends the adapter's own first request (fields, Modified_Time ascending)
and follows `info.next_page_token` as the adapter does; dlt's cursor paginator walks
the same tokens.
"""

from __future__ import annotations

from typing import Any

from adapters.paging import PageRequest
from bench.systems import BenchSystem, new_contact
from core.models import Entity
from tests.proof.cases.zoho import CASE


def _next(request: PageRequest, body: Any) -> PageRequest | None:
    info = body.get("info") or {}
    if not info.get("more_records"):
        return None
    params = {k: v for k, v in request.params.items() if k != "page"}
    return PageRequest(url=request.url, params={**params, "page_token": info["next_page_token"]})


def profile() -> BenchSystem:
    from dlt.sources.helpers.rest_client.paginators import JSONResponseCursorPaginator

    return BenchSystem(
        case=CASE,
        entity=Entity.CONTACT,
        # REST pages here (bench/bulk_read_bench.py measures the Bulk Read path)
        fields=lambda sandbox: {**CASE.connection_fields(sandbox), "bulk_threshold": 0},
        first_request=lambda adapter: adapter.first_request(adapter.spec(Entity.CONTACT), None),
        next_request=_next,
        records_path="data",
        dlt_paginator=lambda: JSONResponseCursorPaginator(
            cursor_path="info.next_page_token", cursor_param="page_token"
        ),
        push_record=new_contact,
    )
