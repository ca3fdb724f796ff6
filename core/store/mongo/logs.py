"""Log entries: append in batches, filtered pages with totals, streamed exports.

"Newest first" is `time` descending then `_id` descending. BSON dates keep
milliseconds, so entries written in the same millisecond tie on `time`; the
time-ordered string id (`core.clock.new_id`) breaks the tie, which makes the
order total and lets `iter_logs` page by keyset `(time, _id)` instead of by
skip (an export of a million rows never rescans the rows already sent).

Free text is a case-insensitive substring of the message: the user's text
goes through `re.escape`, so `.*` or `(` match themselves and no pattern
syntax reaches the database. It stays a regex, tested only on the entries the
organisation/time/filter indexes select, rather than a `$text` index: `$text`
matches whole stemmed words (a search for "timeo" or "503:" would find nothing
that the SQLite store's substring search finds), and n-gram search is Atlas
Search, which a self-hosted MongoDB does not have.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from pymongo import DESCENDING
from pymongo.errors import BulkWriteError

from core.errors import StoreError
from core.models import LogEntry
from core.store.mongo.base import MongoBase
from core.store.mongo.documents import Document, from_document, to_document
from core.store.mongo.schema import LOGS
from core.store.queries import LogFilter, Page

NEWEST_FIRST = [("time", DESCENDING), ("id", DESCENDING)]
_DUPLICATE_KEY = 11000


def log_query(organisation_id: str, query: LogFilter) -> Document:
    """The MongoDB filter for one organisation's entries matching `query`."""
    match: Document = {"organisation_id": organisation_id}
    for field, values in (
        ("system", query.systems),
        ("connection_id", query.connection_ids),
        ("status", query.statuses),
        ("level", query.levels),
        ("operation", query.operations),
    ):
        if values:
            match[field] = {"$in": [str(v) for v in values]}
    if query.run_id is not None:
        match["run_id"] = query.run_id
    window = time_window(query.since, query.until)
    if window:
        match["$and"] = window
    if query.text:
        match["message"] = {"$regex": re.escape(query.text), "$options": "i"}
    return match


def time_window(since: datetime | None, until: datetime | None) -> list[Document]:
    """`since <= time < until`, one clause per bound.

    Spelled as separate `$and` clauses rather than one `{$gte, $lt}` object:
    MongoDB treats the two spellings identically (the bounds are intersected
    on the index), and the nx-27017 stand-in mis-compares dates when one field
    carries a range inside an aggregation `$match`.
    """
    clauses: list[Document] = []
    if since is not None:
        clauses.append({"time": {"$gte": since}})
    if until is not None:
        clauses.append({"time": {"$lt": until}})
    return clauses


class LogsMixin(MongoBase):
    def append_logs(self, entries: Sequence[LogEntry]) -> int:
        if not entries:
            return 0
        docs = [to_document(entry) for entry in entries]
        try:
            result = self._col(LOGS).insert_many(docs, ordered=False)
        except BulkWriteError as exc:
            errors: list[dict[str, Any]] = exc.details.get("writeErrors", [])
            other = [e for e in errors if e.get("code") != _DUPLICATE_KEY]
            if other:
                raise StoreError(
                    f"MongoDB at {self._hosts} refused {len(other)} log entries: "
                    f"{other[0].get('errmsg', 'unknown error')}"
                ) from None
            return int(exc.details.get("nInserted", 0))
        return len(result.inserted_ids)

    def get_log(self, organisation_id: str, log_id: str) -> LogEntry | None:
        doc = self._col(LOGS).find_one({"id": log_id, "organisation_id": organisation_id})
        return from_document(LogEntry, doc) if doc else None

    def query_logs(
        self, organisation_id: str, query: LogFilter, *, offset: int = 0, limit: int = 50
    ) -> Page[LogEntry]:
        match = log_query(organisation_id, query)
        logs = self._col(LOGS)
        cursor = logs.find(match).sort(NEWEST_FIRST).skip(max(offset, 0)).limit(max(limit, 0))
        items = [from_document(LogEntry, doc) for doc in cursor] if limit > 0 else []
        total = logs.count_documents(match)
        return Page[LogEntry](items=items, total=total, offset=offset, limit=limit)

    def iter_logs(
        self, organisation_id: str, query: LogFilter, *, batch_size: int = 1000
    ) -> Iterator[LogEntry]:
        match = log_query(organisation_id, query)
        batch_size = max(batch_size, 1)
        after: Document | None = None
        while True:
            page_filter = match if after is None else {"$and": [match, after]}
            docs = list(self._col(LOGS).find(page_filter).sort(NEWEST_FIRST).limit(batch_size))
            for doc in docs:
                yield from_document(LogEntry, doc)
            if len(docs) < batch_size:
                return
            last = docs[-1]
            after = {
                "$or": [
                    {"time": {"$lt": last["time"]}},
                    {"time": last["time"], "id": {"$lt": last["id"]}},
                ]
            }

    def purge_logs(self, older_than: datetime) -> int:
        return self._col(LOGS).delete_many({"time": {"$lt": older_than}}).deleted_count
