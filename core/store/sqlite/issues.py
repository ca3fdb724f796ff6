"""Per-record failures (core.models.RecordIssue): one row per failing record, the model
kept whole as JSON beside the columns the queries filter on."""

# ruff: noqa: S608 (SQL text is assembled from module constants; values are bound parameters)

from __future__ import annotations

from collections.abc import Sequence

from core.models import IssueState, RecordIssue
from core.store.sqlite.db import StoreArea

# Schema version 4 (migrations.py).
V4 = [
    """CREATE TABLE record_issues (
        id TEXT PRIMARY KEY,
        organisation_id TEXT NOT NULL,
        connection_id TEXT NOT NULL,
        state TEXT NOT NULL,
        doc TEXT NOT NULL
    )""",
    "CREATE INDEX record_issues_by_connection "
    "ON record_issues (organisation_id, connection_id, state)",
]


class IssuesMixin(StoreArea):
    def save_record_issues(self, issues: Sequence[RecordIssue]) -> None:
        if not issues:
            return
        rows = [
            (i.id, i.organisation_id, i.connection_id, i.state.value, i.model_dump_json())
            for i in issues
        ]
        with self._db.write() as db:
            db.executemany(
                "INSERT INTO record_issues (id, organisation_id, connection_id, state, doc) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
                "state = excluded.state, doc = excluded.doc",
                rows,
            )

    def list_record_issues(
        self,
        organisation_id: str,
        *,
        connection_id: str | None = None,
        states: Sequence[IssueState] = (IssueState.OPEN,),
    ) -> list[RecordIssue]:
        terms, params = ["organisation_id = ?"], [organisation_id]
        if connection_id is not None:
            terms.append("connection_id = ?")
            params.append(connection_id)
        if states:
            terms.append(f"state IN ({', '.join('?' for _ in states)})")
            params.extend(s.value for s in states)
        sql = f"SELECT doc FROM record_issues WHERE {' AND '.join(terms)} ORDER BY id"
        with self._db.guard():
            rows = self._db.connection().execute(sql, params).fetchall()
        return [RecordIssue.model_validate_json(row[0]) for row in rows]
