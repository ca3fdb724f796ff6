"""Contract: edits made in ToothPick, their push (with `local:` renames) and record history."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from core.errors import NotFoundError
from core.models import ChangeKind, Entity, content_hash
from core.store.base import Store
from tests.core.store.builders import ORG, after_now, connection, write

CONTACT = Entity.CONTACT


def at(*, hours: int) -> datetime:
    """Edit times around the real clock, which the store stamps upserts and pushes with:
    positive hours come after the fixture's upsert, negative ones before a push."""
    return BASE + timedelta(hours=hours)


BASE = after_now(hours=0)


@pytest.fixture
def conn_id(store: Store) -> str:
    conn_id = store.create_connection(connection()).id
    base = {"name": "Ada", "email": "ada@example.com"}
    store.upsert_records(ORG, conn_id, CONTACT, [write("c1", base)], run_id="run-1")
    return conn_id


def test_local_edits_merge_into_data_and_accumulate_as_pending(store: Store, conn_id: str) -> None:
    first = store.set_local_change(ORG, conn_id, CONTACT, "c1", {"email": "a@x.io"}, at=at(hours=1))
    second = store.set_local_change(ORG, conn_id, CONTACT, "c1", {"phone": "1"}, at=at(hours=2))

    assert first.data == {"name": "Ada", "email": "a@x.io"}
    assert (first.local_change, first.version) == ({"email": "a@x.io"}, 2)
    assert second.data == {"name": "Ada", "email": "a@x.io", "phone": "1"}
    assert second.local_change == {"email": "a@x.io", "phone": "1"}
    assert (second.local_changed_at, second.version) == (at(hours=2), 3)
    assert store.get_records(ORG, conn_id, CONTACT, ["c1"])["c1"] == second
    history = store.record_history(ORG, conn_id, CONTACT, "c1")
    assert [(c.kind, c.at, c.before, c.after) for c in history[:2]] == [
        (ChangeKind.LOCAL_EDIT, at(hours=2), {}, {"phone": "1"}),
        (ChangeKind.LOCAL_EDIT, at(hours=1), {"email": "ada@example.com"}, {"email": "a@x.io"}),
    ]


def test_editing_an_unknown_record_is_refused_unless_it_is_local(
    store: Store, conn_id: str
) -> None:
    with pytest.raises(NotFoundError):
        store.set_local_change(ORG, conn_id, CONTACT, "c404", {"name": "X"}, at=at(hours=1))

    created = store.set_local_change(
        ORG, conn_id, CONTACT, "local:tmp-1", {"name": "New"}, at=at(hours=1)
    )

    assert (created.external_id, created.data, created.local_change) == (
        "local:tmp-1", {"name": "New"}, {"name": "New"}
    )  # fmt: skip
    assert (created.version, created.local_changed_at, created.deleted) == (1, at(hours=1), False)
    assert store.count_records(ORG, conn_id) == {CONTACT: 2}
    [change] = store.record_history(ORG, conn_id, CONTACT, "local:tmp-1")
    assert (change.kind, change.before, change.after) == (
        ChangeKind.LOCAL_EDIT, None, {"name": "New"}
    )  # fmt: skip


def test_mark_pushed_clears_the_pending_change(store: Store, conn_id: str) -> None:
    store.set_local_change(ORG, conn_id, CONTACT, "c1", {"email": "a@x.io"}, at=at(hours=-1))
    vendor = {"name": "Ada", "email": "a@x.io", "modified_by": "api"}

    store.mark_pushed(
        ORG, conn_id, CONTACT, "c1", new_external_id="c1", data=vendor,
        content_hash=content_hash(vendor), source_updated_at=at(hours=3), run_id="run-2",
    )  # fmt: skip

    record = store.get_records(ORG, conn_id, CONTACT, ["c1"])["c1"]
    assert (record.data, record.content_hash) == (vendor, content_hash(vendor))
    assert (record.local_change, record.local_changed_at) == (None, None)
    assert (record.source_updated_at, record.version) == (at(hours=3), 3)
    assert list(store.iter_records(ORG, conn_id, CONTACT, pending_only=True)) == []
    pushed = store.record_history(ORG, conn_id, CONTACT, "c1")[0]
    assert (pushed.kind, pushed.run_id, pushed.before, pushed.after) == (
        ChangeKind.PUSHED, "run-2", {}, {"modified_by": "api"}
    )  # fmt: skip


def test_mark_pushed_renames_a_local_record_and_moves_its_history(
    store: Store, conn_id: str
) -> None:
    store.set_local_change(ORG, conn_id, CONTACT, "local:tmp-1", {"name": "New"}, at=at(hours=-1))
    vendor = {"name": "New", "id": "003XYZ"}

    store.mark_pushed(
        ORG, conn_id, CONTACT, "local:tmp-1", new_external_id="003XYZ", data=vendor,
        content_hash=content_hash(vendor), source_updated_at=None, run_id="run-2",
    )  # fmt: skip

    found = store.get_records(ORG, conn_id, CONTACT, ["local:tmp-1", "003XYZ"])
    assert list(found) == ["003XYZ"]
    assert (found["003XYZ"].data, found["003XYZ"].local_change) == (vendor, None)
    assert store.count_records(ORG, conn_id) == {CONTACT: 2}
    kinds = [c.kind for c in store.record_history(ORG, conn_id, CONTACT, "003XYZ")]
    assert kinds == [ChangeKind.PUSHED, ChangeKind.LOCAL_EDIT]
    assert store.record_history(ORG, conn_id, CONTACT, "local:tmp-1") == []


def test_mark_pushed_of_an_unknown_record_is_refused(store: Store, conn_id: str) -> None:
    with pytest.raises(NotFoundError):
        store.mark_pushed(
            ORG, conn_id, CONTACT, "c404", new_external_id="c404", data={}, content_hash="h",
            source_updated_at=None, run_id=None,
        )  # fmt: skip


def test_clear_local_change_keeps_the_data(store: Store, conn_id: str) -> None:
    store.set_local_change(ORG, conn_id, CONTACT, "c1", {"email": "a@x.io"}, at=at(hours=1))

    store.clear_local_change(ORG, conn_id, CONTACT, "c1")

    record = store.get_records(ORG, conn_id, CONTACT, ["c1"])["c1"]
    assert (record.local_change, record.local_changed_at) == (None, None)
    assert record.data == {"name": "Ada", "email": "a@x.io"}


def test_history_is_newest_first_and_limited(store: Store, conn_id: str) -> None:
    for hour in range(1, 6):
        store.set_local_change(ORG, conn_id, CONTACT, "c1", {"n": hour}, at=at(hours=hour))

    latest = store.record_history(ORG, conn_id, CONTACT, "c1", limit=2)

    assert [(c.at, c.after) for c in latest] == [(at(hours=5), {"n": 5}), (at(hours=4), {"n": 4})]
    assert len(store.record_history(ORG, conn_id, CONTACT, "c1")) == 6


# -- deletions made in ToothPick ---------------------------------------------------------


def test_a_local_deletion_leaves_the_live_records_and_waits_for_its_push(
    store: Store, conn_id: str
) -> None:
    store.set_local_change(ORG, conn_id, CONTACT, "c1", {"email": "a@x.io"}, at=at(hours=1))
    hash_before = store.get_records(ORG, conn_id, CONTACT, ["c1"])["c1"].content_hash

    deleted = store.delete_locally(ORG, conn_id, CONTACT, "c1", at=at(hours=2))

    assert (deleted.deleted, deleted.local_delete, deleted.local_change) == (True, True, {})
    assert (deleted.deleted_at, deleted.local_changed_at) == (at(hours=2), at(hours=2))
    assert deleted.content_hash == hash_before  # still names the vendor version it deleted
    assert store.count_records(ORG, conn_id) == {}
    assert list(store.iter_records(ORG, conn_id, CONTACT)) == []
    assert list(store.iter_external_ids(ORG, conn_id, CONTACT)) == []
    pending = store.iter_records(ORG, conn_id, CONTACT, pending_only=True, include_deleted=True)
    assert [r.external_id for r in pending] == ["c1"]
    version = store.get_record_versions(ORG, conn_id, CONTACT, ["c1"])["c1"]
    assert (version.deleted, version.local_delete) == (True, True)
    kinds = [c.kind for c in store.record_history(ORG, conn_id, CONTACT, "c1")]
    assert kinds[:2] == [ChangeKind.LOCAL_DELETE, ChangeKind.LOCAL_EDIT]


def test_deleting_a_missing_or_deleted_record_is_refused(store: Store, conn_id: str) -> None:
    with pytest.raises(NotFoundError):
        store.delete_locally(ORG, conn_id, CONTACT, "c404", at=at(hours=1))
    store.delete_locally(ORG, conn_id, CONTACT, "c1", at=at(hours=1))
    with pytest.raises(NotFoundError):
        store.delete_locally(ORG, conn_id, CONTACT, "c1", at=at(hours=2))
    with pytest.raises(NotFoundError):
        store.delete_locally("another-org", conn_id, CONTACT, "c1", at=at(hours=2))


def test_a_local_record_the_vendor_never_had_is_deleted_with_nothing_to_push(
    store: Store, conn_id: str
) -> None:
    store.set_local_change(ORG, conn_id, CONTACT, "local:tmp-1", {"name": "New"}, at=at(hours=1))

    deleted = store.delete_locally(ORG, conn_id, CONTACT, "local:tmp-1", at=at(hours=2))

    assert (deleted.deleted, deleted.local_delete, deleted.local_change) == (True, False, None)
    assert list(store.iter_records(ORG, conn_id, CONTACT, pending_only=True)) == []


def test_a_pushed_deletion_is_cleared_and_written_to_history(store: Store, conn_id: str) -> None:
    store.delete_locally(ORG, conn_id, CONTACT, "c1", at=at(hours=-1))

    store.mark_delete_pushed(ORG, conn_id, CONTACT, "c1", run_id="run-2")
    store.mark_delete_pushed(ORG, conn_id, CONTACT, "c1", run_id="run-3")  # no longer pending

    record = store.get_records(ORG, conn_id, CONTACT, ["c1"])["c1"]
    assert (record.deleted, record.local_delete, record.local_change) == (True, False, None)
    pending = store.iter_records(ORG, conn_id, CONTACT, pending_only=True, include_deleted=True)
    assert list(pending) == []
    history = store.record_history(ORG, conn_id, CONTACT, "c1")  # newest first
    assert [(c.kind, c.run_id) for c in history] == [
        (ChangeKind.DELETED, "run-2"),
        (ChangeKind.CREATED, "run-1"),
        (ChangeKind.LOCAL_DELETE, None),
    ]  # fmt: skip (the deletion is dated an hour before the fixture's upsert)


def test_a_live_record_is_not_marked_as_a_pushed_deletion(store: Store, conn_id: str) -> None:
    store.set_local_change(ORG, conn_id, CONTACT, "c1", {"email": "a@x.io"}, at=at(hours=1))

    store.mark_delete_pushed(ORG, conn_id, CONTACT, "c1", run_id="run-2")

    record = store.get_records(ORG, conn_id, CONTACT, ["c1"])["c1"]
    assert (record.deleted, record.local_change) == (False, {"email": "a@x.io"})


def test_a_pending_deletion_can_be_taken_back(store: Store, conn_id: str) -> None:
    store.delete_locally(ORG, conn_id, CONTACT, "c1", at=at(hours=1))

    restored = store.undo_local_delete(ORG, conn_id, CONTACT, "c1", at=at(hours=2))

    assert (restored.deleted, restored.local_delete, restored.local_change) == (False, False, None)
    assert restored.data == {"name": "Ada", "email": "ada@example.com"}
    assert store.count_records(ORG, conn_id) == {CONTACT: 1}
    assert store.record_history(ORG, conn_id, CONTACT, "c1")[0].kind is ChangeKind.RESTORED
    with pytest.raises(NotFoundError):  # nothing pending any more
        store.undo_local_delete(ORG, conn_id, CONTACT, "c1", at=at(hours=3))


def test_a_pushed_deletion_cannot_be_taken_back(store: Store, conn_id: str) -> None:
    store.delete_locally(ORG, conn_id, CONTACT, "c1", at=at(hours=-1))
    store.mark_delete_pushed(ORG, conn_id, CONTACT, "c1", run_id="run-2")

    with pytest.raises(NotFoundError):
        store.undo_local_delete(ORG, conn_id, CONTACT, "c1", at=at(hours=3))
    with pytest.raises(NotFoundError):
        store.undo_local_delete(ORG, conn_id, CONTACT, "c404", at=at(hours=3))
