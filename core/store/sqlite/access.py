"""API keys: only their salted keyed hash is stored (see core/models/access.py)."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from core.errors import AlreadyExistsError
from core.models import ApiKey
from core.store.sqlite.codec import opt_dt, opt_us, to_us
from core.store.sqlite.db import StoreArea

# Schema version 4.
API_KEYS = (
    """CREATE TABLE IF NOT EXISTS api_keys (
        id TEXT PRIMARY KEY,
        organisation_id TEXT NOT NULL,
        name TEXT NOT NULL,
        role TEXT NOT NULL,
        salt TEXT NOT NULL,
        secret_hash TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        revoked_at INTEGER
    )""",
    "CREATE INDEX IF NOT EXISTS api_keys_by_organisation ON api_keys (organisation_id, id)",
)


def _key(row: sqlite3.Row) -> ApiKey:
    return ApiKey.model_validate(
        {
            **dict(row),
            "created_at": opt_dt(row["created_at"]),
            "revoked_at": opt_dt(row["revoked_at"]),
        }
    )


class AccessMixin(StoreArea):
    def create_api_key(self, key: ApiKey) -> ApiKey:
        with self._db.write() as db:
            try:
                db.execute(
                    "INSERT INTO api_keys (id, organisation_id, name, role, salt, secret_hash, "
                    "created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        key.id,
                        key.organisation_id,
                        key.name,
                        key.role.value,
                        key.salt,
                        key.secret_hash,
                        to_us(key.created_at),
                        opt_us(key.revoked_at),
                    ),
                )
            except sqlite3.IntegrityError:
                raise AlreadyExistsError(f"An API key with id {key.id!r} exists.") from None
        return key

    def get_api_key(self, key_id: str) -> ApiKey | None:
        with self._db.guard():
            row = (
                self._db.connection()
                .execute("SELECT * FROM api_keys WHERE id = ?", (key_id,))
                .fetchone()
            )
        return None if row is None else _key(row)

    def list_api_keys(self, organisation_id: str) -> list[ApiKey]:
        with self._db.guard():
            rows = self._db.connection().execute(
                "SELECT * FROM api_keys WHERE organisation_id = ? ORDER BY id DESC",
                (organisation_id,),
            )
            return [_key(row) for row in rows]

    def revoke_api_key(self, organisation_id: str, key_id: str, *, at: datetime) -> bool:
        with self._db.write() as db:
            cursor = db.execute(
                "UPDATE api_keys SET revoked_at = ? "
                "WHERE organisation_id = ? AND id = ? AND revoked_at IS NULL",
                (to_us(at), organisation_id, key_id),
            )
            return cursor.rowcount == 1
