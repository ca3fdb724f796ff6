"""Whatever a client sends, the SAP simulator answers as SAP does (a 4xx with SAP's
error body), never with a 500 of ours: $filter, system query options, write bodies."""

from __future__ import annotations

import string
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox.core import VendorReply
from sandbox.sap.catalog import ALL_SETS, BUSINESS_PARTNER, PRODUCT
from sandbox.sap.edm import comparable
from sandbox.sap.filter import FilterError, compile_filter
from sandbox.sap.payload import read_body
from sandbox.sap.sales_sets import SALES_ORDER
from sandbox.testing import RunningSandbox
from tests.sandbox.sap.conftest import ROOT, basic_session, with_csrf

WORDS = st.sampled_from(
    [
        "eq",
        "ne",
        "gt",
        "ge",
        "and",
        "or",
        "not",
        "(",
        ")",
        ",",
        "'x'",
        "''",
        "1",
        "2.5M",
        "null",
        "true",
        "datetime'2024-01-01T00:00:00'",
        "datetimeoffset'2024-01-01T00:00:00Z'",
        "time'PT1H'",
        "Product",
        "ProductGroup",
        "GrossWeight",
        "LastChangeDateTime",
        "IsMarkedForDeletion",
        "startswith",
        "substringof",
        "length",
        "tolower",
        "Nope",
        "$",
        "/",
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


@settings(max_examples=400, deadline=None)
@given(st.lists(WORDS, max_size=9).map(" ".join) | st.text(string.printable, max_size=40))
def test_a_filter_compiles_or_is_refused_in_words(text: str) -> None:
    refusal: FilterError | None = None
    try:
        compiled = compile_filter(text, PRODUCT)
    except FilterError as exc:
        refusal = exc
    if refusal is not None:
        assert str(refusal)
        return
    row = {"Product": "TG000001", "ProductGroup": "L001", "GrossWeight": "1.000"}
    compiled.predicate(lambda name: comparable(PRODUCT.prop_index[name], row.get(name)))


@settings(max_examples=200, deadline=None)
@given(
    body=st.dictionaries(
        st.sampled_from([p.name for p in PRODUCT.props] + ["to_Description", "Bad"]),
        JSON,
        max_size=4,
    )
    | JSON
)
def test_a_write_body_is_read_or_refused_by_sap(body: Any) -> None:
    for entity_set in (PRODUCT, SALES_ORDER, BUSINESS_PARTNER):
        for creating in (True, False):
            refusal: VendorReply | None = None
            try:
                read_body(
                    body, entity_set, ALL_SETS, {"service": entity_set.service}, creating=creating
                )
            except VendorReply as reply:
                refusal = reply
            assert refusal is None or 400 <= refusal.response.status_code < 500


@pytest.mark.parametrize(
    "params",
    [
        {"$top": "-1"},
        {"$skip": "x"},
        {"$orderby": "Nope desc"},
        {"$select": "Nope"},
        {"$expand": "to_Nope"},
        {"$inlinecount": "some"},
        {"$format": "xml"},
        {"$search": "x"},
        {"$filter": "ProductGroup eq"},
        {"$filter": "GrossWeight eq 'heavy'"},
    ],
)
def test_bad_query_options_are_400s(sandbox: RunningSandbox, params: dict[str, str]) -> None:
    answer = basic_session().get(
        f"{sandbox.url}{ROOT}/API_PRODUCT_SRV/A_Product",
        params=params,
        headers={"Accept": "application/json"},
        timeout=10,
    )
    assert answer.status_code == 400 and answer.json()["error"]["message"]["value"]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=JSON)
def test_bad_bodies_over_http_are_4xx(sandbox: RunningSandbox, body: Any) -> None:
    session = with_csrf(basic_session(), f"{sandbox.url}{ROOT}/API_SALES_ORDER_SRV/")
    answer = session.post(
        f"{sandbox.url}{ROOT}/API_SALES_ORDER_SRV/A_SalesOrder",
        json=body,
        headers={"Accept": "application/json"},
        timeout=10,
    )
    assert 400 <= answer.status_code < 500, answer.text
