"""The generated-base-plus-overlay collection: determinism, ranges, scans, writes."""

from __future__ import annotations

import time
from itertools import islice
from typing import Any, ClassVar

import pytest

from sandbox.core import Draw, GenContext, NumericIds, ObjectSpec
from sandbox.core.collection import BASE_START_MS, Collection
from sandbox.core.draw import collection_key


class _Ctx:
    tenant_name = "t"
    settings: ClassVar[dict[str, Any]] = {}

    def count(self, object_name: str) -> int:
        return 10

    def ref(self, object_name: str, draw: Draw) -> str | None:
        return str(draw.below(10))

    def ref_index(self, object_name: str, draw: Draw) -> int | None:
        return draw.below(10)

    def id_of(self, object_name: str, index: int) -> str:
        return str(index)

    def vendor_now_ms(self) -> int:
        return time.time_ns() // 1_000_000


def _gen(draw: Draw, index: int, ctx: GenContext) -> dict[str, Any]:
    return {"name": f"n{draw.below(1000)}", "n": index}


SPEC = ObjectSpec(name="things", fields=(), generate=_gen, ids=NumericIds(offset=500))


def make(count: int = 1000) -> Collection:
    return Collection(SPEC, key=collection_key("test", 1), count=count, ctx=_Ctx())


def test_base_records_are_deterministic_and_ordered_in_time() -> None:
    a, b = make(), make()
    assert a.generate(7).fields == b.generate(7).fields
    times = [a.generate(i).modified_ms for i in range(50)]
    assert times == sorted(times) and len(set(times)) == 50
    assert a.generate(0).modified_ms > BASE_START_MS


def test_ids_round_trip_and_foreign_ids_are_rejected() -> None:
    coll = make()
    entry = coll.generate(41)
    assert entry.id == "542"
    assert coll.get("542") is not None and coll.get("542").index == 41  # type: ignore[union-attr]
    assert coll.get("500") is None  # offset itself is not a record
    assert coll.get("abc") is None
    assert coll.get(str(500 + 1000 + 1)) is None  # beyond the base


def test_since_filter_is_an_index_range_and_counts_match_scans() -> None:
    coll = make()
    since = coll.base_modified_ms(900)
    found = list(coll.scan(since_ms=since))
    assert [e.index for e in found] == list(range(900, 1000))
    assert coll.count_matching(since) == 100
    until = coll.base_modified_ms(10)
    assert [e.index for e in coll.scan(until_ms=until)] == list(range(10))


def test_paging_by_last_key_visits_every_record_once() -> None:
    coll = make(250)
    seen: list[int] = []
    after = None
    while True:
        page = list(islice(coll.scan(after=after), 100))
        if not page:
            break
        seen += [e.index for e in page]
        after = page[-1].index
    assert seen == list(range(250))


def test_edits_move_to_the_end_of_the_modified_order() -> None:
    coll = make(100)
    edited = coll.update(coll.generate(3).id, {"name": "changed"})
    created = coll.create({"name": "new", "n": -1})
    assert created.index == 100 and created.id == "601"
    by_modified = [e.index for e in coll.scan(order="modified")]
    assert by_modified[-2:] == [3, 100]
    assert [e.index for e in coll.scan()][3] == 3  # index order keeps its place
    assert [e.fields["name"] for e in coll.scan(since_ms=edited.modified_ms)] == ["changed", "new"]
    assert coll.count_matching(edited.modified_ms) == 2


def test_deletes_hide_records_unless_asked_and_hard_deletes_hide_them_always() -> None:
    coll = make(10)
    soft = coll.delete(coll.generate(2).id)
    hard = coll.delete(coll.generate(5).id, hard=True)
    assert coll.get(soft.id) is None and coll.get(soft.id, include_deleted=True) is not None
    assert coll.get(hard.id, include_deleted=True) is None
    assert [e.index for e in coll.scan()] == [0, 1, 3, 4, 6, 7, 8, 9]
    assert 2 in [e.index for e in coll.scan(include_deleted=True)]
    assert coll.count_matching() == 8 and coll.count_matching(include_deleted=True) == 9
    with pytest.raises(KeyError):
        coll.update(soft.id, {"name": "x"})


def test_descending_scans_mirror_ascending_ones() -> None:
    coll = make(20)
    coll.update(coll.generate(4).id, {"name": "x"})
    for order in ("index", "modified"):
        forward = [e.index for e in coll.scan(order=order)]
        backward = [e.index for e in coll.scan(order=order, descending=True)]
        assert backward == forward[::-1]
    keys = [Collection.key_of(e, "modified") for e in coll.scan(order="modified")]
    tail = [e.index for e in coll.scan(order="modified", after=keys[5], descending=True)]
    assert tail == [e.index for e in coll.scan(order="modified")][:5][::-1]
