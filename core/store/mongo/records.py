"""Reading records, their history and sync state (edits and deletions made in ToothPick:
local_changes.py)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from pymongo import ASCENDING, DESCENDING

from core.clock import as_utc
from core.models import (
    Entity,
    Record,
    RecordChange,
    RecordVersion,
    SyncState,
)
from core.store.history import needs_data, with_creation
from core.store.mongo.base import MongoBase
from core.store.mongo.documents import Document, from_document, to_document
from core.store.mongo.schema import RECORD_CHANGES, RECORDS, SYNC_STATES


def key_of(organisation_id: str, connection_id: str, entity: Entity) -> Document:
    return {
        "organisation_id": organisation_id,
        "connection_id": connection_id,
        "entity": entity.value,
    }


def _by_ids(
    organisation_id: str, connection_id: str, entity: Entity, external_ids: Sequence[str]
) -> Document:
    wanted = {"$in": list(external_ids)}
    return {**key_of(organisation_id, connection_id, entity), "external_id": wanted}


class RecordsMixin(MongoBase):
    def get_records(
        self, organisation_id: str, connection_id: str, entity: Entity, external_ids: Sequence[str]
    ) -> dict[str, Record]:
        if not external_ids:
            return {}
        query = _by_ids(organisation_id, connection_id, entity, external_ids)
        return {
            doc["external_id"]: from_document(Record, doc) for doc in self._col(RECORDS).find(query)
        }

    def get_record_versions(
        self, organisation_id: str, connection_id: str, entity: Entity, external_ids: Sequence[str]
    ) -> dict[str, RecordVersion]:
        if not external_ids:
            return {}
        query = _by_ids(organisation_id, connection_id, entity, external_ids)
        wanted = {
            "_id": 0, "external_id": 1, "content_hash": 1, "deleted": 1,
            "local_change": 1, "local_changed_at": 1,
        }  # fmt: skip
        versions = {}
        for doc in self._col(RECORDS).find(query, wanted):
            changed_at = doc.get("local_changed_at")
            versions[doc["external_id"]] = RecordVersion(
                doc["content_hash"],
                bool(doc.get("deleted")),
                doc.get("local_change"),
                as_utc(changed_at) if changed_at is not None else None,
            )
        return versions

    def iter_records(
        self,
        organisation_id: str,
        connection_id: str,
        entity: Entity,
        *,
        pending_only: bool = False,
        include_deleted: bool = False,
        batch_size: int = 1000,
    ) -> Iterator[Record]:
        """By external id, in keyset batches on the unique key index."""
        query = key_of(organisation_id, connection_id, entity)
        if pending_only:
            query["local_change"] = {"$exists": True}
        if not include_deleted:
            query["deleted"] = False
        last: str | None = None
        while True:
            page = query if last is None else {**query, "external_id": {"$gt": last}}
            docs = list(
                self._col(RECORDS)
                .find(page)
                .sort("external_id", ASCENDING)
                .limit(max(batch_size, 1))
            )
            for doc in docs:
                yield from_document(Record, doc)
            if len(docs) < max(batch_size, 1):
                return
            last = docs[-1]["external_id"]

    def iter_external_ids(
        self, organisation_id: str, connection_id: str, entity: Entity, *, batch_size: int = 5000
    ) -> Iterator[str]:
        query = {**key_of(organisation_id, connection_id, entity), "deleted": False}
        last: str | None = None
        while True:
            page = query if last is None else {**query, "external_id": {"$gt": last}}
            ids = [
                doc["external_id"]
                for doc in self._col(RECORDS)
                .find(page, {"external_id": 1, "_id": 0})
                .sort("external_id", ASCENDING)
                .limit(max(batch_size, 1))
            ]
            yield from ids
            if len(ids) < max(batch_size, 1):
                return
            last = ids[-1]

    def count_records(self, organisation_id: str, connection_id: str) -> dict[Entity, int]:
        pipeline: list[Document] = [
            {
                "$match": {
                    "organisation_id": organisation_id,
                    "connection_id": connection_id,
                    "deleted": False,
                }
            },
            {"$group": {"_id": "$entity", "count": {"$sum": 1}}},
        ]
        return {Entity(doc["_id"]): doc["count"] for doc in self._col(RECORDS).aggregate(pipeline)}

    def record_history(
        self,
        organisation_id: str,
        connection_id: str,
        entity: Entity,
        external_id: str,
        *,
        limit: int = 100,
    ) -> list[RecordChange]:
        query = {**key_of(organisation_id, connection_id, entity), "external_id": external_id}
        cursor = (
            self._col(RECORD_CHANGES)
            .find(query)
            .sort([("at", DESCENDING), ("_id", DESCENDING)])
            .limit(max(limit, 0))
        )
        history = [from_document(RecordChange, doc) for doc in cursor] if limit > 0 else []
        if not needs_data(history):
            return history
        record = self._col(RECORDS).find_one(query, {"data": 1})
        return with_creation(history, None if record is None else record["data"])

    def get_sync_state(
        self, organisation_id: str, connection_id: str, entity: Entity
    ) -> SyncState | None:
        doc = self._col(SYNC_STATES).find_one(key_of(organisation_id, connection_id, entity))
        return from_document(SyncState, doc) if doc else None

    def save_sync_state(self, state: SyncState) -> None:
        key = key_of(state.organisation_id, state.connection_id, state.entity)
        self._require_connection(state.organisation_id, state.connection_id)
        self._col(SYNC_STATES).replace_one(key, to_document(state), upsert=True)
