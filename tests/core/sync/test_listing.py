"""A full read's listing kept as hashes answers as the set of ids it stands for."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from core.sync.listing import ListedIds

ids = st.text(min_size=1, max_size=12)


@given(pages=st.lists(st.lists(ids, max_size=20), max_size=8), others=st.lists(ids, max_size=20))
def test_a_listing_counts_and_finds_the_ids_its_pages_held(
    pages: list[list[str]], others: list[str]
) -> None:
    listed = ListedIds()
    for page in pages:
        listed.add(page)
    held = {external_id for page in pages for external_id in page}
    assert len(listed) == len(held)  # a page read twice counts once
    contains = listed.contains()
    assert all(contains(external_id) for external_id in held)
    assert not any(contains(external_id) for external_id in set(others) - held)
