"""A record as the sandbox stores it: vendor-native fields plus the metadata the core owns."""

from __future__ import annotations

from typing import Any


class Entry:
    """A record as stored: vendor-native `fields` plus the metadata the core owns.

    Treat entries as read-only; writes go through `Collection.update` so that the
    overlay and its indexes stay consistent.
    """

    __slots__ = ("created_ms", "deleted_ms", "fields", "id", "index", "modified_ms", "purged")

    def __init__(
        self,
        index: int,
        record_id: str,
        fields: dict[str, Any],
        created_ms: int,
        modified_ms: int,
        deleted_ms: int | None = None,
        purged: bool = False,
    ) -> None:
        self.index = index
        self.id = record_id
        self.fields = fields
        self.created_ms = created_ms
        self.modified_ms = modified_ms
        self.deleted_ms = deleted_ms
        self.purged = purged

    @property
    def deleted(self) -> bool:
        return self.deleted_ms is not None

    def __repr__(self) -> str:
        return f"Entry({self.id!r}, modified_ms={self.modified_ms}, deleted={self.deleted})"
