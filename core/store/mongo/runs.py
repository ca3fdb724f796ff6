"""Sync runs: creation under the one-active-run rule, atomic claims, heartbeats.

`active_connection` holds the connection id while a run is queued, running or
paused and is removed when it ends; the unique partial index on
(organisation_id, active_connection) makes the database refuse a second active
run even when two schedulers race.

A claim is one `find_one_and_update` sorted by (created_at, _id): the server
picks and modifies the document atomically, so two workers never get the same
run. `started_at` is absent from a run that never started and is written with
`$min`, which sets a missing field and otherwise keeps the earlier value, so
only the first claim stamps it. Heartbeats and finishes are conditioned on
`worker_id` and state running: a worker that lost its run to a stale takeover
finds out at its next heartbeat and writes nothing. A stale run whose cancel
was requested is not handed to another worker: it is ended as cancelled.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.errors import DuplicateKeyError

from core.errors import (
    AlreadyExistsError,
    FailureCategory,
    InvalidInputError,
    NotFoundError,
    RunAlreadyActiveError,
    StoreError,
)
from core.models import Entity, EntityCounts, PlannedChange, RunProgress, RunState, SyncRun
from core.store.mongo.base import MongoBase
from core.store.mongo.documents import Document, from_document, jsonable, to_document
from core.store.mongo.schema import RUNS
from core.store.queries import HeartbeatAck, Page

NEWEST_FIRST = [("created_at", DESCENDING), ("id", DESCENDING)]
OLDEST_FIRST = [("created_at", ASCENDING), ("id", ASCENDING)]
RUNNING = RunState.RUNNING.value


def run_document(run: SyncRun) -> Document:
    doc = to_document(run)
    if doc["started_at"] is None:
        del doc["started_at"]
    if run.state.is_active:
        doc["active_connection"] = run.connection_id
    return doc


def all_of(*clauses: Document) -> Document:
    """Conditions that must all hold, as one explicit `$and`.

    MongoDB reads `{a: 1, $or: [...]}` and `{$and: [{a: 1}, {$or: [...]}]}` the
    same way (nested ANDs are flattened before planning); the explicit form is
    used wherever an `$or` sits beside other conditions because the nx-27017
    stand-in drops the conditions beside a multi-branch `$or` that compares
    dates (it then matched, and cancelled, runs it should not have).
    """
    return {"$and": [clause for clause in clauses if clause]}


def claimable(now: datetime, stale_before: datetime) -> Document:
    return all_of(
        {"cancel_requested": False},
        {"$or": [
            {"state": RunState.QUEUED.value},
            {"state": RunState.PAUSED.value, "resume_after": None},
            {"state": RunState.PAUSED.value, "resume_after": {"$lte": now}},
            {"state": RUNNING, "heartbeat_at": None},
            {"state": RUNNING, "heartbeat_at": {"$lt": stale_before}},
        ]},
    )  # fmt: skip


def _already_active(run_id: str) -> RunAlreadyActiveError:
    return RunAlreadyActiveError(
        "This connection already has a sync queued or running; wait for it or cancel it.",
        run_id=run_id,
    )


class RunsMixin(MongoBase):
    def create_run(self, run: SyncRun) -> SyncRun:
        runs = self._col(RUNS)
        scope = {"organisation_id": run.organisation_id, "active_connection": run.connection_id}
        for _ in range(3):
            try:
                runs.insert_one(run_document(run))
                return run
            except DuplicateKeyError:
                if runs.count_documents({"id": run.id}, limit=1):
                    raise AlreadyExistsError(f"A run with id {run.id} already exists.") from None
                active = runs.find_one(scope, {"id": 1})
                if active is not None:
                    raise _already_active(active["id"]) from None
                # the active run ended between our insert and our look: try again
        raise StoreError("Runs of this connection kept changing; try again.")

    def get_run(self, organisation_id: str, run_id: str) -> SyncRun | None:
        doc = self._col(RUNS).find_one({"id": run_id, "organisation_id": organisation_id})
        return from_document(SyncRun, doc) if doc else None

    def list_runs(
        self,
        organisation_id: str,
        *,
        connection_id: str | None = None,
        states: Sequence[RunState] = (),
        offset: int = 0,
        limit: int = 50,
    ) -> Page[SyncRun]:
        query: Document = {"organisation_id": organisation_id}
        if connection_id is not None:
            query["connection_id"] = connection_id
        if states:
            query["state"] = {"$in": [s.value for s in states]}
        offset, limit = max(offset, 0), max(limit, 0)
        runs = self._col(RUNS)
        items = []
        if limit:
            cursor = runs.find(query).sort(NEWEST_FIRST).skip(offset).limit(limit)
            items = [from_document(SyncRun, doc) for doc in cursor]
        total = runs.count_documents(query)
        return Page[SyncRun](items=items, total=total, offset=offset, limit=limit)

    def latest_runs(self, organisation_id: str) -> dict[str, SyncRun]:
        pipeline: list[Document] = [
            {"$match": {"organisation_id": organisation_id}},
            {"$sort": {"connection_id": 1, "created_at": -1, "id": -1}},
            {"$group": {"_id": "$connection_id", "run": {"$first": "$$ROOT"}}},
        ]
        return {
            doc["_id"]: from_document(SyncRun, doc["run"])
            for doc in self._col(RUNS).aggregate(pipeline)
        }

    def claim_next_run(
        self, worker_id: str, *, now: datetime, stale_before: datetime
    ) -> SyncRun | None:
        return self._claim({}, worker_id, now=now, stale_before=stale_before)

    def claim_run(
        self, run_id: str, worker_id: str, *, now: datetime, stale_before: datetime
    ) -> SyncRun | None:
        return self._claim({"id": run_id}, worker_id, now=now, stale_before=stale_before)

    def _claim(
        self, only: Document, worker_id: str, *, now: datetime, stale_before: datetime
    ) -> SyncRun | None:
        runs = self._col(RUNS)
        stale = {"$or": [{"heartbeat_at": None}, {"heartbeat_at": {"$lt": stale_before}}]}
        runs.update_many(
            all_of(only, {"state": RUNNING, "cancel_requested": True}, stale),
            {
                "$set": {"state": RunState.CANCELLED.value, "finished_at": now},
                "$unset": {"active_connection": ""},
            },
        )
        doc = runs.find_one_and_update(
            all_of(only, claimable(now, stale_before)),
            {
                "$set": {
                    "state": RUNNING,
                    "worker_id": worker_id,
                    "heartbeat_at": now,
                    "resume_after": None,
                },
                "$min": {"started_at": now},
                "$inc": {"attempt": 1},
            },
            sort=OLDEST_FIRST,
            return_document=ReturnDocument.AFTER,
        )
        return from_document(SyncRun, doc) if doc else None

    def heartbeat_run(
        self,
        run_id: str,
        worker_id: str,
        *,
        now: datetime,
        progress: RunProgress,
        counts: dict[Entity, EntityCounts],
    ) -> HeartbeatAck:
        runs = self._col(RUNS)
        doc = runs.find_one_and_update(
            {"id": run_id, "worker_id": worker_id, "state": RUNNING},
            {
                "$set": {
                    "heartbeat_at": now,
                    "progress": jsonable(progress),
                    "counts": jsonable(counts),
                }
            },
            projection={"cancel_requested": 1},
            return_document=ReturnDocument.AFTER,
        )
        if doc is not None:
            return HeartbeatAck(owned=True, cancel_requested=bool(doc.get("cancel_requested")))
        current = runs.find_one({"id": run_id}, {"cancel_requested": 1})
        return HeartbeatAck(
            owned=False, cancel_requested=bool(current and current["cancel_requested"])
        )

    def finish_run(
        self,
        run_id: str,
        worker_id: str,
        *,
        now: datetime,
        state: RunState,
        counts: dict[Entity, EntityCounts],
        planned: Sequence[PlannedChange] = (),
        error: str | None = None,
        error_category: FailureCategory | None = None,
        resume_after: datetime | None = None,
        retries: int | None = None,
    ) -> bool:
        """PAUSED keeps the run active until `resume_after`; QUEUED hands it back
        (graceful shutdown); any finished state ends it."""
        if state is RunState.RUNNING:
            raise InvalidInputError("finish_run needs a state other than running", field="state")
        update: Document = {
            "$set": {
                "state": state.value,
                "finished_at": now if state.is_finished else None,
                "heartbeat_at": now,
                "counts": jsonable(counts),
                "planned": jsonable(list(planned)),
                "error": error,
                "error_category": jsonable(error_category),
                "resume_after": resume_after,
            }
        }
        if retries is not None:
            update["$set"]["retries"] = retries
        if state.is_finished:
            update["$unset"] = {"active_connection": ""}
        result = self._col(RUNS).update_one(
            {"id": run_id, "worker_id": worker_id, "state": RUNNING}, update
        )
        return result.matched_count == 1

    def request_cancel(self, organisation_id: str, run_id: str, *, now: datetime) -> SyncRun:
        runs = self._col(RUNS)
        scope = {"id": run_id, "organisation_id": organisation_id}
        waiting = [RunState.QUEUED.value, RunState.PAUSED.value]
        doc = (
            runs.find_one_and_update(
                {**scope, "state": {"$in": waiting}},
                {
                    "$set": {
                        "state": RunState.CANCELLED.value,
                        "cancel_requested": True,
                        "finished_at": now,
                    },
                    "$unset": {"active_connection": ""},
                },
                return_document=ReturnDocument.AFTER,
            )
            or runs.find_one_and_update(
                {**scope, "state": RUNNING},
                {"$set": {"cancel_requested": True}},
                return_document=ReturnDocument.AFTER,
            )
            or runs.find_one(scope)
        )
        if doc is None:
            raise NotFoundError(f"Run {run_id} not found.")
        return from_document(SyncRun, doc)
