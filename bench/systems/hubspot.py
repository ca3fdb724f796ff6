"""HubSpot in the sync benchmark: contacts through the list endpoint, 100 a page."""

from __future__ import annotations

from typing import Any

from adapters.hubspot import LIST_LIMIT, HubSpotAdapter
from adapters.paging import PageRequest
from bench.systems import BenchSystem, new_contact
from core.models import Entity
from tests.proof.cases.hubspot import CASE

PRIVATE_APP_TOKEN = "pat-na1-acme0000-0000-4000-8000-000000000001"  # tenant acme


def _first(adapter: Any) -> PageRequest:
    assert isinstance(adapter, HubSpotAdapter)
    spec = adapter.spec(Entity.CONTACT)
    params = {"limit": LIST_LIMIT, "properties": ",".join(adapter.names(spec))}
    return PageRequest(url=spec.endpoint, params=params)


def _next(request: PageRequest, body: Any) -> PageRequest | None:
    after = ((body.get("paging") or {}).get("next") or {}).get("after")
    return (
        PageRequest(url=request.url, params={**request.params, "after": after}) if after else None
    )


def profile() -> BenchSystem:
    from dlt.sources.helpers.rest_client.paginators import JSONResponseCursorPaginator

    return BenchSystem(
        case=CASE,
        entity=Entity.CONTACT,
        fields=lambda sandbox: {
            "base_url": sandbox.url,
            "private_app_token": PRIVATE_APP_TOKEN,
            "requests_per_10s": 100_000,
        },
        first_request=_first,
        next_request=_next,
        records_path="results",
        dlt_paginator=lambda: JSONResponseCursorPaginator(
            cursor_path="paging.next.after", cursor_param="after"
        ),
        limits={"interval_max": 10_000_000},
        push_record=new_contact,
    )
