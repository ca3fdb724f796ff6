"""Whatever SOQL or body a client sends, the Salesforce simulator answers as
Salesforce would: a 2xx or a Salesforce error array, never a 500 of ours."""

from __future__ import annotations

from typing import Any

import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox.testing import RunningSandbox

AUTH = {"Authorization": "Bearer 00D5g-acme-static-session"}
WORDS = [
    "SELECT",
    "Id",
    "Name",
    "Email",
    "Account.Name",
    "COUNT()",
    "FIELDS(ALL)",
    ",",
    "FROM",
    "Contact",
    "Account",
    "Opportunity",
    "WHERE",
    "SystemModstamp",
    ">",
    "=",
    "<=",
    "IN",
    "LIKE",
    "'a%'",
    "('x','y')",
    "2024-01-01T00:00:00Z",
    "2024-01-01",
    "TODAY",
    "LAST_N_DAYS:3",
    "AND",
    "OR",
    "NOT",
    "(",
    ")",
    "ORDER",
    "BY",
    "DESC",
    "NULLS",
    "LAST",
    "LIMIT",
    "OFFSET",
    "10",
    "2001",
    "null",
    "true",
    "IsDeleted",
    "CloseDate",
    "Amount",
    "1.5",
]


def _check(response: requests.Response) -> None:
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        errors: list[dict[str, Any]] = response.json()
        assert errors[0]["errorCode"] and "message" in errors[0]


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.one_of(st.lists(st.sampled_from(WORDS), max_size=16).map(" ".join), st.text(max_size=60)))
def test_any_soql_gets_a_salesforce_answer(sandbox: RunningSandbox, soql: str) -> None:
    url = f"{sandbox.url}/services/data/v59.0/queryAll"
    _check(requests.get(url, params={"q": soql}, headers=AUTH, timeout=30))


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "LastName",
                "FirstName",
                "Email",
                "AccountId",
                "Id",
                "IsDeleted",
                "Birthdate",
                "Loyalty_Tier__c",
                "CreatedDate",
            ]
        ),
        st.one_of(
            st.text(max_size=10),
            st.integers(),
            st.booleans(),
            st.none(),
            st.floats(allow_nan=False, allow_infinity=False),
            st.lists(st.integers(), max_size=2),
        ),
        max_size=4,
    )
)
def test_any_create_body_gets_a_salesforce_answer(
    sandbox: RunningSandbox, body: dict[str, Any]
) -> None:
    url = f"{sandbox.url}/services/data/v59.0/sobjects/Contact/"
    _check(requests.post(url, json=body, headers=AUTH, timeout=30))


def test_locators_and_versions_that_do_not_exist(sandbox: RunningSandbox) -> None:
    bad_locator = requests.get(
        f"{sandbox.url}/services/data/v59.0/query/01g5g0000000001AAA-2000", headers=AUTH, timeout=10
    )
    assert (
        bad_locator.status_code == 400
        and bad_locator.json()[0]["errorCode"] == "INVALID_QUERY_LOCATOR"
    )
    bad_version = requests.get(
        f"{sandbox.url}/services/data/v12.0/limits", headers=AUTH, timeout=10
    )
    assert bad_version.status_code == 404 and bad_version.json()[0]["errorCode"] == "NOT_FOUND"
    not_json = requests.post(
        f"{sandbox.url}/services/data/v59.0/sobjects/Contact/", data=b"{", headers=AUTH, timeout=10
    )
    assert not_json.status_code == 400 and not_json.json()[0]["errorCode"] == "JSON_PARSER_ERROR"
    no_auth = requests.get(f"{sandbox.url}/services/data/v59.0/limits", timeout=10)
    assert no_auth.status_code == 401 and no_auth.json() == [
        {"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}
    ]
