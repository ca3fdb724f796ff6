"""SQLite only: WAL and pragmas, migrations, refusals, damaged or locked files, query plans.

Every failure must reach the user as one StoreError naming the file (never a
raw sqlite3 exception) and leave the file exactly as it was.
"""

from __future__ import annotations

import gc
import hashlib
import os
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.errors import StoreError, StoreUnavailableError
from core.store.queries import LogFilter
from core.store.sqlite import SqliteStore, migrations
from tests.core.store.builders import ORG, T0, at, log

CURRENT = len(migrations.MIGRATIONS)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "toothpick.db"


@pytest.fixture
def store(path: Path) -> Iterator[SqliteStore]:
    opened = SqliteStore.open(path)
    yield opened
    opened.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def raw(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, isolation_level=None)


def test_wal_foreign_keys_and_busy_timeout_are_on(store: SqliteStore, path: Path) -> None:
    connection = store._db.connection()

    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert connection.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert connection.execute("PRAGMA busy_timeout").fetchone()[0] == 10_000
    assert store.description == f"SQLite {path}"
    assert store.schema_version() == len(migrations.MIGRATIONS)
    assert raw(path).execute("PRAGMA user_version").fetchone()[0] == len(migrations.MIGRATIONS)


def test_each_connection_gets_the_page_cache_it_was_given(path: Path) -> None:
    default = SqliteStore.open(path)
    small = SqliteStore.open(path, cache_mib=8)
    try:
        # Negative cache_size is in KiB; every thread's connection carries it.
        assert default._db.connection().execute("PRAGMA cache_size").fetchone()[0] == -32 * 1024
        sizes: list[int] = []
        worker = threading.Thread(
            target=lambda: sizes.append(
                small._db.connection().execute("PRAGMA cache_size").fetchone()[0]
            )
        )
        worker.start()
        worker.join()
        assert sizes == [-8 * 1024]
    finally:
        small.close()
        default.close()


def test_a_new_migration_runs_once_on_open_and_keeps_the_data(
    store: SqliteStore, path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.append_logs([log(T0, id="kept")])
    store.close()
    calls: list[int] = []

    def add_notes(connection: sqlite3.Connection) -> None:
        calls.append(1)
        connection.execute("CREATE TABLE notes (id TEXT PRIMARY KEY)")

    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, add_notes])
    for _ in range(2):
        reopened = SqliteStore.open(path)
        assert reopened.schema_version() == CURRENT + 1
        assert reopened.get_log(ORG, "kept") is not None
        reopened.close()

    assert calls == [1]


def test_a_failing_migration_leaves_the_old_version(
    store: SqliteStore, path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.append_logs([log(T0, id="kept")])
    store.close()
    broken = ("CREATE TABLE half_done (id TEXT)", "THIS IS NOT SQL")
    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, broken])

    expected = rf"from schema version {CURRENT} to {CURRENT + 1} failed.*left at version {CURRENT}"
    with pytest.raises(StoreError, match=expected) as e:
        SqliteStore.open(path)

    assert str(path) in str(e.value)
    check = raw(path)
    assert check.execute("PRAGMA user_version").fetchone()[0] == CURRENT
    assert check.execute("SELECT name FROM sqlite_master WHERE name = 'half_done'").fetchall() == []


def test_a_newer_schema_is_refused_without_touching_the_file(
    store: SqliteStore, path: Path
) -> None:
    store.close()
    raw(path).execute("PRAGMA user_version = 99")
    before = digest(path)

    with pytest.raises(StoreError, match=f"schema version 99, newer than the {CURRENT}") as refused:
        SqliteStore.open(path)

    assert str(path) in str(refused.value)
    assert digest(path) == before


def test_another_applications_database_is_refused(path: Path) -> None:
    path.parent.mkdir(parents=True)
    raw(path).execute("CREATE TABLE invoices (id INTEGER)")
    before = digest(path)

    with pytest.raises(StoreError, match="another application"):
        SqliteStore.open(path)

    assert digest(path) == before


def test_a_file_that_is_not_a_database_is_named_and_left_alone(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_bytes(os.urandom(8192))
    before = digest(path)

    with pytest.raises(StoreError, match="corrupted or is not a SQLite database") as refused:
        SqliteStore.open(path)

    assert str(path) in str(refused.value)
    assert refused.value.__cause__ is None and refused.value.__suppress_context__
    assert digest(path) == before


def test_damaged_pages_give_a_store_error_not_a_sqlite3_one(store: SqliteStore, path: Path) -> None:
    store.append_logs([log(at(minutes=n), message="x" * 500) for n in range(200)])
    store.close()  # the last close checkpoints the WAL into the file
    data = bytearray(path.read_bytes())
    page = 4096
    data[page:] = os.urandom(len(data) - page)  # keep the header page, garble the rest
    path.write_bytes(bytes(data))

    with pytest.raises(StoreError, match="corrupted") as damaged:
        open_and_read(path)
    assert str(path) in str(damaged.value)


def open_and_read(path: Path) -> None:
    """Depending on which pages are hit first, the damage shows at open or at the query."""
    reopened = SqliteStore.open(path)
    try:
        reopened.query_logs(ORG, LogFilter())
    finally:
        reopened.close()


@pytest.mark.parametrize("problem", ["directory", "parent is a file"])
def test_an_unusable_path_is_named(tmp_path: Path, problem: str) -> None:
    if problem == "directory":
        target = tmp_path / "toothpick.db"
        target.mkdir()
        expected = "is a directory"
    else:
        (tmp_path / "blocker").write_text("")
        target = tmp_path / "blocker" / "toothpick.db"
        expected = "Cannot create the directory"

    with pytest.raises(StoreError, match=expected) as refused:
        SqliteStore.open(target)
    assert str(target) in str(refused.value)


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write to read-only files")
def test_a_read_only_file_is_named(store: SqliteStore, path: Path) -> None:
    store.close()
    path.chmod(0o444)

    with pytest.raises(StoreError, match="not readable and writable"):
        SqliteStore.open(path)


def test_a_locked_database_says_so_and_loses_nothing(path: Path) -> None:
    store = SqliteStore.open(path, busy_timeout_s=0.2)
    store.append_logs([log(T0, id="before")])
    holder = raw(path)
    holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        with pytest.raises(StoreUnavailableError, match="is locked") as locked:
            store.append_logs([log(at(hours=1), id="blocked")])
        assert str(path) in str(locked.value)
        assert store.query_logs(ORG, LogFilter()).total == 1  # WAL: readers still read
    finally:
        holder.execute("ROLLBACK")

    assert store.append_logs([log(at(hours=1), id="blocked")]) == 1
    assert [e.id for e in store.query_logs(ORG, LogFilter()).items] == ["blocked", "before"]
    store.close()


def test_opening_a_locked_new_file_says_locked(path: Path) -> None:
    path.parent.mkdir(parents=True)
    holder = raw(path)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreUnavailableError, match="is locked"):
            SqliteStore.open(path, busy_timeout_s=0.2)
    finally:
        holder.execute("ROLLBACK")
    SqliteStore.open(path).close()


def test_threads_share_one_store_and_finished_threads_release_their_connection(
    store: SqliteStore,
) -> None:
    failures: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            for batch in range(5):
                entries = [log(at(minutes=worker * 100 + batch * 10 + n)) for n in range(10)]
                store.append_logs(entries)
                store.query_logs(ORG, LogFilter(), limit=5)
        except BaseException as exc:  # reported below, with the thread's own error
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    del thread, threads
    gc.collect()

    assert failures == []
    assert store.query_logs(ORG, LogFilter()).total == 300
    assert len(store._db._handles) == 1  # only the main thread's connection is still open


def test_a_closed_store_refuses_politely(store: SqliteStore) -> None:
    store.close()

    with pytest.raises(StoreUnavailableError, match="closed"):
        store.query_logs(ORG, LogFilter())
    with pytest.raises(StoreUnavailableError):
        store.ping()


def test_version_4_alerts_acknowledged_count_as_resolved_after_migrating(tmp_path: Path) -> None:
    from tests.core.store.test_sqlite_queries import UNDO_VERSIONS_7_TO_10

    path = tmp_path / "v4.db"
    SqliteStore.open(path).close()
    old = sqlite3.connect(path)
    old.executescript(UNDO_VERSIONS_7_TO_10 + "PRAGMA user_version = 4;")
    old.execute(
        "INSERT INTO alerts (id, organisation_id, connection_id, system, kind, severity, "
        "message, created_at, last_seen_at, count, acknowledged_at) VALUES "
        "('a1', 'acme', 'c1', NULL, 'quota', 'warning', 'old', 1, 1, 1, 2), "
        "('a2', 'acme', 'c1', NULL, 'rate_limit', 'info', 'open', 1, 1, 1, NULL)"
    )
    old.commit()
    old.close()
    store = SqliteStore.open(path)
    try:
        assert [a.id for a in store.list_alerts("acme")] == ["a2"]
        [closed] = [a for a in store.list_alerts("acme", open_only=False) if a.id == "a1"]
        assert closed.resolved_at == closed.acknowledged_at
    finally:
        store.close()
