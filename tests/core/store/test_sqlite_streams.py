"""SQLite only: versions 10 (records keyed by stream) and 11 (log text index) keep a
version-9 file's records, history and logs, and make its logs searchable."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from core.models import ChangeKind, Entity
from core.store.queries import LogFilter
from core.store.sqlite import SqliteStore
from tests.core.store.builders import ORG, T0, connection, log, write
from tests.core.store.test_sqlite_queries import UNDO_VERSION_10

OLD_RECORD = (
    "INSERT INTO records (organisation_id, connection_id, entity, external_id, data, "
    "content_hash, synced_at, deleted, local_change, version) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, 1)"
)
OLD_CHANGE = (
    "INSERT INTO record_changes (id, organisation_id, connection_id, entity, external_id, "
    "run_id, at, kind, before, after) VALUES (?, ?, ?, ?, ?, 'r1', ?, ?, ?, ?)"
)


def version_9_file(path: Path) -> str:
    """A file as version 9 left it: one connection, three records, their history."""
    store = SqliteStore.open(path)
    conn = store.create_connection(connection())
    store.append_logs([log(T0, id="l1", message="Quota EXCEEDED for Contacts")])
    store.close()
    old = sqlite3.connect(path, isolation_level=None)
    old.executescript(UNDO_VERSION_10 + "PRAGMA user_version = 9;")
    contact = (ORG, conn.id, Entity.CONTACT.value)
    hashes = {n: write(n, {"name": f"Ada {n}"}).content_hash for n in ("1", "2")}
    old.executemany(
        OLD_RECORD,
        [
            (*contact, "1", '{"name": "Ada 1"}', hashes["1"], 0, None),
            (*contact, "2", '{"name": "Ada 2"}', hashes["2"], 1, None),
            (ORG, conn.id, Entity.ACCOUNT.value, "9", '{"name": "Acme"}', "h", 0, '{"x": 1}'),
        ],
    )
    old.executemany(
        OLD_CHANGE,
        [
            ("c1", *contact, "1", 1, "created", None, '{"name": "Ada"}'),
            ("c2", *contact, "1", 2, "updated", '{"name": "Ada"}', '{"name": "Ada 1"}'),
        ],
    )
    old.close()
    return conn.id


def test_a_version_9_file_keeps_its_records_and_history(tmp_path: Path) -> None:
    path = tmp_path / "v9.db"
    conn_id = version_9_file(path)
    store = SqliteStore.open(path)
    try:
        assert store.count_records(ORG, conn_id) == {Entity.ACCOUNT: 1, Entity.CONTACT: 1}
        records = store.get_records(ORG, conn_id, Entity.CONTACT, ["1", "2"])
        assert records["1"].data == {"name": "Ada 1"} and records["2"].deleted
        assert store.get_record_versions(ORG, conn_id, Entity.ACCOUNT, ["9"])["9"].local_change == {
            "x": 1
        }
        found = store.query_logs(ORG, LogFilter(text="exceeded for"))
        assert [e.id for e in found.items] == ["l1"]
        history = store.record_history(ORG, conn_id, Entity.CONTACT, "1")
        assert [(c.kind, c.before, c.after) for c in history] == [
            (ChangeKind.UPDATED, {"name": "Ada"}, {"name": "Ada 1"}),
            (ChangeKind.CREATED, None, {"name": "Ada"}),
        ]
        # The migrated keys still recognise unchanged records and still cascade.
        again = store.upsert_records(
            ORG, conn_id, Entity.CONTACT, [write("1", {"name": "Ada 1"})], run_id=None
        )
        assert (again.unchanged, again.written) == (1, 0)
        store.delete_connection(ORG, conn_id)
        assert store.count_records(ORG, conn_id) == {}
        left = store._db.connection().execute(
            "SELECT (SELECT COUNT(*) FROM records) + (SELECT COUNT(*) FROM record_changes) "
            "+ (SELECT COUNT(*) FROM record_streams)"
        )
        assert left.fetchone()[0] == 0
    finally:
        store.close()


def test_a_creation_keeps_no_data_and_its_history_shows_it(tmp_path: Path) -> None:
    store = SqliteStore.open(tmp_path / "new.db")
    try:
        conn_id = store.create_connection(connection()).id
        store.upsert_records(ORG, conn_id, Entity.CONTACT, [write("1", {"name": "A"})], run_id="r")
        store.upsert_records(
            ORG, conn_id, Entity.CONTACT, [write("1", {"name": "B", "phone": "2"})], run_id="r"
        )
        stored = store._db.connection().execute(
            "SELECT after FROM record_changes WHERE kind = 'created'"
        )
        assert stored.fetchone()[0] is None
        history = store.record_history(ORG, conn_id, Entity.CONTACT, "1")
        assert [c.after for c in history] == [{"name": "B", "phone": "2"}, {"name": "A"}]
    finally:
        store.close()
