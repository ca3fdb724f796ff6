"""Log entries: batched appends, filtered pages with totals, streamed exports, retention.

Free-text search matches the needle as a literal substring of `message_folded`
(the message casefolded in Python when it is written): through the trigram
index (log_text.py) for three characters or more, with `instr()` below that.
No LIKE pattern or FTS5 query syntax is ever built from user text, and case
folding is Unicode's, not SQLite's ASCII-only `lower()`/`LIKE`.

Order is newest first, ties broken by id, in every query; exports page with
a keyset on (time, id) so each batch is one short index seek, however deep.

Which index reads a page is decided here, from the total that is counted
first (a covering index answers the count): when matches are dense, walking
logs_time newest-first stops after one page; when they are sparse (a run's
entries, a rare status), that walk would cross the whole range, so the page is
read through the most selective filter index and only the matches are sorted.
The planner cannot make this choice itself: it has no statistics for values it
has not sampled, and a rare filter chosen wrongly costs a full scan per page.
"""

# ruff: noqa: S608 (SQL text is assembled from module constants; values are bound parameters)

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from core.models import LogEntry
from core.store.queries import LogFilter, Page
from core.store.sqlite import log_text, rollups
from core.store.sqlite.codec import (
    dump_json,
    enum_value,
    fold,
    from_us,
    in_clause,
    load_json,
    to_us,
)
from core.store.sqlite.db import StoreArea

_INSERT = (
    "INSERT INTO logs (id, time, organisation_id, connection_id, system, run_id, entity, "
    "operation, level, status, message, message_folded, duration_ms, records_processed, "
    "records_created, records_updated, records_failed, http_status, error_category, metadata) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (id) DO NOTHING"
)
_SELECT = (
    "SELECT id, time, organisation_id, connection_id, system, run_id, entity, operation, "
    "level, status, message, duration_ms, records_processed, records_created, "
    "records_updated, records_failed, http_status, error_category, metadata FROM logs"
)
_SPARSE = 20_000  # matches that are cheaper to sort than to find along logs_time
_TEXT_SCAN = 100_000  # entries cheaper to test one by one than a common text's index matches
_FILTER_INDEXES = (  # most selective first
    ("run_id", "logs_run"),
    ("connection_ids", "logs_connection"),
    ("systems", "logs_system"),
    ("statuses", "logs_status"),
    ("levels", "logs_level"),
    ("operations", "logs_operation"),
)
_PURGE_BATCH = 10_000
_PURGE_TABLE = "CREATE TEMP TABLE IF NOT EXISTS purge_batch (seq INTEGER PRIMARY KEY)"


def _row(entry: LogEntry) -> tuple[Any, ...]:
    return (
        entry.id,
        to_us(entry.time),
        entry.organisation_id,
        entry.connection_id,
        enum_value(entry.system),
        entry.run_id,
        enum_value(entry.entity),
        entry.operation.value,
        entry.level.value,
        entry.status.value,
        entry.message,
        fold(entry.message),
        entry.duration_ms,
        entry.records_processed,
        entry.records_created,
        entry.records_updated,
        entry.records_failed,
        entry.http_status,
        enum_value(entry.error_category),
        dump_json(entry.metadata) if entry.metadata else None,
    )


def log_entry(row: sqlite3.Row) -> LogEntry:
    values = {key: value for key, value in dict(row).items() if value is not None}
    values["time"] = from_us(row["time"])
    if row["metadata"] is not None:
        values["metadata"] = load_json(row["metadata"])
    return LogEntry.model_validate(values)


def log_where(
    organisation_id: str, query: LogFilter, *, scan_text: bool = False
) -> tuple[str, list[Any]]:
    """The WHERE clause of a filter; every value travels as a bound parameter.
    `scan_text`: test the text on each entry the other filters select (see
    `text_scan_pays`) instead of asking the text index."""
    params: list[Any] = [organisation_id]
    terms = ["organisation_id = ?"]
    for column, values in (
        ("system", [v.value for v in query.systems]),
        ("connection_id", list(dict.fromkeys(query.connection_ids))),
        ("status", [v.value for v in query.statuses]),
        ("level", [v.value for v in query.levels]),
        ("operation", [v.value for v in query.operations]),
    ):
        if values:
            terms.append(in_clause(column, values, params))
    if query.run_id is not None:
        terms.append("run_id = ?")
        params.append(query.run_id)
    if query.since is not None:
        terms.append("time >= ?")
        params.append(to_us(query.since))
    if query.until is not None:
        terms.append("time < ?")
        params.append(to_us(query.until))
    if query.text is not None:
        folded = fold(query.text)
        if log_text.indexed(folded) and not scan_text:
            terms.append(log_text.MATCHING)
            params.append(log_text.phrase(folded))
        else:
            terms.append("instr(message_folded, ?) > 0")
            params.append(folded)
    return " AND ".join(terms), params


def _by_text(query: LogFilter, *, scan_text: bool = False) -> bool:
    return not scan_text and query.text is not None and log_text.indexed(fold(query.text))


def _narrowed(query: LogFilter) -> bool:
    return any(getattr(query, field) for field, _ in _FILTER_INDEXES)


def without_text_sql(organisation_id: str, query: LogFilter) -> tuple[str, list[Any]] | None:
    """The count that decides `scan_text`, when there is a choice: a text filter the index
    answers, together with a filter that has an index of its own."""
    if not (_by_text(query) and _narrowed(query)):
        return None
    return log_count_sql(organisation_id, query.model_copy(update={"text": None}))


def page_index(query: LogFilter, total: int, *, scan_text: bool = False) -> str:
    if total <= _SPARSE:
        if _by_text(query, scan_text=scan_text):
            return "rowid"  # the text index's matches, looked up by seq
        for field, index in _FILTER_INDEXES:
            if getattr(query, field):
                return index
    return "logs_time"


def _source(query: LogFilter, total: int, *, scan_text: bool = False) -> str:
    """`logs` read through the index page_index chose (NOT INDEXED still allows the rowid
    lookups of `seq IN (text matches)`)."""
    index = page_index(query, total, scan_text=scan_text)
    return "NOT INDEXED" if index == "rowid" else f"INDEXED BY {index}"


def log_page_sql(
    organisation_id: str,
    query: LogFilter,
    *,
    offset: int,
    limit: int,
    total: int,
    scan_text: bool = False,
) -> tuple[str, list[Any]]:
    where, params = log_where(organisation_id, query, scan_text=scan_text)
    source = _source(query, total, scan_text=scan_text)
    sql = f"{_SELECT} {source} WHERE {where} ORDER BY time DESC, id DESC LIMIT ? OFFSET ?"
    return sql, [*params, limit, offset]


def log_count_sql(
    organisation_id: str, query: LogFilter, *, scan_text: bool = False
) -> tuple[str, list[Any]]:
    """By text, the matches are counted by rowid lookups (NOT INDEXED): otherwise the
    planner walks the whole window of logs_time testing each entry (130 ms over a million
    entries for a text found once, 1 ms this way). Scanning the text, the entries the
    other filters select are read through their index and each is tested."""
    where, params = log_where(organisation_id, query, scan_text=scan_text)
    source = "NOT INDEXED " if _by_text(query) else ""
    if scan_text:
        source = f"INDEXED BY {page_index(query, 0, scan_text=True)} "
    return f"SELECT COUNT(*) FROM logs {source}WHERE {where}", params


class LogsMixin(StoreArea):
    def append_logs(self, entries: Sequence[LogEntry]) -> int:
        if not entries:
            return 0
        rows = [_row(entry) for entry in entries]
        with self._db.write() as db:
            before = rollups.last_seq(db)
            added = db.executemany(_INSERT, rows).rowcount
            if added:
                rollups.add_new_rows(db, after_seq=before)
                log_text.add_new_rows(db, after_seq=before)
            return added

    def get_log(self, organisation_id: str, log_id: str) -> LogEntry | None:
        with self._db.guard():
            row = (
                self._db.connection()
                .execute(
                    f"{_SELECT} WHERE organisation_id = ? AND id = ?", (organisation_id, log_id)
                )
                .fetchone()
            )
        return None if row is None else log_entry(row)

    def query_logs(
        self, organisation_id: str, query: LogFilter, *, offset: int = 0, limit: int = 50
    ) -> Page[LogEntry]:
        offset, limit = max(offset, 0), max(limit, 0)
        with self._db.read() as db:
            scan_text = False
            narrow = without_text_sql(organisation_id, query)
            if narrow is not None:
                # A common text (a quarter of a million matches) with a rare status or
                # system cost a second through the text index; testing the text on the
                # few thousand entries the other filters select costs milliseconds. A
                # rare text stays with the index (its matches are counted only as far
                # as the other filters' count, so this look is cheap either way).
                selected = int(db.execute(*narrow).fetchone()[0])
                if selected <= _TEXT_SCAN:
                    needle = log_text.phrase(fold(query.text or ""))
                    holding = db.execute(log_text.MATCHES_UP_TO, (needle, selected + 1))
                    scan_text = int(holding.fetchone()[0]) > selected
            count_sql, count_params = log_count_sql(organisation_id, query, scan_text=scan_text)
            total = int(db.execute(count_sql, count_params).fetchone()[0])
            rows = []
            if offset < total and limit:
                page_sql, page_params = log_page_sql(
                    organisation_id,
                    query,
                    offset=offset,
                    limit=limit,
                    total=total,
                    scan_text=scan_text,
                )
                rows = db.execute(page_sql, page_params).fetchall()
        items = [log_entry(row) for row in rows]
        return Page[LogEntry](items=items, total=total, offset=offset, limit=limit)

    def iter_logs(
        self, organisation_id: str, query: LogFilter, *, batch_size: int = 1000
    ) -> Iterator[LogEntry]:
        where, params = log_where(organisation_id, query)
        count_sql, count_params = log_count_sql(organisation_id, query)
        with self._db.guard():
            total = int(self._db.connection().execute(count_sql, count_params).fetchone()[0])
        source = f"{_SELECT} {_source(query, total)} WHERE {where}"
        first = f"{source} ORDER BY time DESC, id DESC LIMIT ?"
        after = (
            f"{source} AND time <= ? AND (time < ? OR id < ?) ORDER BY time DESC, id DESC LIMIT ?"
        )
        batch_size = max(batch_size, 1)
        last: tuple[int, str] | None = None
        while True:
            with self._db.guard():
                connection = self._db.connection()
                if last is None:
                    rows = connection.execute(first, [*params, batch_size]).fetchall()
                else:
                    keyset = [last[0], last[0], last[1], batch_size]
                    rows = connection.execute(after, [*params, *keyset]).fetchall()
            # Rows are yielded outside any transaction: a slow consumer holds no snapshot.
            for row in rows:
                yield log_entry(row)
            if len(rows) < batch_size:
                return
            last = (rows[-1]["time"], rows[-1]["id"])

    def purge_logs(self, older_than: datetime) -> int:
        """Deletes in short batches, each its own transaction, so a big purge never
        holds the write lock for long (retention is idempotent: a partly done purge
        is finished by the next one)."""
        cutoff = to_us(older_than)
        with self._db.guard():
            organisations = [
                row[0]
                for row in self._db.connection().execute(
                    # A skip-scan over logs_time: one index seek per organisation.
                    "WITH RECURSIVE o(id) AS (SELECT MIN(organisation_id) FROM logs "
                    "UNION ALL SELECT (SELECT MIN(organisation_id) FROM logs "
                    "WHERE organisation_id > o.id) FROM o WHERE o.id IS NOT NULL) "
                    "SELECT id FROM o WHERE id IS NOT NULL"
                )
            ]
        deleted = 0
        for organisation_id in organisations:
            while True:
                with self._db.write() as db:
                    db.execute(_PURGE_TABLE)
                    db.execute(
                        "INSERT INTO temp.purge_batch SELECT seq FROM logs "
                        "WHERE organisation_id = ? AND time < ? LIMIT ?",
                        (organisation_id, cutoff, _PURGE_BATCH),
                    )
                    rollups.remove_rows(db, selection="seq IN temp.purge_batch")
                    log_text.remove_rows(db, selection="seq IN temp.purge_batch")
                    count = db.execute("DELETE FROM logs WHERE seq IN temp.purge_batch").rowcount
                    db.execute("DELETE FROM temp.purge_batch")
                deleted += count
                if count < _PURGE_BATCH:
                    break
        return deleted
