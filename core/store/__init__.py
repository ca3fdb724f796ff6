"""Persistence: one Store protocol, SQLite (embedded default) and MongoDB."""

from __future__ import annotations

from core.settings import Settings
from core.store.base import Store


def open_store(settings: Settings) -> Store:
    """MongoDB when MONGODB_URI is set, else the embedded SQLite file; migrations run here."""
    if settings.mongodb_uri is not None:
        from core.store.mongo import MongoStore

        return MongoStore.connect(
            settings.mongodb_uri.get_secret_value(),
            database=settings.mongodb_database,
            log_retention_days=settings.log_retention_days,
        )
    from core.store.sqlite import SqliteStore

    return SqliteStore.open(settings.database_path, cache_mib=settings.sqlite_cache_mib)


__all__ = ["Store", "open_store"]
