"""Edits and deletions made in ToothPick, and their push: each a rewrite of one record.

Every write to an existing record is a replacement conditioned on the `version` it was
computed from and bumps it; a concurrent writer makes the condition fail and the edit is
recomputed from the fresh document, so neither a sync nor a user edit silently
overwrites the other.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from pymongo.client_session import ClientSession
from pymongo.errors import DuplicateKeyError

from core.clock import utcnow
from core.errors import NotFoundError, StoreError
from core.models import ChangeKind, Entity, Record, RecordChange, content_hash
from core.store.mongo.base import MongoBase
from core.store.mongo.documents import Document, from_document, jsonable
from core.store.mongo.records import key_of
from core.store.mongo.schema import RECORD_CHANGES, RECORDS
from core.store.mongo.upsert import change_fields, history_document

LOCAL_PREFIX = "local:"
_MAX_ATTEMPTS = 5
_Change = tuple[Document, Document | None, Document | None]


class LocalChangesMixin(MongoBase):
    def set_local_change(
        self,
        organisation_id: str,
        connection_id: str,
        entity: Entity,
        external_id: str,
        fields: dict[str, Any],
        *,
        at: datetime,
    ) -> Record:
        """The content hash keeps describing the vendor's version, so the next pull
        of an unchanged vendor record does not overwrite the edit."""
        self._require_connection(organisation_id, connection_id)
        edit: Document = jsonable(fields)

        def change(old: Document | None) -> _Change:
            if old is None or old["deleted"]:
                if old is not None or not external_id.startswith(LOCAL_PREFIX):
                    raise NotFoundError(f"Record {external_id} not found.")
                doc = {
                    **key_of(organisation_id, connection_id, entity),
                    "external_id": external_id,
                    "data": dict(edit),
                    "content_hash": content_hash(edit),
                    "source_created_at": None,
                    "source_updated_at": None,
                    "synced_at": at,
                    "deleted": False,
                    "deleted_at": None,
                    "version": 0,
                }
                before, after = None, dict(edit)
            else:
                doc = dict(old)
                doc["data"] = {**old["data"], **edit}
                before, after = change_fields(old["data"], doc["data"])
            doc["local_change"] = {**(doc.get("local_change") or {}), **edit}
            doc["local_changed_at"] = at
            return doc, before, after

        return self._rewrite(
            key_of(organisation_id, connection_id, entity),
            external_id,
            change,
            kind=ChangeKind.LOCAL_EDIT,
            run_id=None,
            at=at,
        )

    def delete_locally(
        self,
        organisation_id: str,
        connection_id: str,
        entity: Entity,
        external_id: str,
        *,
        at: datetime,
    ) -> Record:
        key = key_of(organisation_id, connection_id, entity)
        return self._set_deleted_here(key, external_id, deleting=True, at=at)

    def undo_local_delete(
        self,
        organisation_id: str,
        connection_id: str,
        entity: Entity,
        external_id: str,
        *,
        at: datetime,
    ) -> Record:
        key = key_of(organisation_id, connection_id, entity)
        return self._set_deleted_here(key, external_id, deleting=False, at=at)

    def _set_deleted_here(
        self, key: Document, external_id: str, *, deleting: bool, at: datetime
    ) -> Record:
        """Delete a live record here (pending push, unless it is a `local:` one the vendor
        never had), or take back a deletion still pending; either way with its change."""
        self._require_connection(key["organisation_id"], key["connection_id"])

        def change(old: Document | None) -> _Change:
            pending = old is not None and old["deleted"] and old.get("local_change") is not None
            if old is None or (old["deleted"] if deleting else not pending):
                raise NotFoundError(f"Record {external_id} not found.")
            doc = dict(old)
            doc.pop("local_change", None)
            doc.update(deleted=deleting, deleted_at=at if deleting else None)
            doc["local_changed_at"] = None
            if deleting and not external_id.startswith(LOCAL_PREFIX):  # the vendor has it
                doc.update(local_change={}, local_changed_at=at)
            return doc, None, None

        kind = ChangeKind.LOCAL_DELETE if deleting else ChangeKind.RESTORED
        return self._rewrite(key, external_id, change, kind=kind, run_id=None, at=at)

    def mark_delete_pushed(
        self,
        organisation_id: str,
        connection_id: str,
        entity: Entity,
        external_id: str,
        *,
        run_id: str | None,
    ) -> None:
        now = utcnow()
        key = key_of(organisation_id, connection_id, entity)
        found = self._col(RECORDS).find_one_and_update(
            {**key, "external_id": external_id, "deleted": True, "local_change": {"$exists": True}},
            {
                "$unset": {"local_change": ""},
                "$set": {"local_changed_at": None, "synced_at": now},
                "$inc": {"version": 1},
            },
        )
        if found is None:
            return
        change = RecordChange(
            **key, external_id=external_id, run_id=run_id, at=now, kind=ChangeKind.DELETED
        )
        self._col(RECORD_CHANGES).insert_one(history_document(change))

    def mark_pushed(
        self,
        organisation_id: str,
        connection_id: str,
        entity: Entity,
        external_id: str,
        *,
        new_external_id: str,
        data: dict[str, Any],
        content_hash: str,
        source_updated_at: datetime | None,
        run_id: str | None,
    ) -> None:
        """A `local:` record takes the vendor's id and keeps its history; a copy of that
        id already pulled (the vendor echoed our create back first) is replaced."""
        self._require_connection(organisation_id, connection_id)
        pushed: Document = jsonable(data)
        now = utcnow()

        def change(old: Document | None) -> _Change:
            if old is None:
                raise NotFoundError(f"Record {external_id} not found.")
            before, after = change_fields(old["data"], pushed)
            doc = dict(old)
            doc.pop("local_change", None)
            doc.update(
                external_id=new_external_id,
                data=pushed,
                content_hash=content_hash,
                source_updated_at=source_updated_at or old["source_updated_at"],
                synced_at=now,
                local_changed_at=None,
                deleted=False,
                deleted_at=None,
            )
            return doc, before, after

        self._rewrite(
            key_of(organisation_id, connection_id, entity),
            external_id,
            change,
            kind=ChangeKind.PUSHED,
            run_id=run_id,
            at=now,
        )

    def clear_local_change(
        self, organisation_id: str, connection_id: str, entity: Entity, external_id: str
    ) -> None:
        """Drops the pending push (the data stays as it is)."""
        result = self._col(RECORDS).update_one(
            {**key_of(organisation_id, connection_id, entity), "external_id": external_id},
            {"$unset": {"local_change": ""}, "$set": {"local_changed_at": None}},
        )
        if result.matched_count == 0:
            raise NotFoundError(f"Record {external_id} not found.")

    def _rewrite(
        self,
        key: Document,
        external_id: str,
        change: Callable[[Document | None], _Change],
        *,
        kind: ChangeKind,
        run_id: str | None,
        at: datetime,
    ) -> Record:
        """Read, compute, write back conditioned on the version read; retry on a race."""
        records, history = self._col(RECORDS), self._col(RECORD_CHANGES)

        def work(session: ClientSession | None) -> Record | None:
            old = records.find_one({**key, "external_id": external_id}, session=session)
            doc, before, after = change(old)
            read_version = doc["version"]
            doc["version"] = read_version + 1
            renamed = doc["external_id"] != external_id
            if renamed:  # the pulled copy of the vendor's id gives way to the pushed record
                records.delete_one({**key, "external_id": doc["external_id"]}, session=session)
                history.update_many(
                    {**key, "external_id": external_id},
                    {"$set": {"external_id": doc["external_id"]}},
                    session=session,
                )
            if old is None:
                records.insert_one(doc, session=session)
            else:
                replaced = records.replace_one(
                    {"_id": old["_id"], "version": read_version},
                    {k: v for k, v in doc.items() if k != "_id"},
                    session=session,
                )
                if replaced.matched_count == 0:
                    return None
            change_row = RecordChange(
                **key,
                external_id=doc["external_id"],
                run_id=run_id,
                at=at,
                kind=kind,
                before=before,
                after=after,
            )
            history.insert_one(history_document(change_row), session=session)
            return from_document(Record, doc)

        for _ in range(_MAX_ATTEMPTS):
            try:
                record = self._atomic(work)
            except DuplicateKeyError:  # created meanwhile (the transaction, if any, is void)
                continue
            if record is not None:
                return record
        raise StoreError(f"Record {external_id} kept changing while it was being saved; retry.")
