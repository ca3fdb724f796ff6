"""Contract: keyed bulk upserts, their change history, keyset iteration, counts, sync states.

A RecordChange is written for each real change only; its before/after hold
only the top-level fields that differ (a field missing on one side is absent
from that side). A deletion of a record never stored writes nothing and
counts as unchanged; duplicate ids in one batch count once, the last wins.
"""

from __future__ import annotations

import pytest

from core.errors import NotFoundError
from core.models import ChangeKind, Entity, SyncState
from core.store.base import Store
from core.store.queries import UpsertResult
from tests.core.store.builders import ORG, T0, at, connection, write

CONTACT = Entity.CONTACT


@pytest.fixture
def conn_id(store: Store) -> str:
    return store.create_connection(connection()).id


def _history(
    store: Store, conn_id: str, external_id: str
) -> list[tuple[ChangeKind, object, object]]:
    changes = store.record_history(ORG, conn_id, CONTACT, external_id)
    return [(c.kind, c.before, c.after) for c in changes]


def test_first_upsert_creates_with_full_data_in_the_change(store: Store, conn_id: str) -> None:
    writes = [
        write("c1", {"name": "Ada", "email": "ada@example.com"}, source_updated_at=at(hours=1)),
        write("c2", {"name": "Bob"}, source_created_at=T0),
    ]

    result = store.upsert_records(ORG, conn_id, CONTACT, writes, run_id="run-1")

    assert result == UpsertResult(created=2)
    stored = store.get_records(ORG, conn_id, CONTACT, ["c1", "c2", "missing"])
    assert sorted(stored) == ["c1", "c2"]
    c1 = stored["c1"]
    assert (c1.data, c1.content_hash, c1.version) == (writes[0].data, writes[0].content_hash, 1)
    assert (c1.source_updated_at, c1.source_created_at) == (at(hours=1), None)
    assert (c1.deleted, c1.local_change) == (False, None)
    assert stored["c2"].source_created_at == T0
    [change] = store.record_history(ORG, conn_id, CONTACT, "c1")
    assert (change.kind, change.run_id, change.before, change.after) == (
        ChangeKind.CREATED, "run-1", None, {"name": "Ada", "email": "ada@example.com"}
    )  # fmt: skip


def test_second_upsert_reports_each_outcome_and_writes_only_real_changes(
    store: Store, conn_id: str
) -> None:
    first = [write(f"c{n}", {"name": f"N{n}", "tier": "gold", "old": "x"}) for n in range(1, 4)]
    store.upsert_records(ORG, conn_id, CONTACT, first, run_id="run-1")
    changed = {"name": "N1", "tier": "silver", "new": "y"}

    result = store.upsert_records(
        ORG, conn_id, CONTACT,
        [write("c1", changed), first[1], first[2], write("c4", {"name": "N4"})],
        run_id="run-2",
    )  # fmt: skip

    assert result == UpsertResult(created=1, updated=1, unchanged=2)
    assert result.written == 2
    assert _history(store, conn_id, "c1") == [
        (ChangeKind.UPDATED, {"tier": "gold", "old": "x"}, {"tier": "silver", "new": "y"}),
        (ChangeKind.CREATED, None, first[0].data),
    ]
    assert len(store.record_history(ORG, conn_id, CONTACT, "c2")) == 1
    records = store.get_records(ORG, conn_id, CONTACT, ["c1", "c2", "c4"])
    assert (records["c1"].data, records["c1"].version) == (changed, 2)
    assert records["c2"].version == 1
    assert store.count_records(ORG, conn_id) == {CONTACT: 4}


def test_delete_then_restore(store: Store, conn_id: str) -> None:
    store.upsert_records(ORG, conn_id, CONTACT, [write("c1", {"name": "Ada"})], run_id=None)

    gone = store.upsert_records(
        ORG, conn_id, CONTACT, [write("c1", {}, deleted=True)], run_id="run-2"
    )
    again = store.upsert_records(
        ORG, conn_id, CONTACT, [write("c1", {}, deleted=True)], run_id="run-3"
    )
    deleted = store.get_records(ORG, conn_id, CONTACT, ["c1"])["c1"]
    counted_while_deleted = store.count_records(ORG, conn_id)
    back = store.upsert_records(
        ORG, conn_id, CONTACT, [write("c1", {"name": "Ada L."})], run_id="run-4"
    )

    assert (gone, again, back) == (
        UpsertResult(deleted=1), UpsertResult(unchanged=1), UpsertResult(restored=1)
    )  # fmt: skip
    assert (deleted.deleted, deleted.deleted_at is not None, deleted.data) == (
        True,
        True,
        {"name": "Ada"},
    )
    assert counted_while_deleted == {}
    restored = store.get_records(ORG, conn_id, CONTACT, ["c1"])["c1"]
    assert (restored.deleted, restored.deleted_at, restored.data, restored.version) == (
        False, None, {"name": "Ada L."}, 3
    )  # fmt: skip
    assert _history(store, conn_id, "c1") == [
        (ChangeKind.RESTORED, {"name": "Ada"}, {"name": "Ada L."}),
        (ChangeKind.DELETED, None, None),
        (ChangeKind.CREATED, None, {"name": "Ada"}),
    ]


def test_deleting_an_unknown_record_stores_nothing(store: Store, conn_id: str) -> None:
    result = store.upsert_records(
        ORG, conn_id, CONTACT, [write("ghost", {}, deleted=True)], run_id=None
    )

    assert result == UpsertResult(unchanged=1)
    assert store.get_records(ORG, conn_id, CONTACT, ["ghost"]) == {}
    assert store.record_history(ORG, conn_id, CONTACT, "ghost") == []


def test_duplicates_in_one_batch_count_once_and_the_last_wins(store: Store, conn_id: str) -> None:
    result = store.upsert_records(
        ORG, conn_id, CONTACT, [write("c1", {"v": 1}), write("c1", {"v": 2})], run_id=None
    )

    assert result == UpsertResult(created=1)
    assert store.get_records(ORG, conn_id, CONTACT, ["c1"])["c1"].data == {"v": 2}


def test_a_pending_local_change_survives_an_upsert(store: Store, conn_id: str) -> None:
    store.upsert_records(ORG, conn_id, CONTACT, [write("c1", {"name": "Ada"})], run_id=None)
    store.set_local_change(ORG, conn_id, CONTACT, "c1", {"phone": "123"}, at=at(hours=1))

    result = store.upsert_records(
        ORG, conn_id, CONTACT, [write("c1", {"name": "Ada", "phone": "123", "x": 1})], run_id=None
    )

    assert result == UpsertResult(updated=1)
    record = store.get_records(ORG, conn_id, CONTACT, ["c1"])["c1"]
    assert (record.local_change, record.local_changed_at) == ({"phone": "123"}, at(hours=1))


def test_record_versions_match_the_stored_records_without_their_data(
    store: Store, conn_id: str
) -> None:
    store.upsert_records(
        ORG, conn_id, CONTACT, [write("c1", {"name": "Ada"}), write("c2", {"name": "Bo"})],
        run_id=None,
    )  # fmt: skip
    store.set_local_change(ORG, conn_id, CONTACT, "c1", {"phone": "123"}, at=at(hours=1))
    store.upsert_records(ORG, conn_id, CONTACT, [write("c2", {}, deleted=True)], run_id=None)
    other = store.create_connection(connection(name="Other")).id
    store.upsert_records(ORG, other, CONTACT, [write("c3", {"name": "Cy"})], run_id=None)

    versions = store.get_record_versions(ORG, conn_id, CONTACT, ["c1", "c2", "c3", "missing"])
    records = store.get_records(ORG, conn_id, CONTACT, ["c1", "c2"])

    assert set(versions) == {"c1", "c2"}  # c3 is another connection's
    for external_id, version in versions.items():
        record = records[external_id]
        assert (
            version.content_hash,
            version.deleted,
            version.local_change,
            version.local_changed_at,
        ) == (record.content_hash, record.deleted, record.local_change, record.local_changed_at)
    assert (versions["c1"].local_change, versions["c1"].local_changed_at) == (
        {"phone": "123"}, at(hours=1)
    )  # fmt: skip
    assert versions["c2"].deleted and versions["c2"].local_change is None
    assert store.get_record_versions(ORG, conn_id, CONTACT, []) == {}
    assert store.get_record_versions("another-org", conn_id, CONTACT, ["c1"]) == {}


def test_entities_and_connections_are_separate_key_spaces(store: Store, conn_id: str) -> None:
    other = store.create_connection(connection(name="Other")).id
    store.upsert_records(ORG, conn_id, CONTACT, [write("x1", {"a": 1})], run_id=None)
    store.upsert_records(ORG, conn_id, Entity.ACCOUNT, [write("x1", {"a": 2})], run_id=None)
    store.upsert_records(ORG, other, CONTACT, [write("x1", {"a": 3})], run_id=None)

    assert store.get_records(ORG, conn_id, CONTACT, ["x1"])["x1"].data == {"a": 1}
    assert store.get_records(ORG, conn_id, Entity.ACCOUNT, ["x1"])["x1"].data == {"a": 2}
    assert store.count_records(ORG, conn_id) == {CONTACT: 1, Entity.ACCOUNT: 1}
    assert store.count_records(ORG, other) == {CONTACT: 1}


def test_iteration_is_keyset_ordered_and_filtered(store: Store, conn_id: str) -> None:
    ids = [f"c{n:02d}" for n in range(11)]
    store.upsert_records(
        ORG, conn_id, CONTACT, [write(i, {"i": i}) for i in reversed(ids)], run_id=None
    )
    store.upsert_records(ORG, conn_id, CONTACT, [write("c03", {}, deleted=True)], run_id=None)
    for pending in ("c07", "c05"):
        store.set_local_change(ORG, conn_id, CONTACT, pending, {"x": 1}, at=T0)

    def listed(**options: bool) -> list[str]:
        records = store.iter_records(ORG, conn_id, CONTACT, batch_size=3, **options)
        return [r.external_id for r in records]

    assert listed() == [i for i in ids if i != "c03"]
    assert listed(include_deleted=True) == ids
    assert listed(pending_only=True) == ["c05", "c07"]
    assert [r.external_id for r in store.iter_records(ORG, conn_id, Entity.ACCOUNT)] == []
    assert list(store.iter_external_ids(ORG, conn_id, CONTACT, batch_size=3)) == listed()
    assert list(store.iter_external_ids(ORG, conn_id, Entity.ACCOUNT)) == []


def test_upsert_into_an_unknown_connection_is_refused(store: Store, conn_id: str) -> None:
    with pytest.raises(NotFoundError):
        store.upsert_records(ORG, "no-such-connection", CONTACT, [write("c1", {})], run_id=None)
    assert store.get_records(ORG, "no-such-connection", CONTACT, ["c1"]) == {}


def test_sync_state_round_trips_and_is_replaced(store: Store, conn_id: str) -> None:
    state = SyncState(
        organisation_id=ORG, connection_id=conn_id, entity=CONTACT, cursor="2025-03-01",
        checkpoint={"page_token": "abc", "run_id": "run-1"}, last_full_sync_at=T0, updated_at=T0,
    )  # fmt: skip
    store.save_sync_state(state)
    moved = state.model_copy(
        update={"cursor": "2025-03-02", "checkpoint": None, "updated_at": at(hours=1)}
    )
    assert store.get_sync_state(ORG, conn_id, CONTACT) == state

    store.save_sync_state(moved)

    assert store.get_sync_state(ORG, conn_id, CONTACT) == moved
    assert store.get_sync_state(ORG, conn_id, Entity.ACCOUNT) is None
    with pytest.raises(NotFoundError):
        store.save_sync_state(state.model_copy(update={"connection_id": "no-such-connection"}))


def test_a_checkpoint_is_saved_with_its_page(store: Store, conn_id: str) -> None:
    state = SyncState(
        organisation_id=ORG, connection_id=conn_id, entity=CONTACT, checkpoint={"resume": 1},
        updated_at=T0,
    )  # fmt: skip
    store.upsert_records(ORG, conn_id, CONTACT, [write("c1", {"n": 1})], run_id=None, state=state)
    assert store.get_sync_state(ORG, conn_id, CONTACT) == state
    later = state.model_copy(update={"checkpoint": {"resume": 2}})
    store.upsert_records(ORG, conn_id, CONTACT, [], run_id=None, state=later)
    assert store.get_sync_state(ORG, conn_id, CONTACT) == later
    with pytest.raises(ValueError, match="its own stream"):
        store.upsert_records(
            ORG, conn_id, Entity.ACCOUNT, [write("a1", {})], run_id=None, state=later
        )
    assert store.get_records(ORG, conn_id, Entity.ACCOUNT, ["a1"]) == {}


def test_a_checkpoint_can_carry_what_its_page_write_did(store: Store, conn_id: str) -> None:
    """Given as a function, the state is made from the write's own result, in the same
    transaction: a resumed run counts exactly what the store holds (core.sync.resume)."""
    state = SyncState(organisation_id=ORG, connection_id=conn_id, entity=CONTACT, updated_at=T0)
    seen: list[UpsertResult] = []

    def with_result(result: UpsertResult) -> SyncState:
        seen.append(result)
        return state.model_copy(update={"checkpoint": {"created": result.created}})

    store.upsert_records(ORG, conn_id, CONTACT, [write("c1", {"n": 1})], run_id=None)
    writes = [write("c1", {"n": 1}), write("c2", {"n": 2}), write("c3", {"n": 3})]
    result = store.upsert_records(ORG, conn_id, CONTACT, writes, run_id=None, state=with_result)
    assert seen == [result]
    assert (result.created, result.unchanged) == (2, 1)
    saved = store.get_sync_state(ORG, conn_id, CONTACT)
    assert saved is not None and saved.checkpoint == {"created": 2}
    with pytest.raises(ValueError, match="its own stream"):
        store.upsert_records(
            ORG, conn_id, Entity.ACCOUNT, [write("a1", {})], run_id=None, state=with_result
        )
