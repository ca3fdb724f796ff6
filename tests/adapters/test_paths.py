"""digger(path) reads exactly what dig(data, path) reads, on any JSON-like document."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.paths import MISSING, dig, digger

STEPS = st.sampled_from(["a", "b", "0", "1", "results", ""])
leaves = st.one_of(st.none(), st.integers(), st.text(max_size=3), st.booleans())
documents = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.dictionaries(STEPS, inner, max_size=3),
        st.lists(inner, max_size=3),
        st.dictionaries(STEPS, inner, max_size=2).map(OrderedDict),  # a Mapping, not a dict
    ),
    max_leaves=12,
)
paths = st.lists(STEPS, min_size=0, max_size=4).map(".".join)


@settings(max_examples=2000, deadline=None)
@given(documents, paths)
def test_digger_reads_what_dig_reads(document: Any, path: str) -> None:
    assert digger(path)(document, MISSING) == dig(document, path, MISSING)


@pytest.mark.parametrize(
    ("document", "path", "found"),
    [
        ({"properties": {"email": "a@b.c"}}, "properties.email", "a@b.c"),
        ({"properties": {}}, "properties.email", None),
        ({"d": {"results": [{"id": 7}]}}, "d.results.0.id", 7),
        ({"d": {"results": []}}, "d.results.0.id", None),
        ({"Id": "001"}, "Id", "001"),
        ([1, 2], "1", 2),
        ({"a": "text"}, "a.b", None),
    ],
)
def test_digger_examples(document: Any, path: str, found: Any) -> None:
    assert digger(path)(document, None) == found == dig(document, path)
