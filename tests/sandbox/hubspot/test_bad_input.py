"""Whatever a client sends, the HubSpot simulator answers as HubSpot would: a 2xx or
a HubSpot error body, never a 500 of ours."""

from __future__ import annotations

from typing import Any

import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox.testing import RunningSandbox

AUTH = {"Authorization": "Bearer pat-na1-acme0000-0000-4000-8000-000000000001"}
PROPERTIES = [
    "lastmodifieddate",
    "hs_lastmodifieddate",
    "email",
    "firstname",
    "hs_object_id",
    "createdate",
    "lifecyclestage",
    "associatedcompanyid",
    "nope",
    "",
]
OPERATORS = [
    "EQ",
    "NEQ",
    "LT",
    "LTE",
    "GT",
    "GTE",
    "BETWEEN",
    "IN",
    "NOT_IN",
    "HAS_PROPERTY",
    "NOT_HAS_PROPERTY",
    "CONTAINS_TOKEN",
    "NOT_CONTAINS_TOKEN",
    "LIKE",
    "",
]
VALUES = st.one_of(
    st.text(max_size=12),
    st.integers(),
    st.sampled_from(["1700000000000", "2024-01-01T00:00:00Z", "lead", "*ab*"]),
)
FILTERS = st.fixed_dictionaries(
    {"propertyName": st.sampled_from(PROPERTIES), "operator": st.sampled_from(OPERATORS)},
    optional={"value": VALUES, "highValue": VALUES, "values": st.lists(VALUES, max_size=3)},
)
BODIES = st.fixed_dictionaries(
    {},
    optional={
        "filterGroups": st.lists(
            st.fixed_dictionaries({"filters": st.lists(FILTERS, max_size=4)}), max_size=6
        ),
        "sorts": st.lists(
            st.one_of(
                st.sampled_from(PROPERTIES),
                st.fixed_dictionaries(
                    {
                        "propertyName": st.sampled_from(PROPERTIES),
                        "direction": st.sampled_from(["ASCENDING", "DESCENDING", "x"]),
                    }
                ),
            ),
            max_size=2,
        ),
        "limit": st.one_of(st.integers(-5, 300), st.text(max_size=3)),
        "after": st.one_of(
            st.sampled_from(["0", "10", "9999", "10000", "abc", ""]), st.integers(0, 20000)
        ),
        "query": st.text(max_size=10),
        "properties": st.lists(st.sampled_from(PROPERTIES), max_size=3),
    },
)


def _check(response: requests.Response) -> None:
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        body: dict[str, Any] = response.json()
        assert body["status"] == "error" and body["category"] and body["message"]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=BODIES)
def test_search_bodies(sandbox: RunningSandbox, body: dict[str, Any]) -> None:
    url = f"{sandbox.url}/crm/v3/objects/contacts/search"
    _check(requests.post(url, json=body, headers=AUTH, timeout=30))


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    limit=st.one_of(st.integers(-3, 200), st.text(max_size=4)),
    after=st.one_of(st.none(), st.text(max_size=8), st.integers(0, 10**12).map(str)),
    properties=st.lists(st.text(max_size=8), max_size=3),
    archived=st.sampled_from(["true", "false", "maybe"]),
)
def test_list_parameters(
    sandbox: RunningSandbox, limit: Any, after: str | None, properties: list[str], archived: str
) -> None:
    params: dict[str, Any] = {"limit": limit, "properties": properties, "archived": archived}
    if after is not None:
        params["after"] = after
    _check(
        requests.get(f"{sandbox.url}/crm/v3/objects/deals", params=params, headers=AUTH, timeout=30)
    )


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    properties=st.dictionaries(
        st.sampled_from(
            [
                "email",
                "firstname",
                "hs_object_id",
                "lifecyclestage",
                "createdate",
                "zzz",
                "associatedcompanyid",
            ]
        ),
        st.one_of(
            st.text(max_size=10),
            st.integers(),
            st.booleans(),
            st.none(),
            st.lists(st.integers(), max_size=2),
        ),
        max_size=4,
    )
)
def test_create_bodies(sandbox: RunningSandbox, properties: dict[str, Any]) -> None:
    url = f"{sandbox.url}/crm/v3/objects/contacts"
    _check(requests.post(url, json={"properties": properties}, headers=AUTH, timeout=30))
