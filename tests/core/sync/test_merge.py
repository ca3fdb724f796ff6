"""Field-level merging (core.sync.merge): pure rules, hand-built records."""

from __future__ import annotations

from core.sync.merge import merge_fields

BASE = {"title": "Engineer", "phone": "1", "city": "Ghent"}


def test_different_fields_changed_on_each_side_both_survive() -> None:
    remote = {**BASE, "city": "Antwerp"}  # the vendor changed the city
    merge = merge_fields(
        remote=remote, local_change={"title": "CTO"}, base={"title": "Engineer"}, local_wins=False
    )
    assert merge.data == {"title": "CTO", "phone": "1", "city": "Antwerp"}
    assert merge.pending == {"title": "CTO"}
    assert merge.conflicts == [] and merge.vendor_won == []


def test_the_same_field_changed_on_both_sides_goes_to_the_later_change() -> None:
    remote = {**BASE, "title": "VP"}
    local = {"title": "CTO", "phone": "2"}
    base = {"title": "Engineer", "phone": "1"}
    vendor_later = merge_fields(remote=remote, local_change=local, base=base, local_wins=False)
    assert vendor_later.conflicts == ["title"] and vendor_later.vendor_won == ["title"]
    assert vendor_later.data == {"title": "VP", "phone": "2", "city": "Ghent"}
    assert vendor_later.pending == {"phone": "2"}
    ours_later = merge_fields(remote=remote, local_change=local, base=base, local_wins=True)
    assert ours_later.conflicts == ["title"] and ours_later.vendor_won == []
    assert ours_later.pending == local


def test_both_sides_setting_the_same_value_is_no_conflict_and_nothing_to_push() -> None:
    remote = {**BASE, "title": "CTO"}
    merge = merge_fields(
        remote=remote, local_change={"title": "CTO"}, base={"title": "Engineer"}, local_wins=False
    )
    assert merge.conflicts == [] and merge.pending == {}
    assert merge.data == remote


def test_an_edit_with_no_known_base_is_decided_by_the_later_change() -> None:
    remote = {**BASE, "title": "VP"}
    merge = merge_fields(remote=remote, local_change={"title": "CTO"}, base={}, local_wins=False)
    assert merge.conflicts == ["title"] and merge.pending == {}
