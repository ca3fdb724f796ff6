"""Bulk upsert of records with content-hash comparison, in batches.

Each batch costs at most four round trips whatever its size: one `$in` read of
the stored hashes, one `$in` read of the whole documents that changed (skipped
when none did), one unordered `bulk_write`, one `insert_many` of the change
history. New records are inserts (a concurrent creator makes ours fail with a
duplicate key instead of being overwritten); existing ones are whole-document
replacements conditioned on the `version` they were computed from, so an edit
made in ToothPick meanwhile (which bumps `version`) is never clobbered: that
write is skipped, counted as unchanged, and picked up by the next sync.
On replica sets a batch is one transaction; on a standalone server a crash
between the two writes can lose a batch's history rows but never its records.

Duplicate external ids in one call: the last write wins, counted once (as in
the SQLite store). A deletion of a record never stored writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from pymongo import InsertOne, ReplaceOne
from pymongo.client_session import ClientSession
from pymongo.errors import BulkWriteError

from core.clock import utcnow
from core.models import ChangeKind, Entity, RecordChange, RecordWrite, SyncState, diff_fields
from core.store.mongo.base import MongoBase
from core.store.mongo.documents import Document, jsonable, to_document
from core.store.mongo.schema import RECORD_CHANGES, RECORDS, SYNC_STATES
from core.store.queries import PageState, UpsertResult, page_state

BATCH_SIZE = 1000
_DUPLICATE_KEY = 11000
_ATTEMPTS = 3
# What deciding created / changed / unchanged needs; whole documents are read
# only for the records that changed (their history keeps the changed fields).
_STATE = {"external_id": 1, "content_hash": 1, "deleted": 1}


class _Outcome(NamedTuple):
    external_id: str
    kind: str
    stored: tuple[int, str, bool]  # version, content_hash, deleted once the write lands


@dataclass
class _Plan:
    ops: list[InsertOne[Document] | ReplaceOne[Document]] = field(default_factory=list)
    outcomes: list[_Outcome] = field(default_factory=list)
    changes: list[Document] = field(default_factory=list)


def change_fields(before: dict[str, Any], after: dict[str, Any]) -> tuple[Document, Document]:
    """Only the top-level fields that differ, on each side (absent means absent)."""
    names = diff_fields(before, after)
    return (
        {k: before[k] for k in names if k in before},
        {k: after[k] for k in names if k in after},
    )


def history_document(change: RecordChange) -> Document:
    """History rows keep their `id` as a field; `_id` is the ObjectId the driver assigns,
    which orders two changes of one record made within the same millisecond."""
    return to_document(change)


class UpsertMixin(MongoBase):
    def upsert_records(
        self,
        organisation_id: str,
        connection_id: str,
        entity: Entity,
        writes: Sequence[RecordWrite],
        *,
        run_id: str | None,
        state: PageState | None = None,
    ) -> UpsertResult:
        """`state` is saved in the last batch's transaction."""

        def saved(result: UpsertResult) -> SyncState | None:
            found = page_state(state, result)
            if found is not None and (found.organisation_id, found.connection_id, found.entity) != (
                organisation_id,
                connection_id,
                entity,
            ):
                raise ValueError("a sync state is saved only with its own stream's records")
            return found

        if state is not None and not callable(state):
            saved(UpsertResult())  # refused before anything is written
        self._require_connection(organisation_id, connection_id)
        latest = list({write.external_id: write for write in writes}.values())
        key = {
            "organisation_id": organisation_id,
            "connection_id": connection_id,
            "entity": entity.value,
        }
        total = UpsertResult()
        starts = range(0, len(latest), BATCH_SIZE)
        for start in starts:
            batch = latest[start : start + BATCH_SIZE]
            last = start == starts[-1]

            def work(
                session: ClientSession | None, batch: list[RecordWrite] = batch, last: bool = last
            ) -> Document:
                counts = self._upsert_batch(key, batch, run_id=run_id, session=session)
                if last and state is not None:
                    # the whole page's result: the batches before, this one, the unchanged
                    whole = total.model_copy()
                    for kind, count in counts.items():
                        setattr(whole, kind, getattr(whole, kind) + count)
                    whole.unchanged = len(latest) - whole.written
                    found = saved(whole)
                    assert found is not None
                    self._col(SYNC_STATES).replace_one(
                        key, to_document(found), upsert=True, session=session
                    )
                return counts

            for kind, count in self._with_retry(work).items():
                setattr(total, kind, getattr(total, kind) + count)
        if not latest and (found := saved(UpsertResult())) is not None:
            self._col(SYNC_STATES).replace_one(key, to_document(found), upsert=True)
        total.unchanged = len(latest) - total.written
        return total

    def _with_retry(self, work: Callable[[ClientSession | None], dict[str, int]]) -> dict[str, int]:
        """In a transaction a concurrent creator's duplicate key voids the batch; redo it
        (the second read sees the record). Without one, `_upsert_batch` absorbs it."""
        for _ in range(_ATTEMPTS - 1):
            try:
                return self._atomic(work)
            except BulkWriteError as exc:
                errors = exc.details.get("writeErrors", [])
                if any(e.get("code") != _DUPLICATE_KEY for e in errors):
                    raise
        return self._atomic(work)

    def _upsert_batch(
        self,
        key: Document,
        batch: list[RecordWrite],
        *,
        run_id: str | None,
        session: ClientSession | None,
    ) -> dict[str, int]:
        records = self._col(RECORDS)
        query = {**key, "external_id": {"$in": [w.external_id for w in batch]}}
        stored = {doc["external_id"]: doc for doc in records.find(query, _STATE, session=session)}
        changed = [
            w.external_id
            for w in batch
            if w.external_id in stored and not _unchanged(stored[w.external_id], w)
        ]
        if changed:
            whole = {**key, "external_id": {"$in": changed}}
            stored.update((doc["external_id"], doc) for doc in records.find(whole, session=session))
        plan = _plan(key, batch, stored, run_id=run_id, now=utcnow())
        if not plan.ops:
            return {}
        failed: set[int] = set()
        try:
            result = records.bulk_write(plan.ops, ordered=False, session=session)
            landed = result.inserted_count + result.matched_count
        except BulkWriteError as exc:
            errors = exc.details.get("writeErrors", [])
            if session is not None or any(e.get("code") != _DUPLICATE_KEY for e in errors):
                raise  # a write error voids a transaction: the whole batch is redone
            failed = {int(e["index"]) for e in errors}
            landed = int(exc.details.get("nInserted", 0)) + int(exc.details.get("nMatched", 0))
        if landed < len(plan.ops):
            failed |= self._not_landed(query, plan, session=session)
        counts: dict[str, int] = {}
        history = []
        for index, (outcome, change) in enumerate(zip(plan.outcomes, plan.changes, strict=True)):
            if index not in failed:
                counts[outcome.kind] = counts.get(outcome.kind, 0) + 1
                history.append(change)
        if history:
            self._col(RECORD_CHANGES).insert_many(history, session=session)
        return counts

    def _not_landed(
        self, query: Document, plan: _Plan, *, session: ClientSession | None
    ) -> set[int]:
        """Indexes of planned writes that did not land (a concurrent writer won)."""
        projection = {"external_id": 1, "version": 1, "content_hash": 1, "deleted": 1}
        now_stored = {
            doc["external_id"]: (doc["version"], doc["content_hash"], doc["deleted"])
            for doc in self._col(RECORDS).find(query, projection, session=session)
        }
        return {
            i
            for i, outcome in enumerate(plan.outcomes)
            if now_stored.get(outcome.external_id) != outcome.stored
        }


def _plan(
    key: Document,
    batch: list[RecordWrite],
    stored: dict[str, Document],
    *,
    run_id: str | None,
    now: datetime,
) -> _Plan:
    plan = _Plan()
    for write in batch:
        old = stored.get(write.external_id)
        if _unchanged(old, write):
            continue
        before: Document | None = None
        after: Document | None = None
        if old is None:
            kind = ChangeKind.CREATED
            doc = _new_record(key, write, now=now)  # its change keeps no data (history.py)
            plan.ops.append(InsertOne(doc))
        else:
            doc = _next_version(old, write, now=now)
            if write.deleted:
                kind = ChangeKind.DELETED
            else:
                kind = ChangeKind.RESTORED if old["deleted"] else ChangeKind.UPDATED
                before, after = change_fields(old["data"], doc["data"])
            plan.ops.append(ReplaceOne({"_id": old["_id"], "version": old["version"]}, doc))
        outcome = (doc["version"], doc["content_hash"], doc["deleted"])
        plan.outcomes.append(_Outcome(write.external_id, kind.value, outcome))
        plan.changes.append(
            history_document(
                RecordChange(
                    organisation_id=key["organisation_id"],
                    connection_id=key["connection_id"],
                    entity=key["entity"],
                    external_id=write.external_id,
                    run_id=run_id,
                    at=now,
                    kind=kind,
                    before=before,
                    after=after,
                )
            )
        )
    return plan


def _unchanged(old: Document | None, write: RecordWrite) -> bool:
    """Nothing to write: same hash and deletion state, or a deletion of a record never held."""
    if old is None:
        return write.deleted
    return bool(
        old["deleted"] == write.deleted
        and (write.deleted or old["content_hash"] == write.content_hash)
    )


def _new_record(key: Document, write: RecordWrite, *, now: datetime) -> Document:
    """`local_change` is left out: it exists only while a push is pending."""
    return {
        **key,
        "external_id": write.external_id,
        "data": jsonable(write.data),
        "content_hash": write.content_hash,
        "source_created_at": write.source_created_at,
        "source_updated_at": write.source_updated_at,
        "synced_at": now,
        "deleted": False,
        "deleted_at": None,
        "local_changed_at": None,
        "version": 1,
    }


def _next_version(old: Document, write: RecordWrite, *, now: datetime) -> Document:
    """The stored record after `write`. A pending local change is carried over untouched;
    a deletion keeps the last known data so history and a restore have something to show."""
    doc = {k: v for k, v in old.items() if k != "_id"}
    doc.update(
        version=old["version"] + 1,
        synced_at=now,
        source_created_at=write.source_created_at or old["source_created_at"],
        source_updated_at=write.source_updated_at or old["source_updated_at"],
        deleted=write.deleted,
        deleted_at=now if write.deleted else None,
    )
    if not write.deleted:
        doc.update(data=jsonable(write.data), content_hash=write.content_hash)
    return doc
