"""Field lists split into URL-sized groups and merged back by id (adapters.wide_reads)."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.wide_reads import FieldGroups, merge_groups, split_fields

NAMES = ["Id", "Stamp", *(f"F{n:02d}" for n in range(1, 21))]  # F01..F20: 3 characters


def test_a_list_that_fits_is_one_group_and_the_merge_makes_no_call() -> None:
    groups = split_fields(NAMES, keep=["Id"], page_room=10_000, group_room=100, cost=len)
    assert groups == FieldGroups(NAMES)
    calls: list[Any] = []
    records = [{"Id": "1"}]

    def read(*asked: Any) -> list[Any]:
        calls.append(asked)
        return []

    merged = merge_groups(records, groups, key=lambda r: r["Id"], read=read)
    assert merged is records and calls == []


def test_groups_keep_order_room_and_count_and_name_every_field_once() -> None:
    groups = split_fields(
        [*NAMES, "Id"], keep=["Stamp", "Id"], page_room=20, group_room=12, cost=len, most=3
    )
    assert groups.page == ["Stamp", "Id", "F01"]  # the kept ones first, then by order
    assert all(sum(map(len, g)) <= 12 and len(g) <= 3 for g in groups.rest)
    assert groups.page + [n for g in groups.rest for n in g] == ["Stamp", "Id", *NAMES[2:]]
    with pytest.raises(ValueError, match="longer than a request URL"):
        split_fields(["Id", "VeryLongName"], page_room=3, group_room=5, cost=len)


def test_each_group_is_read_for_the_pages_ids_and_merged_by_id() -> None:
    groups = FieldGroups(["Id", "A"], (["B"], ["C"]))
    page = [{"Id": "1", "A": 1}, {"Id": "2", "A": 2}, {"A": 3}]  # the last has no id
    asked: list[tuple[list[str], list[str]]] = []

    def read(ids: list[str], names: list[str]) -> list[dict[str, Any]]:
        asked.append((ids, names))
        # "2" is gone by the second group's read; "9" is not on the page
        return [{"Id": i, n: f"{n}{i}"} for i in [*ids, "9"] for n in names if (i, n) != ("2", "C")]

    merged = merge_groups(page, groups, key=lambda r: r.get("Id"), read=read)
    assert asked == [(["1", "2"], ["B"]), (["1", "2"], ["C"])]
    assert merged == [
        {"Id": "1", "A": 1, "B": "B1", "C": "C1"},
        {"Id": "2", "A": 2, "B": "B2"},  # keeps what its page and the first group had
        {"A": 3},
    ]
