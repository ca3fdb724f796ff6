"""Conflicts and alerts: what waits for a person.

Both keep "one open per thing" in the database: `open_record` (an open
conflict's record key) and `open_alert` (an unresolved alert's connection
and kind) exist only while open, under unique partial indexes. Writers update
the open document first and insert only when there is none; a duplicate-key
error means another writer inserted it meanwhile, and the update is retried.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pymongo import DESCENDING, ReturnDocument
from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError

from core.errors import AlreadyExistsError, NotFoundError, StoreError
from core.models import Alert, AlertKind, Conflict, ConflictStatus
from core.store.mongo.base import MongoBase
from core.store.mongo.documents import Document, from_document, to_document
from core.store.mongo.schema import ALERTS, CONFLICTS
from core.store.queries import Page

NEWEST_FIRST = [("detected_at", DESCENDING), ("id", DESCENDING)]
_ATTEMPTS = 5
# What a newer detection of the same open conflict replaces; id and detected_at stay.
_CONFLICT_VERSIONS = (
    "kind",
    "local",
    "remote",
    "differing_fields",
    "local_changed_at",
    "remote_changed_at",
    "run_id",
)


def _open_record(conflict: Conflict) -> str:
    return "\x1f".join((conflict.connection_id, conflict.entity.value, conflict.external_id))


def _open_alert(alert: Alert) -> str:
    return "\x1f".join((alert.connection_id or "", alert.kind.value))


def conflict_document(conflict: Conflict) -> Document:
    doc = to_document(conflict)
    if conflict.status is ConflictStatus.OPEN:
        doc["open_record"] = _open_record(conflict)
    return doc


def alert_document(alert: Alert) -> Document:
    doc = to_document(alert)
    if alert.resolved_at is None:
        doc["open_alert"] = _open_alert(alert)
    return doc


class ReviewMixin(MongoBase):
    def add_conflict(self, conflict: Conflict) -> Conflict:
        conflicts = self._col(CONFLICTS)
        doc = conflict_document(conflict)
        if conflict.status is not ConflictStatus.OPEN:
            _insert_new(conflicts, doc, what="Conflict")
            return conflict
        scope = {"organisation_id": conflict.organisation_id, "open_record": doc["open_record"]}
        newer = {name: doc[name] for name in _CONFLICT_VERSIONS}
        for _ in range(_ATTEMPTS):
            stored = conflicts.find_one_and_update(
                scope, {"$set": newer}, return_document=ReturnDocument.AFTER
            )
            if stored is not None:
                return from_document(Conflict, stored)
            if _insert_new(conflicts, doc, what="Conflict"):
                return conflict
        raise StoreError("The conflict kept changing while it was being recorded; try again.")

    def get_conflict(self, organisation_id: str, conflict_id: str) -> Conflict | None:
        doc = self._col(CONFLICTS).find_one({"id": conflict_id, "organisation_id": organisation_id})
        return from_document(Conflict, doc) if doc else None

    def list_conflicts(
        self,
        organisation_id: str,
        *,
        status: ConflictStatus | None = ConflictStatus.OPEN,
        connection_id: str | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> Page[Conflict]:
        query: Document = {"organisation_id": organisation_id}
        if status is not None:
            query["status"] = status.value
        if connection_id is not None:
            query["connection_id"] = connection_id
        conflicts = self._col(CONFLICTS)
        items = []
        if limit > 0:
            cursor = conflicts.find(query).sort(NEWEST_FIRST).skip(max(offset, 0)).limit(limit)
            items = [from_document(Conflict, doc) for doc in cursor]
        total = conflicts.count_documents(query)
        return Page[Conflict](items=items, total=total, offset=offset, limit=limit)

    def save_conflict(self, conflict: Conflict) -> Conflict:
        try:
            result = self._col(CONFLICTS).replace_one(
                {"id": conflict.id, "organisation_id": conflict.organisation_id},
                conflict_document(conflict),
            )
        except DuplicateKeyError:
            raise AlreadyExistsError(
                "Another open conflict already exists for this record."
            ) from None
        if result.matched_count == 0:
            raise NotFoundError(f"Conflict {conflict.id} was not found.")
        return conflict

    def raise_alert(self, alert: Alert) -> Alert:
        alerts = self._col(ALERTS)
        doc = alert_document(alert)
        if alert.resolved_at is not None:
            _insert_new(alerts, doc, what="Alert")
            return alert
        scope = {"organisation_id": alert.organisation_id, "open_alert": doc["open_alert"]}
        seen = {
            "message": alert.message,
            "severity": doc["severity"],
            "last_seen_at": doc["last_seen_at"],
        }
        if alert.system is not None:
            seen["system"] = doc["system"]
        for _ in range(_ATTEMPTS):
            stored = alerts.find_one_and_update(
                scope,
                {"$set": seen, "$inc": {"count": alert.count}},
                return_document=ReturnDocument.AFTER,
            )
            if stored is not None:
                return from_document(Alert, stored)
            if _insert_new(alerts, doc, what="Alert"):
                return alert
        raise StoreError("The alert kept changing while it was being recorded; try again.")

    def list_alerts(self, organisation_id: str, *, open_only: bool = True) -> list[Alert]:
        query: Document = {"organisation_id": organisation_id}
        if open_only:
            query["resolved_at"] = None
        cursor = (
            self._col(ALERTS).find(query).sort([("last_seen_at", DESCENDING), ("id", DESCENDING)])
        )
        return [from_document(Alert, doc) for doc in cursor]

    def acknowledge_alert(
        self, organisation_id: str, alert_id: str, *, at: datetime, by: str | None = None
    ) -> Alert | None:
        doc = self._col(ALERTS).find_one_and_update(
            {
                "id": alert_id,
                "organisation_id": organisation_id,
                "acknowledged_at": None,
                "resolved_at": None,
            },
            {"$set": {"acknowledged_at": at, "acknowledged_by": by}},
            return_document=ReturnDocument.AFTER,
        )
        return from_document(Alert, doc) if doc else None

    def resolve_alerts(
        self,
        organisation_id: str,
        *,
        at: datetime,
        by: str,
        connection_id: str | None = None,
        kinds: Sequence[AlertKind] = (),
        alert_id: str | None = None,
    ) -> list[Alert]:
        """One document at a time, so each resolution is reported by exactly one caller."""
        query: Document = {"organisation_id": organisation_id, "resolved_at": None}
        if connection_id is not None:
            query["connection_id"] = connection_id
        if kinds:
            query["kind"] = {"$in": [kind.value for kind in kinds]}
        if alert_id is not None:
            query["id"] = alert_id
        alerts, resolved = self._col(ALERTS), list[Alert]()
        while True:
            doc = alerts.find_one_and_update(
                query,
                {"$set": {"resolved_at": at, "resolved_by": by}, "$unset": {"open_alert": ""}},
                return_document=ReturnDocument.AFTER,
            )
            if doc is None:
                return resolved
            resolved.append(from_document(Alert, doc))


def _insert_new(collection: Collection[Document], doc: Document, *, what: str) -> bool:
    """False when another open one took the slot meanwhile; AlreadyExistsError on a reused id."""
    try:
        collection.insert_one(doc)
    except DuplicateKeyError:
        if collection.count_documents({"id": doc["id"]}, limit=1):
            raise AlreadyExistsError(f"{what} {doc['id']} already exists.") from None
        return False
    return True
