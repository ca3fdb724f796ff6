"""API keys and users: only hashes of their secrets are stored (see core/models/access.py)."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from core.errors import AlreadyExistsError
from core.models import ApiKey, User
from core.store.sqlite.codec import opt_dt, opt_us, to_us
from core.store.sqlite.db import StoreArea

# Schema version 5.
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


# Schema version 6.
USERS = (
    """CREATE TABLE IF NOT EXISTS users (
        id TEXT PRIMARY KEY,
        organisation_id TEXT NOT NULL,
        username TEXT NOT NULL UNIQUE,
        role TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        disabled_at INTEGER
    )""",
    "CREATE INDEX IF NOT EXISTS users_by_organisation ON users (organisation_id, id)",
)


def _user(row: sqlite3.Row) -> User:
    return User.model_validate(
        {
            **dict(row),
            "created_at": opt_dt(row["created_at"]),
            "disabled_at": opt_dt(row["disabled_at"]),
        }
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

    def create_user(self, user: User) -> User:
        with self._db.write() as db:
            try:
                db.execute(
                    "INSERT INTO users (id, organisation_id, username, role, password_hash, "
                    "created_at, disabled_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        user.id,
                        user.organisation_id,
                        user.username,
                        user.role.value,
                        user.password_hash,
                        to_us(user.created_at),
                        opt_us(user.disabled_at),
                    ),
                )
            except sqlite3.IntegrityError:
                raise AlreadyExistsError(f"The username {user.username!r} is taken.") from None
        return user

    def get_user(self, user_id: str) -> User | None:
        return self._user_where("id", user_id)

    def find_user(self, username: str) -> User | None:
        return self._user_where("username", username)

    def _user_where(self, column: str, value: str) -> User | None:
        query = {"id": "SELECT * FROM users WHERE id = ?",
                 "username": "SELECT * FROM users WHERE username = ?"}[column]  # fmt: skip
        with self._db.guard():
            row = self._db.connection().execute(query, (value,)).fetchone()
        return None if row is None else _user(row)

    def list_users(self, organisation_id: str) -> list[User]:
        with self._db.guard():
            rows = self._db.connection().execute(
                "SELECT * FROM users WHERE organisation_id = ? ORDER BY id DESC",
                (organisation_id,),
            )
            return [_user(row) for row in rows]

    def disable_user(self, organisation_id: str, user_id: str, *, at: datetime) -> bool:
        with self._db.write() as db:
            cursor = db.execute(
                "UPDATE users SET disabled_at = ? "
                "WHERE organisation_id = ? AND id = ? AND disabled_at IS NULL",
                (to_us(at), organisation_id, user_id),
            )
            return cursor.rowcount == 1
