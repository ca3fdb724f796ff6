"""API v2 search as Pipedrive documents it (`GET /api/v2/persons/search`): a person found
by the text of a custom field with `fields=custom_fields&exact_match=true`, the matched
values in the item's `custom_fields`; a term shorter than 2 characters is refused."""

from __future__ import annotations

import requests

from sandbox.pipedrive.schema import custom_key
from tests.sandbox.pipedrive.test_conformance import HEADERS, api, get  # noqa: F401 (fixture)

KEY = custom_key("acme", "persons", "ToothPick id")


def test_a_person_is_found_by_its_correlation_field_exactly(api: str) -> None:  # noqa: F811
    made = requests.post(
        f"{api}/v2/persons",
        json={"name": "Ada Search", "custom_fields": {KEY: "local:abc-1"}},
        headers=HEADERS,
        timeout=10,
    ).json()["data"]
    found = get(
        f"{api}/v2/persons/search", term="local:abc-1", fields="custom_fields", exact_match="true"
    ).json()
    assert found["success"] is True and found["additional_data"] == {"next_cursor": None}
    [hit] = found["data"]["items"]
    assert set(hit) == {"result_score", "item"}
    assert hit["item"]["id"] == made["id"] and hit["item"]["type"] == "person"
    assert hit["item"]["custom_fields"] == ["local:abc-1"]
    loose = get(f"{api}/v2/persons/search", term="local:abc", fields="custom_fields").json()
    assert [h["item"]["id"] for h in loose["data"]["items"]] == [made["id"]]
    exact = get(
        f"{api}/v2/persons/search", term="local:abc", fields="custom_fields", exact_match="true"
    ).json()
    assert exact["data"]["items"] == []


def test_a_short_term_or_unknown_field_is_a_400(api: str) -> None:  # noqa: F811
    short = get(f"{api}/v2/persons/search", term="a")
    assert short.status_code == 400 and short.json()["success"] is False
    bad = get(f"{api}/v2/persons/search", term="ada", fields="title")
    assert bad.status_code == 400
