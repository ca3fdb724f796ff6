"""Index windows of an id range (sandbox.core.id_window): exact where the id format keeps
index order under the comparison, absent where it does not."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from sandbox.core import NumericIds, ObjectSpec
from sandbox.core.collection import Collection
from sandbox.core.draw import collection_key
from sandbox.core.id_window import id_window
from tests.sandbox.core.test_collection import _Ctx, _gen


def _things(count: int, offset: int = 500) -> Collection:
    spec = ObjectSpec(name="things", fields=(), generate=_gen, ids=NumericIds(offset=offset))
    return Collection(spec, key=collection_key("t", "things"), count=count, ctx=_Ctx())


@settings(max_examples=200, deadline=None)
@given(
    count=st.integers(min_value=1, max_value=3_000),
    low=st.none() | st.integers(min_value=0, max_value=4_000),
    high=st.none() | st.integers(min_value=0, max_value=4_000),
)
def test_a_numeric_window_holds_exactly_the_ids_in_range(
    count: int, low: int | None, high: int | None
) -> None:
    things = _things(count)
    window = id_window(things, low, high, text=False)
    if low is None and high is None:
        assert window is None
        return
    assert window is not None
    inside = [
        i
        for i in range(count)
        if (low is None or int(things.generate(i).id) >= low)
        and (high is None or int(things.generate(i).id) < high)
    ]
    assert list(window) == inside


def test_text_windows_need_ids_of_one_width() -> None:
    things = _things(500, offset=99_900)  # ids 99901..100400: two widths, text order differs
    assert id_window(things, "99950", None, text=True) is None
    assert id_window(things, "99950", None, text=False) == range(49, 500)
    same = _things(500, offset=100_000)  # ids 100001..100500
    assert id_window(same, "100101", "100201", text=True) == range(100, 200)


def test_a_window_counts_and_scans_with_the_overlay() -> None:
    things = _things(1_000)
    things.delete(things.generate(10).id, hard=True)
    things.update(things.generate(20).id, {"name": "edited"})
    created = things.create({"name": "new"})
    window = id_window(things, things.generate(5).id, None, text=False)
    assert window is not None
    listed = [e.id for e in things.scan(window=window)]
    assert things.count_matching(window=window) == len(listed) == 1_000 - 5 - 1 + 1
    assert created.id in listed and things.generate(10).id not in listed
    assert id_window(things, "abc", None, text=False) is None  # not a numeric id
