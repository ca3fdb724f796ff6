"""Whatever a client sends, the Oracle simulator answers as Fusion does (a 4xx in the
framework version's error format), never with a 500 of ours: q, parameters, bodies."""

from __future__ import annotations

import string
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox.oracle.q import QError, parse_expression, parse_qbe, typed
from sandbox.oracle.resources import ITEMS, ORDERS
from sandbox.testing import RunningSandbox
from tests.sandbox.oracle.conftest import ACME, FSCM, framework

WORDS = st.sampled_from(
    [
        "=",
        ">",
        ">=",
        "<>",
        "!=",
        "and",
        "or",
        "not",
        "(",
        ")",
        ",",
        "LIKE",
        "IN",
        "BETWEEN",
        "IS",
        "NULL",
        "'x'",
        "''",
        "'AS5%'",
        "1",
        "2.5",
        "'2024-01-01T00:00:00+00:00'",
        "ItemNumber",
        "ListPrice",
        "LastUpdateDate",
        "CustomerOrderFlag",
        "ItemId",
        "Nope",
        ";",
        "*",
        "'",
    ]
)
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3)
    ),
    max_leaves=8,
)
ROW = {
    "ItemId": 300000001000001,
    "ItemNumber": "AS54000",
    "ListPrice": 10.5,
    "LastUpdateDate": "2024-01-01T00:00:00.000+00:00",
    "CustomerOrderFlag": True,
}


@settings(max_examples=400, deadline=None)
@given(st.lists(WORDS, max_size=9).map(" ".join) | st.text(string.printable, max_size=40))
def test_q_parses_or_is_refused_in_words(text: str) -> None:
    for parse in (parse_expression, parse_qbe):
        refusal: QError | None = None
        try:
            query = parse(text, ITEMS)
        except QError as exc:
            refusal = exc
        if refusal is not None:
            assert str(refusal)
            continue
        query.predicate(lambda name: ROW.get(name))


@pytest.mark.parametrize(
    "params",
    [
        {"limit": "x"},
        {"offset": "-1"},
        {"orderBy": "Nope:asc"},
        {"orderBy": "ItemNumber:up"},
        {"finder": "Nope;a=1"},
        {"unknownParam": "1"},
        {"q": "ListPrice > 'cheap'"},
        {"q": "LastUpdateDate > 'yesterday'"},
        {"q": "ItemNumber IN ('a'"},
    ],
)
def test_bad_parameters_are_400s(sandbox: RunningSandbox, params: dict[str, str]) -> None:
    answer = requests.get(
        f"{sandbox.url}{FSCM}/itemsV2", params=params, auth=ACME, headers=framework(4), timeout=10
    )
    assert answer.status_code == 400 and answer.json()["detail"]


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    body=st.dictionaries(
        st.sampled_from([a.name for a in ORDERS.attrs] + ["lines", "Bad"]), JSON, max_size=5
    )
    | JSON
)
def test_bad_bodies_over_http_are_4xx(sandbox: RunningSandbox, body: Any) -> None:
    for resource in ("salesOrdersForOrderHub", "itemsV2"):
        answer = requests.post(
            f"{sandbox.url}{FSCM}/{resource}",
            json=body,
            auth=ACME,
            headers=framework(4),
            timeout=10,
        )
        assert 400 <= answer.status_code < 500 or answer.status_code == 201, answer.text


def test_typed_values_compare_in_one_domain() -> None:
    assert typed("datetime", "2024-01-01T00:00:00+00:00") == 1704067200000
    assert typed("number", 2) == typed("number", "2.0")
