"""The SOQL parser and compiler on their own: grammar, errors, plans."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox.core.config import SandboxConfig
from sandbox.core.state import Sandbox
from sandbox.core.tenants import Tenant
from sandbox.salesforce.compile import compile_query
from sandbox.salesforce.soql import parse, render_error
from sandbox.salesforce.soql_ast import Comparison, Logical, SoqlError


@pytest.fixture(scope="module")
def tenant() -> Tenant:
    return Sandbox(SandboxConfig(systems=("salesforce",), webhooks=False)).tenant(
        "salesforce", "acme"
    )


def test_parses_the_queries_integrations_send() -> None:
    query = parse(
        "SELECT Id, Account.Name FROM Contact "
        "WHERE SystemModstamp > 2024-01-01T00:00:00Z AND (LastName LIKE 'a%' OR Id IN ('x')) "
        "ORDER BY SystemModstamp ASC, Id LIMIT 10 OFFSET 5"
    )
    assert query.sobject == "Contact"
    assert [i.field.dotted for i in query.select if i.field] == ["Id", "Account.Name"]
    assert isinstance(query.where, Logical) and query.where.op == "AND"
    assert isinstance(query.where.items[0], Comparison)
    assert (query.limit, query.offset) == (10, 5)


@pytest.mark.parametrize(
    ("text", "token"),
    [
        ("SELECT Id FRM Contact", "FRM"),
        ("SELECT Id FROM Contact WHERE A = 1 AND B = 2 OR C = 3", "OR"),
        ("SELECT Id FROM Contact LIMIT x", "x"),
        ("SELECT FROM Contact", "FROM"),
        ("SELECT Id FROM", "<EOF>"),
    ],
)
def test_syntax_errors_name_the_unexpected_token(text: str, token: str) -> None:
    with pytest.raises(SoqlError) as caught:
        parse(text)
    assert caught.value.code == "MALFORMED_QUERY"
    assert caught.value.message == f"unexpected token: '{token}'"


def test_error_text_points_at_the_column() -> None:
    text = "SELECT Id FRM Contact"
    with pytest.raises(SoqlError) as caught:
        parse(text)
    rendered = render_error(text, caught.value.pos, caught.value.message)
    assert rendered.splitlines()[1:4] == [text, " " * 10 + "^", "ERROR at Row:1:Column:11"]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("SELECT Foo FROM Contact", "INVALID_FIELD"),
        ("SELECT Id FROM Nope", "INVALID_TYPE"),
        ("SELECT Acount.Name FROM Contact", "INVALID_FIELD"),
        (
            "SELECT Id FROM Contact WHERE SystemModstamp > '2024-01-01'",
            "INVALID_QUERY_FILTER_OPERATOR",
        ),
        ("SELECT Id FROM Contact WHERE LastName = 5", "INVALID_QUERY_FILTER_OPERATOR"),
        ("SELECT Id FROM Contact WHERE Id = 'nope'", "INVALID_QUERY_FILTER_OPERATOR"),
        ("SELECT Id FROM Contact WHERE Description = 'x'", "INVALID_FIELD"),
        ("SELECT FIELDS(ALL) FROM Contact", "MALFORMED_QUERY"),
        ("SELECT Id FROM Contact OFFSET 2001", "NUMBER_OUTSIDE_VALID_RANGE"),
    ],
)
def test_semantic_errors_use_salesforce_codes(tenant: Tenant, text: str, code: str) -> None:
    with pytest.raises(SoqlError) as caught:
        compile_query(tenant, parse(text))
    assert caught.value.code == code


def test_plans_use_the_collection_orders(tenant: Tenant) -> None:
    def plan(text: str) -> tuple[str, str]:
        compiled = compile_query(tenant, parse(text))
        return compiled.plan.kind, compiled.plan.order

    assert plan("SELECT Id FROM Contact") == ("scan", "index")
    assert plan("SELECT Id FROM Contact ORDER BY SystemModstamp") == ("scan", "modified")
    assert plan("SELECT Id FROM Contact ORDER BY LastName") == ("sorted", "index")
    assert plan("SELECT Id FROM Contact WHERE Id = '0035g0000000001AAA'") == ("ids", "index")
    incremental = compile_query(
        tenant, parse("SELECT Id FROM Contact WHERE LastModifiedDate >= 2023-01-01T00:00:00Z")
    )
    assert incremental.plan.since_ms == 1_672_531_200_000 and incremental.predicate is None


_SOQLISH = st.lists(
    st.sampled_from(
        [
            "SELECT",
            "Id",
            ",",
            "Name",
            "FROM",
            "Contact",
            "WHERE",
            "=",
            "'x'",
            "AND",
            "OR",
            "(",
            ")",
            "LIMIT",
            "5",
            "ORDER",
            "BY",
            "DESC",
            "IN",
            "LIKE",
            "NOT",
            "null",
            "2024-01-01T00:00:00Z",
            "2024-01-01",
            "TODAY",
            "Account.Name",
            "COUNT()",
            ".",
            "'",
        ]
    ),
    max_size=14,
).map(" ".join)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.one_of(st.text(max_size=80), _SOQLISH))
def test_any_input_is_a_query_or_a_soql_error(tenant: Tenant, text: str) -> None:
    try:
        compile_query(tenant, parse(text))
    except SoqlError as exc:
        rendered = render_error(text, exc.pos, exc.message)
        problems = [] if exc.code and exc.message in rendered else [exc]
    else:
        problems = []
    assert problems == []
