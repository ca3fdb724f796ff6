"""The embedded SQLite store (the default when MONGODB_URI is unset)."""

from core.store.sqlite.store import SqliteStore

__all__ = ["SqliteStore"]
