"""Records: canonical entity instances held in ToothPick's store, and their history."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

import orjson
from pydantic import Field

from core.clock import as_utc, new_id, utcnow
from core.models.common import Entity, ExternalId, Identifier, Model, UtcDatetime


def content_hash(data: dict[str, Any]) -> str:
    """Stable hash of canonical data: key order and float/Decimal spelling do not matter."""
    raw = orjson.dumps(data, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS, default=str)
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


def pending_local_delete(deleted: bool, local_change: dict[str, Any] | None) -> bool:
    """A record deleted in ToothPick whose deletion the next push sends to the vendor.

    Stored as a deleted record that still has a pending change (an empty one): the
    pending-push index finds it like an edit, live lists and counts leave it out at
    once, and `content_hash` keeps naming the vendor version it deleted, so a push
    can tell a vendor edit made since (a conflict) from an untouched record.
    """
    return deleted and local_change is not None


class Record(Model):
    """Keyed by (organisation, connection, entity, external id)."""

    organisation_id: Identifier
    connection_id: Identifier
    entity: Entity
    external_id: ExternalId
    data: dict[str, Any]
    content_hash: str
    source_created_at: UtcDatetime | None = None
    source_updated_at: UtcDatetime | None = None
    synced_at: UtcDatetime = Field(default_factory=utcnow)
    deleted: bool = False
    deleted_at: UtcDatetime | None = None
    local_change: dict[str, Any] | None = None  # fields edited in ToothPick, not yet pushed
    local_changed_at: UtcDatetime | None = None
    version: int = 1

    @property
    def local_delete(self) -> bool:
        """Deleted in ToothPick, the deletion not yet pushed (see `pending_local_delete`)."""
        return pending_local_delete(self.deleted, self.local_change)


@dataclass(frozen=True, slots=True)
class RecordVersion:
    """What a pull decision needs of a stored record, without its data.

    A pull reads one per incoming record; reading and validating whole Records for
    that made a re-sync of unchanged records slower than the first sync. The data is
    read only when a decision needs it (a conflict, a dry run's report).
    """

    content_hash: str
    deleted: bool
    local_change: dict[str, Any] | None
    local_changed_at: datetime | None

    @property
    def local_delete(self) -> bool:
        return pending_local_delete(self.deleted, self.local_change)


@dataclass(slots=True)
class RecordWrite:
    """What the engine hands the store for one record; the store decides create/update/unchanged.

    A plain dataclass, not a pydantic model: it never crosses a user-facing boundary
    (its `data` was validated against the canonical model by the adapter), and a sync
    builds one per record — validating it again cost a tenth of a full sync.
    """

    external_id: str
    data: dict[str, Any]
    content_hash: str
    source_created_at: datetime | None = None
    source_updated_at: datetime | None = None
    deleted: bool = False

    def __post_init__(self) -> None:
        if not self.external_id:
            raise ValueError("a record needs its external id")
        if self.source_created_at is not None:
            self.source_created_at = as_utc(self.source_created_at)
        if self.source_updated_at is not None:
            self.source_updated_at = as_utc(self.source_updated_at)


class ChangeKind(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    DELETED = "deleted"
    RESTORED = "restored"
    LOCAL_EDIT = "local_edit"
    LOCAL_DELETE = "local_delete"  # deleted in ToothPick; DELETED follows once the vendor's is
    PUSHED = "pushed"


class RecordChange(Model):
    id: Identifier = Field(default_factory=new_id)
    organisation_id: Identifier
    connection_id: Identifier
    entity: Entity
    external_id: ExternalId
    run_id: Identifier | None = None
    at: UtcDatetime = Field(default_factory=utcnow)
    kind: ChangeKind
    before: dict[str, Any] | None = None  # only the fields that changed
    after: dict[str, Any] | None = None


class SyncState(Model):
    """Where incremental sync of one (connection, entity) stands.

    `cursor` is the committed high-water mark (only moved after the store write
    it covers succeeded); `checkpoint` is the in-run position (page token and
    run id) that lets a killed run resume mid-stream.
    """

    organisation_id: Identifier
    connection_id: Identifier
    entity: Entity
    cursor: str | None = None
    checkpoint: dict[str, Any] | None = None
    last_full_sync_at: UtcDatetime | None = None
    updated_at: UtcDatetime = Field(default_factory=utcnow)


def diff_fields(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[str]:
    """Top-level fields whose values differ (added, removed or changed)."""
    before = before or {}
    after = after or {}
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
