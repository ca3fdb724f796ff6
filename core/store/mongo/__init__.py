"""The MongoDB Store, used when MONGODB_URI is set (see DESIGN.md, Decisions > Storage)."""

from core.store.mongo.store import MongoStore

__all__ = ["MongoStore"]
