"""The SQLite file: per-thread connections, transactions, and readable errors.

Why one connection per thread (threading.local) rather than one shared
connection behind a lock: Streamlit runs each script in its own thread and a
worker beats its heartbeat from a second thread. Under WAL, readers never block
each other nor the single writer, so per-thread connections let the dashboard's
reads run side by side while SQLite itself serialises writers (`BEGIN
IMMEDIATE` plus `busy_timeout`, the same mechanism that coordinates the
scheduler and worker *processes*). A Python lock would serialise every read
and would do nothing across processes anyway. A `sqlite3.Connection` is never
used by two threads at once: each thread gets its own; `check_same_thread` is
off only so that `close()` may close them all from the thread shutting down.
A connection whose thread ended is closed when its thread-local slot is freed.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from core.errors import NotFoundError, StoreError, StoreUnavailableError

log = logging.getLogger(__name__)

# Primary result codes (https://sqlite.org/rescode.html).
_BUSY, _LOCKED, _READONLY, _IOERR, _CORRUPT, _FULL, _CANTOPEN, _NOTADB = 5, 6, 8, 10, 11, 13, 14, 26
_PERM = 3

_CONNECTION_PRAGMAS = (
    "PRAGMA foreign_keys = ON",
    # Under WAL, NORMAL never corrupts the file; a power cut may lose the last commits only.
    "PRAGMA synchronous = NORMAL",
    "PRAGMA temp_store = MEMORY",
)
# Each connection (one per thread) keeps its own page cache up to this size; it fills as
# the file grows past it and then stays there.
DEFAULT_CACHE_MIB = 32


class _Handle:
    """Holder that a WeakSet can track (sqlite3.Connection takes no weak references)."""

    __slots__ = ("__weakref__", "connection")

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection


class Database:
    def __init__(
        self, path: Path, *, busy_timeout_s: float, cache_mib: int = DEFAULT_CACHE_MIB
    ) -> None:
        self.path = path
        self.busy_timeout_s = busy_timeout_s
        self.cache_mib = cache_mib
        self._lock = threading.Lock()
        self._closed = False
        self._reset()

    def _reset(self) -> None:
        # After fork() a child must not use its parent's connections (SQLite's rule).
        self._pid = os.getpid()
        self._local = threading.local()
        # One writer per process: runs in flight write from many threads, and SQLite
        # would otherwise make all but one of them sleep-and-retry in its busy handler
        # (polling up to 100 ms at a time); across processes busy_timeout still decides.
        self._write_lock = threading.RLock()
        self._handles: weakref.WeakSet[_Handle] = weakref.WeakSet()

    def connection(self) -> sqlite3.Connection:
        if self._closed:
            raise StoreUnavailableError(f"The SQLite store {self.path} has been closed.")
        if os.getpid() != self._pid:
            self._reset()
        handle: _Handle | None = getattr(self._local, "handle", None)
        if handle is None:
            with self.guard():
                handle = _Handle(self._connect())
            self._local.handle = handle
            with self._lock:
                self._handles.add(handle)
        return handle.connection

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(
            self.path,
            timeout=self.busy_timeout_s,
            isolation_level=None,  # we issue BEGIN/COMMIT ourselves
            check_same_thread=False,
            cached_statements=256,
        )
        connection.row_factory = sqlite3.Row
        connection.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_s * 1000)}")
        for pragma in _CONNECTION_PRAGMAS:
            connection.execute(pragma)
        connection.execute(f"PRAGMA cache_size = {-int(self.cache_mib) * 1024}")  # KiB
        return connection

    @contextmanager
    def guard(self) -> Iterator[None]:
        """Turn any sqlite3 error into one StoreError naming the file."""
        try:
            yield
        except sqlite3.Error as exc:
            log.debug("SQLite error on %s", self.path, exc_info=True)
            raise translate(exc, self.path, self.busy_timeout_s) from None

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction. IMMEDIATE takes the write lock up front, so a
        read-then-write (claim, dedup, CAS) cannot be overtaken by another process."""
        connection = self.connection()
        with self._write_lock, self.guard():
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection
            except BaseException:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A read snapshot, so a page and its total count agree with each other."""
        connection = self.connection()
        with self.guard():
            nested = connection.in_transaction  # inside write(): its snapshot already holds
            if not nested:
                connection.execute("BEGIN")
            try:
                yield connection
            finally:
                if not nested and connection.in_transaction:
                    connection.execute("COMMIT")

    def close(self, *, optimize: bool = True) -> None:
        """`optimize` refreshes planner statistics where SQLite thinks they are stale
        (cheap, bounded by analysis_limit); skipped for a file we refused to use."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            handles = list(self._handles) if os.getpid() == self._pid else []
            self._handles = weakref.WeakSet()
        for handle in handles:
            if optimize:
                self._optimize(handle.connection)
            handle.connection.close()

    def _optimize(self, connection: sqlite3.Connection) -> None:
        try:
            connection.execute("PRAGMA analysis_limit = 400")
            connection.execute("PRAGMA optimize")
        except sqlite3.Error:
            log.debug("PRAGMA optimize failed on %s", self.path, exc_info=True)


class StoreArea:
    """Base of the area mixins (connections, logs, kpis, records, runs, review).

    Splitting by area keeps each file readable; they share one `Database` and
    never call each other's public methods inside a transaction (transactions
    do not nest)."""

    _db: Database


def require_connection(
    connection: sqlite3.Connection, organisation_id: str, connection_id: str
) -> None:
    """NotFoundError unless the organisation owns the connection (another
    organisation's connection is reported exactly like a missing one)."""
    row = connection.execute(
        "SELECT 1 FROM connections WHERE organisation_id = ? AND id = ?",
        (organisation_id, connection_id),
    ).fetchone()
    if row is None:
        raise NotFoundError(f"Connection {connection_id} not found.")


def is_transient(exc: sqlite3.Error) -> bool:
    """Locked, busy, disk full or I/O: worth trying again later, not a broken file."""
    code = (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF
    return code in (_BUSY, _LOCKED, _IOERR, _FULL) or "locked" in str(exc).lower()


def translate(exc: sqlite3.Error, path: Path, busy_timeout_s: float) -> StoreError:
    code = (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF
    text = str(exc).lower()
    if code in (_BUSY, _LOCKED) or "locked" in text:
        return StoreUnavailableError(
            f"The SQLite database {path} is locked by another process or thread "
            f"(waited {busy_timeout_s:g} s). Nothing was changed; try again."
        )
    if code in (_CORRUPT, _NOTADB) or "malformed" in text or "not a database" in text:
        return StoreError(
            f"The SQLite database {path} is corrupted or is not a SQLite database ({exc}). "
            "It was left as it is; restore it from a backup or move it aside."
        )
    if code in (_READONLY, _PERM):
        return StoreError(
            f"The SQLite database {path} is read-only ({exc}); check the permissions "
            "of the file and of its directory."
        )
    if code == _CANTOPEN:
        return StoreError(
            f"Cannot open the SQLite database {path} ({exc}); check that the path is a "
            "writable file in an existing directory."
        )
    if code in (_FULL, _IOERR):
        return StoreUnavailableError(f"The SQLite database {path} cannot be written ({exc}).")
    if isinstance(exc, sqlite3.ProgrammingError) and "closed" in text:
        return StoreUnavailableError(f"The SQLite store {path} has been closed.")
    return StoreError(f"SQLite error on {path}: {exc}")
