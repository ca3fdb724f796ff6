"""A million records per object cost nothing until read, and incremental filters
near the end of the collection are answered without walking it."""

from __future__ import annotations

import time
from itertools import islice

import requests

from sandbox.core.collection import BASE_SPAN_MS, BASE_START_MS
from sandbox.testing import RunningSandbox

SF = {"Authorization": "Bearer 00D8j-globex-static-session"}
HS = {"Authorization": "Bearer pat-eu1-globex00-0000-4000-8000-000000000002"}
MILLION = 1_000_000


def _iso(ms: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ms / 1000))


def test_a_million_contacts_count_and_filter_by_arithmetic(sandbox: RunningSandbox) -> None:
    control = sandbox.control
    control.set_scale("salesforce", "globex", {"Contact": MILLION})
    try:
        step = BASE_SPAN_MS // MILLION // 1000 * 1000
        near_end = BASE_START_MS + (MILLION - 10) * step  # records 999,990.. are newer
        started = time.perf_counter()
        url = f"{sandbox.url}/services/data/v59.0/query"
        count = requests.get(
            url, params={"q": "SELECT COUNT() FROM Contact"}, headers=SF, timeout=30
        )
        recent = requests.get(
            url,
            params={"q": f"SELECT Id FROM Contact WHERE SystemModstamp > {_iso(near_end)}"},  # noqa: S608
            headers=SF,
            timeout=30,
        ).json()
        first_five = list(
            islice(control.iter_records("salesforce", "globex", "Contact", page_size=5), 5)
        )
        elapsed = time.perf_counter() - started
        assert count.json()["totalSize"] == MILLION
        assert recent["totalSize"] == 10 and len(recent["records"]) == 10
        assert len(first_five) == 5
        assert elapsed < 20  # generous for a loaded CI box; it is milliseconds when idle
    finally:
        control.reset("salesforce", "globex")


def test_a_million_hubspot_contacts_search_by_modified_time(sandbox: RunningSandbox) -> None:
    sandbox.control.set_scale("hubspot", "globex", {"contacts": MILLION})
    try:
        step = BASE_SPAN_MS // MILLION // 1000 * 1000
        since = BASE_START_MS + (MILLION - 25) * step
        body = {
            "filterGroups": [
                {
                    "filters": [
                        {"propertyName": "lastmodifieddate", "operator": "GTE", "value": str(since)}
                    ]
                }
            ],
            "limit": 10,
        }
        url = f"{sandbox.url}/crm/v3/objects/contacts/search"
        found = requests.post(url, json=body, headers=HS, timeout=30).json()
        assert found["total"] == 26 and len(found["results"]) == 10
        assert found["paging"]["next"]["after"] == "10"
    finally:
        sandbox.control.reset("hubspot", "globex")
