"""The domain parser and evaluator, as properties over generated domains and real records.

Evaluated against the acme database in-process (no server): the records are the
simulator's own, so the properties hold for the data clients actually page through.
"""

from __future__ import annotations

import contextlib
from functools import cache
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox.core import Entry
from sandbox.core.config import SandboxConfig
from sandbox.core.state import Sandbox
from sandbox.odoo.db import OdooDb
from sandbox.odoo.domain import compile_tree, normalize, parse
from sandbox.odoo.errors import OdooError

MODEL = "res.partner"
CHAR_FIELDS = ("name", "email", "city", "vat", "ref")
NUMBER_FIELDS = ("customer_rank", "supplier_rank", "id")
WORDS = ("a", "Ac", "me", "co", "in", "GmbH", "@", "x", "")


@cache
def _db() -> OdooDb:
    sandbox = Sandbox(SandboxConfig(systems=("odoo",), scale={"odoo.res.partner": 80}))
    return OdooDb(sandbox.tenant("odoo", "acme"))


@cache
def _records() -> tuple[Entry, ...]:
    return tuple(_db().collection(MODEL).scan())


def evaluate(domain: Any) -> list[bool]:
    db = _db()
    tree = parse(domain, db.models[MODEL], db.models)
    check = compile_tree(tree, db.models[MODEL], db.models, db)
    return [check(record) for record in _records()]


char_terms = st.tuples(
    st.sampled_from(CHAR_FIELDS),
    st.sampled_from(("=", "!=", "like", "ilike", "not ilike", "=ilike")),
    st.one_of(st.sampled_from(WORDS), st.just(False)),
)
number_terms = st.tuples(
    st.sampled_from(NUMBER_FIELDS),
    st.sampled_from(("=", "!=", "<", "<=", ">", ">=")),
    st.integers(min_value=-1, max_value=40),
)
in_terms = st.tuples(
    st.sampled_from(("customer_rank", "country_id", "id")),
    st.sampled_from(("in", "not in")),
    st.lists(st.one_of(st.integers(0, 30), st.just(False)), max_size=4),
)
terms = st.one_of(
    char_terms,
    number_terms,
    in_terms,
    st.tuples(st.just("is_company"), st.just("="), st.booleans()),
)
domains = st.recursive(
    terms.map(lambda t: [list(t)]),
    lambda inner: st.one_of(
        st.tuples(inner, inner).map(
            lambda ab: ["|", *ab[0], *ab[1]] if len(ab[0]) == len(ab[1]) == 1 else [*ab[0], *ab[1]]
        ),
        st.tuples(inner, inner).map(lambda ab: [*ab[0], *ab[1]]),
        inner.map(lambda d: ["!", *normalize(d)]),
    ),
    max_leaves=6,
)
fast = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@fast
@given(domains)
def test_not_negates(domain: list[Any]) -> None:
    assert evaluate(["!", *normalize(domain)]) == [not hit for hit in evaluate(domain)]


@fast
@given(domains, domains)
def test_or_and_and_combine_like_booleans(a: list[Any], b: list[Any]) -> None:
    left, right = evaluate(a), evaluate(b)
    ored = evaluate(["|", *normalize(a), *normalize(b)])
    anded = evaluate([*a, *b])  # consecutive terms: an implicit AND
    assert ored == [x or y for x, y in zip(left, right, strict=True)]
    assert anded == [x and y for x, y in zip(left, right, strict=True)]


@fast
@given(in_terms)
def test_in_and_not_in_split_every_record(term: tuple[str, str, list[Any]]) -> None:
    field, _op, values = term
    inside, outside = evaluate([[field, "in", values]]), evaluate([[field, "not in", values]])
    assert all(a != b for a, b in zip(inside, outside, strict=True))


@fast
@given(st.sampled_from(CHAR_FIELDS), st.sampled_from(WORDS[:-1]))
def test_equal_and_not_equal_split_every_record(field: str, word: str) -> None:
    equal, different = evaluate([[field, "=", word]]), evaluate([[field, "!=", word]])
    assert all(a != b for a, b in zip(equal, different, strict=True))


@fast
@given(st.sampled_from(CHAR_FIELDS), st.sampled_from(WORDS))
def test_ilike_is_a_case_insensitive_substring_and_not_ilike_keeps_empty_values(
    field: str, word: str
) -> None:
    values = [record.fields.get(field) for record in _records()]
    expected = [bool(v) and word.lower() in str(v).lower() for v in values]
    assert evaluate([[field, "ilike", word]]) == expected
    assert evaluate([[field, "not ilike", word]]) == [not hit for hit in expected]


def test_false_means_not_set() -> None:
    values = [record.fields.get("vat") for record in _records()]
    assert evaluate([["vat", "=", False]]) == [not v for v in values]
    assert evaluate([["vat", "!=", False]]) == [bool(v) for v in values]


def test_many2one_compared_with_text_matches_the_display_name() -> None:
    db = _db()
    hits = evaluate([["country_id", "ilike", "united"]])
    names = [db.display_of("res.country", r.fields["country_id"]) or "" for r in _records()]
    assert hits == ["united" in name.lower() for name in names]
    assert any(hits)


def test_dotted_paths_and_any_follow_the_many2one() -> None:
    codes = [
        (_db().record("res.country", r.fields["country_id"]) or r).fields.get("code")
        for r in _records()
    ]
    expected = [code == "US" for code in codes]
    assert evaluate([["country_id.code", "=", "US"]]) == expected
    assert evaluate([["country_id", "any", [["code", "=", "US"]]]]) == expected


def test_child_of_takes_the_record_and_its_descendants() -> None:
    persons = [r for r in _records() if r.fields.get("parent_id")]
    parent = persons[0].fields["parent_id"]
    hits = evaluate([["id", "child_of", parent]])
    expected = [int(r.id) == parent or r.fields.get("parent_id") == parent for r in _records()]
    assert hits == expected


@pytest.mark.parametrize(
    ("domain", "message"),
    [
        ([["nope", "=", 1]], "Invalid field res.partner.nope in leaf ('nope', '=', 1)"),
        ([["name", "eq", 1]], "Invalid leaf ('name', 'eq', 1)"),
        (["|", ["name", "=", "a"]], "is syntactically not correct"),
        (["&"], "is syntactically not correct"),
        ([["name", "="]], "Invalid leaf ('name', '=')"),
        ("name = 1", "Domains to normalize must have a 'domain' form"),
        ([["country_id.nope", "=", 1]], "Invalid field res.country.nope"),
        ([["customer_rank", ">", "many"]], 'invalid input syntax for type integer: "many"'),
        ([["write_date", ">", "yesterday"]], "invalid input syntax for type timestamp"),
    ],
)
def test_bad_domains_are_refused_in_odoos_words(domain: Any, message: str) -> None:
    with pytest.raises(OdooError) as refused:
        evaluate(domain)
    assert message in refused.value.message


junk = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.text(max_size=6),
        st.sampled_from(("&", "|", "!", "=", "in")),
    ),
    lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner, inner),
    max_leaves=10,
)


@settings(max_examples=150, deadline=None)
@given(junk)
def test_any_input_is_either_a_domain_or_odoos_error(domain: Any) -> None:
    with contextlib.suppress(OdooError):  # anything else (TypeError, IndexError) fails
        evaluate(domain)
