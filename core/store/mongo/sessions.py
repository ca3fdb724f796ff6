"""Sign-in sessions and shared marks (replay fingerprints, rate-limit counters).

A mark is a document whose `_id` is its name. Adding a fingerprint is an upsert
that may only replace an expired document: when a live one exists, the insert
half meets the `_id` index and the fingerprint is a replay. A counter is a
`$inc` upsert that restarts when its window has ended. Expired marks and sessions
are swept by writes, as in SQLite.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pymongo import DESCENDING, ReturnDocument
from pymongo.errors import DuplicateKeyError

from core.models import Session
from core.store.mongo.base import MongoBase
from core.store.mongo.documents import from_document, to_document
from core.store.mongo.schema import MARKS, SESSIONS


class SessionsMixin(MongoBase):
    def create_session(self, session: Session) -> Session:
        self._col(SESSIONS).insert_one(to_document(session))
        self._col(SESSIONS).delete_many({"expires_at": {"$lte": session.created_at}})
        return session

    def get_session(self, session_id: str) -> Session | None:
        doc = self._col(SESSIONS).find_one({"id": session_id})
        return from_document(Session, doc) if doc else None

    def list_sessions(
        self, organisation_id: str, *, active_at: datetime, user_id: str | None = None
    ) -> list[Session]:
        query: dict[str, object] = {
            "organisation_id": organisation_id,
            "expires_at": {"$gt": active_at},
            "revoked_at": None,
        }
        if user_id is not None:
            query["user_id"] = user_id
        cursor = self._col(SESSIONS).find(query).sort([("created_at", DESCENDING), ("id", -1)])
        return [from_document(Session, doc) for doc in cursor]

    def revoke_sessions(
        self,
        organisation_id: str,
        *,
        at: datetime,
        session_id: str | None = None,
        user_id: str | None = None,
    ) -> int:
        if session_id is None and user_id is None:
            raise ValueError("revoke_sessions needs a session id or a user id")
        query: dict[str, object] = {"organisation_id": organisation_id, "revoked_at": None}
        if session_id is not None:
            query["id"] = session_id
        if user_id is not None:
            query["user_id"] = user_id
        return self._col(SESSIONS).update_many(query, {"$set": {"revoked_at": at}}).modified_count

    # -- marks ---------------------------------------------------------------------------------

    def add_marks(self, names: Sequence[str], *, expires_at: datetime, now: datetime) -> bool:
        marks = self._col(MARKS)
        marks.delete_many({"expires_at": {"$lte": now}})
        unique = list(dict.fromkeys(names))
        if marks.find_one({"_id": {"$in": unique}, "expires_at": {"$gt": now}}) is not None:
            return False
        for name in unique:
            try:
                marks.update_one(
                    {"_id": name, "expires_at": {"$lte": now}},
                    {"$set": {"count": 1, "expires_at": expires_at}},
                    upsert=True,
                )
            except DuplicateKeyError:  # another process marked it a moment ago
                return False
        return True

    def count_mark(self, name: str, *, expires_at: datetime, now: datetime) -> int:
        marks = self._col(MARKS)
        marks.update_one(
            {"_id": name, "expires_at": {"$lte": now}},
            {"$set": {"count": 0, "expires_at": expires_at}},
        )
        doc = marks.find_one_and_update(
            {"_id": name}, {"$inc": {"count": 1}}, return_document=ReturnDocument.AFTER
        )
        if doc is None:
            try:
                marks.insert_one({"_id": name, "count": 1, "expires_at": expires_at})
                doc = {"count": 1}
            except DuplicateKeyError:  # another process created it a moment ago
                doc = marks.find_one_and_update(
                    {"_id": name}, {"$inc": {"count": 1}}, return_document=ReturnDocument.AFTER
                )
        count = int(doc["count"]) if doc else 1
        if count == 1:  # a new window: sweep the ones that ended
            marks.delete_many({"expires_at": {"$lte": now}})
        return count

    def read_mark(self, name: str, *, now: datetime) -> int:
        doc = self._col(MARKS).find_one({"_id": name, "expires_at": {"$gt": now}})
        return int(doc["count"]) if doc else 0
