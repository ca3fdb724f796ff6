"""Whatever a client sends, the Pipedrive simulator answers as Pipedrive would: a 2xx or
`{"success": false, "error": ...}`, never a 500 of ours."""

from __future__ import annotations

from typing import Any

import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox.testing import RunningSandbox

HEADERS = {"x-api-token": "a1c3e5f70921b4d6e8f0a2c4e6b8d0f2a4c6e8b0"}
OBJECTS = st.sampled_from(["persons", "organizations", "deals", "activities", "products"])
TEXT = st.one_of(
    st.text(max_size=8),
    st.sampled_from(
        ["0", "501", "2", "update_time", "desc", "2024-01-01T00:00:00Z", "deleted,open"]
    ),
)
NAMES = ("limit", "cursor", "sort_by", "sort_direction", "updated_since", "updated_until")
PARAMS = st.fixed_dictionaries(
    {}, optional=dict.fromkeys((*NAMES, "status", "ids", "owner_id"), TEXT)
)
FLOATS = st.floats(allow_nan=False, allow_infinity=False)  # JSON has no inf
VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-2, 5), st.text(max_size=6), st.just(["a@x.io"]),
    st.just([{"value": 1}]), st.just({"value": "x"}), FLOATS,
)  # fmt: skip
KEYS = ["name", "title", "subject", "org_id", "person_id", "stage_id", "emails", "due_date"]
KEYS += ["due_time", "done", "value", "custom_fields", "first_name", "prices", "nope"]
BODIES = st.one_of(
    st.none(),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=5),
)


def _pipedrive_answer(response: requests.Response) -> None:
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        body = response.json()
        assert body["success"] is False and isinstance(body["error"], str)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(obj=OBJECTS, params=PARAMS)
def test_list_parameters(sandbox: RunningSandbox, obj: str, params: dict[str, str]) -> None:
    url = f"{sandbox.url}/api/v2/{obj}"
    _pipedrive_answer(requests.get(url, params=params, headers=HEADERS, timeout=10))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(obj=OBJECTS, body=BODIES, record=st.sampled_from(["", "/1", "/999999", "/x"]))
def test_write_bodies(sandbox: RunningSandbox, obj: str, body: Any, record: str) -> None:
    method = "PATCH" if record else "POST"
    url = f"{sandbox.url}/api/v2/{obj}{record}"
    _pipedrive_answer(requests.request(method, url, json=body, headers=HEADERS, timeout=10))
