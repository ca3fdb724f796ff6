"""Per-record failures (core.models.RecordIssue): one document per failing record."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pymongo import ASCENDING, ReplaceOne

from core.models import IssueState, RecordIssue
from core.store.mongo.base import MongoBase
from core.store.mongo.documents import from_document, to_document
from core.store.mongo.schema import RECORD_ISSUES


class IssuesMixin(MongoBase):
    def save_record_issues(self, issues: Sequence[RecordIssue]) -> None:
        if not issues:
            return
        self._col(RECORD_ISSUES).bulk_write(
            [
                ReplaceOne(
                    {"organisation_id": issue.organisation_id, "id": issue.id},
                    to_document(issue),
                    upsert=True,
                )
                for issue in issues
            ],
            ordered=False,
        )

    def list_record_issues(
        self,
        organisation_id: str,
        *,
        connection_id: str | None = None,
        states: Sequence[IssueState] = (IssueState.OPEN,),
    ) -> list[RecordIssue]:
        query: dict[str, Any] = {"organisation_id": organisation_id}
        if connection_id is not None:
            query["connection_id"] = connection_id
        if states:
            query["state"] = {"$in": [s.value for s in states]}
        docs = self._col(RECORD_ISSUES).find(query).sort("id", ASCENDING)
        return [from_document(RecordIssue, doc) for doc in docs]
