"""Pipedrive in the sync benchmark: API v2 persons, 500 a page, by next_cursor.

The connection uses the API token and lifts the plan's 2-second budget on both
sides (the sandbox's and the adapter's), so the engine is what is measured.
"""

from __future__ import annotations

from typing import Any

from adapters.paging import PageRequest
from bench.systems import BenchSystem, new_contact
from core.models import Entity
from tests.proof.cases.pipedrive import CASE

API_TOKEN = "a1c3e5f70921b4d6e8f0a2c4e6b8d0f2a4c6e8b0"  # tenant acme


def _next(request: PageRequest, body: Any) -> PageRequest | None:
    cursor = (body.get("additional_data") or {}).get("next_cursor")
    return (
        PageRequest(url=request.url, params={**request.params, "cursor": cursor})
        if cursor
        else None
    )


def profile() -> BenchSystem:
    from dlt.sources.helpers.rest_client.paginators import JSONResponseCursorPaginator

    return BenchSystem(
        case=CASE,
        entity=Entity.CONTACT,
        fields=lambda sandbox: {
            "base_url": sandbox.url,
            "api_token": API_TOKEN,
            "requests_per_2s": 1_000_000,
        },
        first_request=lambda adapter: adapter.first_request(adapter.spec(Entity.CONTACT), None),
        next_request=_next,
        records_path="data",
        dlt_paginator=lambda: JSONResponseCursorPaginator(
            cursor_path="additional_data.next_cursor", cursor_param="cursor"
        ),
        limits={"interval_max": 10_000_000, "daily_max": 10_000_000},
        push_record=new_contact,
    )
