"""Status facts for every connection of an organisation at once.

The status cards (API and dashboard Overview) need, per connection, the latest
real finished run, the latest real success, open conflicts and records held.
Asked connection by connection that was about a dozen round trips each; here
each kind is one aggregation for the whole organisation.
"""

from __future__ import annotations

from collections.abc import Sequence

from core.models import Entity, RunState, SyncRun
from core.store.mongo.base import MongoBase
from core.store.mongo.documents import Document, from_document
from core.store.mongo.schema import CONFLICTS, RECORDS, RUNS


class StatusMixin(MongoBase):
    def latest_real_runs(
        self,
        organisation_id: str,
        states: Sequence[RunState],
        *,
        connection_id: str | None = None,
    ) -> dict[str, SyncRun]:
        match: Document = {
            "organisation_id": organisation_id,
            "state": {"$in": [s.value for s in states]},
            "options.dry_run": {"$ne": True},
        }
        if connection_id is not None:
            match["connection_id"] = connection_id
        pipeline: list[Document] = [
            {"$match": match},
            # runs_org_connection_created serves this order
            {"$sort": {"connection_id": 1, "created_at": -1, "id": -1}},
            {"$group": {"_id": "$connection_id", "run": {"$first": "$$ROOT"}}},
        ]
        return {
            doc["_id"]: from_document(SyncRun, doc["run"])
            for doc in self._col(RUNS).aggregate(pipeline)
        }

    def count_open_conflicts(self, organisation_id: str) -> dict[str, int]:
        pipeline: list[Document] = [
            {"$match": {"organisation_id": organisation_id, "status": "open"}},
            {"$group": {"_id": "$connection_id", "count": {"$sum": 1}}},
        ]
        return {doc["_id"]: doc["count"] for doc in self._col(CONFLICTS).aggregate(pipeline)}

    def count_records_by_connection(self, organisation_id: str) -> dict[str, dict[Entity, int]]:
        # One string key per (connection, entity): the same as a compound `_id`, in the
        # spelling the test stand-in also groups by (entity values hold no "/").
        pipeline: list[Document] = [
            {"$match": {"organisation_id": organisation_id, "deleted": False}},
            {
                "$group": {
                    "_id": {"$concat": ["$connection_id", "/", "$entity"]},
                    "count": {"$sum": 1},
                }
            },
        ]
        counts: dict[str, dict[Entity, int]] = {}
        for doc in sorted(self._col(RECORDS).aggregate(pipeline), key=lambda d: d["_id"]):
            connection_id, _, entity = doc["_id"].rpartition("/")
            counts.setdefault(connection_id, {})[Entity(entity)] = doc["count"]
        return counts
