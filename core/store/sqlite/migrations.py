"""Schema migrations, run by `SqliteStore.open`.

The schema version is `PRAGMA user_version` (it lives in the file header, so
it changes inside the same transaction as the DDL and rolls back with it).
`MIGRATIONS[n - 1]` takes the schema from version n-1 to n; it is either a
sequence of SQL statements or a function given the connection. To change the
schema, append one entry; never edit a released one. All pending steps run in
one `BEGIN IMMEDIATE` transaction: concurrent processes opening the same file
wait for each other and the loser finds the work already done, and a failing
step leaves the file at its old version.

`PRAGMA application_id` marks the file as ToothPick's, so pointing the data
directory at some other application's SQLite file is refused instead of
silently adding our tables to it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path

from core.errors import StoreError
from core.store.sqlite.access import API_KEYS, USERS
from core.store.sqlite.db import is_transient
from core.store.sqlite.issues import V4
from core.store.sqlite.kpis import P95_INDEXES
from core.store.sqlite.leases import SCHEMA as LEASES_SCHEMA
from core.store.sqlite.log_text import V11
from core.store.sqlite.notifications import SCHEMA as NOTIFICATIONS_SCHEMA
from core.store.sqlite.rollups import migrate_to_v2
from core.store.sqlite.schema import V1
from core.store.sqlite.sessions import SCHEMA as SESSIONS_SCHEMA
from core.store.sqlite.streams import V10

Migration = Sequence[str] | Callable[[sqlite3.Connection], None]

APPLICATION_ID = 0x54504948  # "TPIH"

# Version 3: sync durations ordered per KPI shape, from which kpis.py reads each p95.
V3 = P95_INDEXES
# Version 4: per-record failures (issues.py).
# Version 5: API keys; version 6: users (core/store/sqlite/access.py).

# Version 7: alerts have a lifecycle (acknowledged by, resolved at/by); one *unresolved*
# alert per (connection, kind); alerts acknowledged under an earlier version count as
# resolved. Connections carry their own alert thresholds.
ALERT_LIFECYCLE = (
    "ALTER TABLE alerts ADD COLUMN acknowledged_by TEXT",
    "ALTER TABLE alerts ADD COLUMN resolved_at INTEGER",
    "ALTER TABLE alerts ADD COLUMN resolved_by TEXT",
    "UPDATE alerts SET resolved_at = acknowledged_at WHERE acknowledged_at IS NOT NULL",
    "DROP INDEX alerts_one_open",
    """CREATE UNIQUE INDEX alerts_one_open
        ON alerts (organisation_id, coalesce(connection_id, ''), kind)
        WHERE resolved_at IS NULL""",
    "ALTER TABLE connections ADD COLUMN alert_thresholds TEXT NOT NULL DEFAULT '{}'",
)

# Version 13: a run's retry count (failed runs retried with backoff) and a connection's
# own retry and vendor-budget limits.
RUN_RETRIES = (
    "ALTER TABLE runs ADD COLUMN retries INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE connections ADD COLUMN run_limits TEXT NOT NULL DEFAULT '{}'",
)

# Version 8: notification channels and the notification outbox; version 9: leases (one
# scheduler at a time; live workers). Version 10: records and their changes keyed by an
# integer stream id (streams.py). Version 11: the trigram index of log messages (log_text.py).
# Version 12: sign-in sessions and shared marks (replay fingerprints, rate-limit windows)
# in sessions.py.
MIGRATIONS: list[Migration] = [
    V1, migrate_to_v2, V3, V4, API_KEYS, USERS,
    ALERT_LIFECYCLE, NOTIFICATIONS_SCHEMA, LEASES_SCHEMA, V10, V11, SESSIONS_SCHEMA,
    RUN_RETRIES,
]  # fmt: skip


def user_version(connection: sqlite3.Connection) -> int:
    return int(connection.execute("PRAGMA user_version").fetchone()[0])


def check_compatible(connection: sqlite3.Connection, path: Path) -> None:
    """Refuse another application's file or a newer schema, reading only."""
    current = user_version(connection)
    _refuse_foreign(connection, path, current)
    _refuse_newer(path, current, len(MIGRATIONS))


def migrate(connection: sqlite3.Connection, path: Path) -> int:
    """Bring the file to the newest schema this code knows; return that version."""
    target = len(MIGRATIONS)
    current = user_version(connection)
    if current == target:
        return current
    _refuse_newer(path, current, target)
    connection.execute("BEGIN IMMEDIATE")
    try:
        current = user_version(connection)  # another process may have migrated meanwhile
        _refuse_newer(path, current, target)
        for version in range(current + 1, target + 1):
            _apply(connection, MIGRATIONS[version - 1])
            connection.execute(f"PRAGMA user_version = {version}")
        connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        connection.execute("COMMIT")
    except Exception as exc:
        _rollback(connection)
        if isinstance(exc, sqlite3.Error) and is_transient(exc):
            raise  # locked or I/O: the caller's translation says so
        raise StoreError(
            f"Migrating the SQLite database {path} from schema version {current} to "
            f"{target} failed ({exc}); it was left at version {current}."
        ) from None
    return target


def _apply(connection: sqlite3.Connection, step: Migration) -> None:
    if callable(step):
        step(connection)
        return
    for statement in step:
        connection.execute(statement)


def _rollback(connection: sqlite3.Connection) -> None:
    if connection.in_transaction:
        connection.execute("ROLLBACK")


def _refuse_newer(path: Path, current: int, target: int) -> None:
    if current > target:
        raise StoreError(
            f"The SQLite database {path} has schema version {current}, newer than the "
            f"{target} this version of ToothPick knows. Upgrade ToothPick, or point "
            "TOOTHPICK_DATA_DIR at another directory; the file was not changed."
        )


def _refuse_foreign(connection: sqlite3.Connection, path: Path, current: int) -> None:
    application_id = int(connection.execute("PRAGMA application_id").fetchone()[0])
    if application_id == APPLICATION_ID:
        return
    has_tables = connection.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' LIMIT 1"
    ).fetchone()
    if application_id != 0 or current != 0 or has_tables:
        raise StoreError(
            f"The SQLite database {path} belongs to another application (it is not a "
            "ToothPick database); it was not changed. Point TOOTHPICK_DATA_DIR elsewhere."
        )
