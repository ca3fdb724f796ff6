"""SqliteStore: the embedded default store, one file in the data directory.

Opening checks the path before SQLite sees it (a directory, a missing parent
that cannot be created or an unwritable file each get their own message),
refuses a file that is not ToothPick's or has a newer schema *before*
changing anything in it, then switches the file to WAL and runs migrations.
"""

from __future__ import annotations

import os
from pathlib import Path

from core.errors import StoreError, StoreUnavailableError
from core.store.base import Store
from core.store.sqlite.access import AccessMixin
from core.store.sqlite.connections import ConnectionsMixin
from core.store.sqlite.db import DEFAULT_CACHE_MIB, Database
from core.store.sqlite.issues import IssuesMixin
from core.store.sqlite.kpis import KpisMixin
from core.store.sqlite.leases import LeasesMixin
from core.store.sqlite.local_changes import LocalChangesMixin
from core.store.sqlite.logs import LogsMixin
from core.store.sqlite.migrations import check_compatible, migrate, user_version
from core.store.sqlite.notifications import NotificationsMixin
from core.store.sqlite.records import RecordsMixin
from core.store.sqlite.review import ReviewMixin
from core.store.sqlite.runs import RunsMixin
from core.store.sqlite.sessions import SessionsMixin
from core.store.sqlite.status import StatusMixin

DEFAULT_BUSY_TIMEOUT_S = 10.0


class SqliteStore(
    ConnectionsMixin,
    LogsMixin,
    KpisMixin,
    RecordsMixin,
    LocalChangesMixin,
    RunsMixin,
    ReviewMixin,
    IssuesMixin,
    AccessMixin,
    NotificationsMixin,
    LeasesMixin,
    SessionsMixin,
    StatusMixin,
):
    """Safe to share between the threads of one process, and to open from many
    processes at once (see db.py for how)."""

    def __init__(self, database: Database) -> None:
        self._db = database

    @classmethod
    def open(
        cls,
        path: Path,
        *,
        busy_timeout_s: float = DEFAULT_BUSY_TIMEOUT_S,
        cache_mib: int = DEFAULT_CACHE_MIB,
    ) -> SqliteStore:
        path = Path(path)
        _check_path(path)
        database = Database(path, busy_timeout_s=busy_timeout_s, cache_mib=cache_mib)
        try:
            with database.guard():
                connection = database.connection()
                check_compatible(connection, path)
                mode = str(connection.execute("PRAGMA journal_mode = WAL").fetchone()[0])
                if mode.lower() != "wal":
                    raise StoreError(
                        f"The SQLite database {path} cannot use WAL mode (it stayed in "
                        f"{mode} mode); keep the data directory on a local disk."
                    )
                migrate(connection, path)
        except BaseException:
            database.close(optimize=False)
            raise
        return cls(database)

    @property
    def description(self) -> str:
        return f"SQLite {self._db.path}"

    def schema_version(self) -> int:
        with self._db.guard():
            return user_version(self._db.connection())

    def ping(self) -> None:
        try:
            with self._db.guard():
                self._db.connection().execute("SELECT count(*) FROM sqlite_master").fetchone()
        except StoreUnavailableError:
            raise
        except StoreError as exc:
            raise StoreUnavailableError(str(exc)) from None

    def close(self) -> None:
        self._db.close()


def _check_path(path: Path) -> None:
    if path.is_dir():
        raise StoreError(
            f"The SQLite database path {path} is a directory; it must be a file "
            "(the data directory holds toothpick.db)."
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(
            f"Cannot create the directory of the SQLite database {path} ({exc.strerror})."
        ) from None
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        raise StoreError(f"The SQLite database {path} is not readable and writable by this user.")
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise StoreError(
            f"The directory of the SQLite database {path} is not writable; SQLite needs to "
            "create its -wal and -shm files beside the database."
        )


def _conforms(store: SqliteStore) -> Store:
    """mypy checks here that SqliteStore implements the whole Store protocol."""
    return store
