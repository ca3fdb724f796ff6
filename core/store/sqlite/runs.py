"""Sync runs: the job table that scheduler, workers and dashboard share.

Two rules are enforced by SQLite itself, so they hold across processes:
- one active (queued, running, paused) run per connection: the partial unique
  index runs_one_active;
- one owner per run: a claim is one `UPDATE ... RETURNING` inside `BEGIN
  IMMEDIATE`, so two workers (threads or processes) can never both see the
  run as claimable; every later write of the worker is conditional on
  `worker_id` still being its own, so a worker that lost its run to a stale
  takeover finds out at its next heartbeat and writes nothing.

A stale running run whose cancel was requested is not handed to another
worker: it is ended as cancelled (its worker died before it could stop).
"""

# ruff: noqa: S608 (SQL text is assembled from module constants; values are bound parameters)

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from core.errors import (
    AlreadyExistsError,
    FailureCategory,
    InvalidInputError,
    NotFoundError,
    RunAlreadyActiveError,
)
from core.models import Entity, EntityCounts, PlannedChange, RunProgress, RunState, SyncRun
from core.store.queries import HeartbeatAck, Page
from core.store.sqlite.codec import (
    dump_json,
    dump_models,
    enum_value,
    in_clause,
    load_json,
    opt_dt,
    opt_us,
    placeholders,
    to_us,
)
from core.store.sqlite.db import StoreArea

_ACTIVE = "state IN ('queued', 'running', 'paused')"  # the partial indexes' own WHERE
_COLUMNS = (
    "id, organisation_id, connection_id, system, trigger, options, state, created_at, "
    "started_at, finished_at, heartbeat_at, worker_id, attempt, resume_after, "
    "cancel_requested, progress, counts, planned, error, error_category"
)
_INSERT = f"INSERT INTO runs ({_COLUMNS}) VALUES ({placeholders(_COLUMNS.count(',') + 1)})"
_CLAIMABLE = (
    f"{_ACTIVE} AND cancel_requested = 0 AND (state = 'queued'"
    " OR (state = 'paused' AND (resume_after IS NULL OR resume_after <= :now))"
    " OR (state = 'running' AND (heartbeat_at IS NULL OR heartbeat_at < :stale)))"
)
_CLAIM = f"""
UPDATE runs SET state = 'running', worker_id = :worker, heartbeat_at = :now,
    started_at = coalesce(started_at, :now), attempt = attempt + 1, resume_after = NULL
WHERE id = (SELECT id FROM runs WHERE {_CLAIMABLE} {{only}} ORDER BY created_at, id LIMIT 1)
RETURNING *
"""
_END_ABANDONED = f"""
UPDATE runs SET state = 'cancelled', finished_at = :now
WHERE {_ACTIVE} AND state = 'running' AND cancel_requested = 1
  AND (heartbeat_at IS NULL OR heartbeat_at < :stale) {{only}}
"""


def _counts(counts: dict[Entity, EntityCounts]) -> str:
    return dump_json(
        {entity.value: value.model_dump(mode="json") for entity, value in counts.items()}
    )


def _row(run: SyncRun) -> tuple[Any, ...]:
    return (
        run.id,
        run.organisation_id,
        run.connection_id,
        run.system.value,
        run.trigger.value,
        dump_json(run.options),
        run.state.value,
        to_us(run.created_at),
        opt_us(run.started_at),
        opt_us(run.finished_at),
        opt_us(run.heartbeat_at),
        run.worker_id,
        run.attempt,
        opt_us(run.resume_after),
        int(run.cancel_requested),
        dump_json(run.progress),
        _counts(run.counts),
        dump_models(run.planned),
        run.error,
        enum_value(run.error_category),
    )


def run_from_row(row: sqlite3.Row) -> SyncRun:
    times = ("created_at", "started_at", "finished_at", "heartbeat_at", "resume_after")
    return SyncRun.model_validate(
        {
            **dict(row),
            **{name: opt_dt(row[name]) for name in times},
            "options": load_json(row["options"]),
            "cancel_requested": bool(row["cancel_requested"]),
            "progress": load_json(row["progress"]),
            "counts": load_json(row["counts"]),
            "planned": load_json(row["planned"]),
        }
    )


class RunsMixin(StoreArea):
    def create_run(self, run: SyncRun) -> SyncRun:
        with self._db.write() as db:
            active = db.execute(
                f"SELECT id FROM runs WHERE {_ACTIVE} AND organisation_id = ? "
                "AND connection_id = ?",
                (run.organisation_id, run.connection_id),
            ).fetchone()
            if active is not None and run.state.is_active:
                raise RunAlreadyActiveError(
                    "This connection already has a sync queued or running; wait for it or "
                    "cancel it.",
                    run_id=active[0],
                )
            try:
                db.execute(
                    _INSERT,
                    _row(run),
                )
            except sqlite3.IntegrityError:
                raise AlreadyExistsError(f"A run with id {run.id} already exists.") from None
        return run

    def get_run(self, organisation_id: str, run_id: str) -> SyncRun | None:
        with self._db.guard():
            row = (
                self._db.connection()
                .execute(
                    "SELECT * FROM runs WHERE organisation_id = ? AND id = ?",
                    (organisation_id, run_id),
                )
                .fetchone()
            )
        return None if row is None else run_from_row(row)

    def list_runs(
        self,
        organisation_id: str,
        *,
        connection_id: str | None = None,
        states: Sequence[RunState] = (),
        offset: int = 0,
        limit: int = 50,
    ) -> Page[SyncRun]:
        params: list[Any] = [organisation_id]
        terms = ["organisation_id = ?"]
        if connection_id is not None:
            terms.append("connection_id = ?")
            params.append(connection_id)
        if states:
            terms.append(in_clause("state", [s.value for s in dict.fromkeys(states)], params))
        where = " AND ".join(terms)
        offset, limit = max(offset, 0), max(limit, 0)
        with self._db.read() as db:
            rows = db.execute(
                f"SELECT * FROM runs WHERE {where} "
                "ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?",
                [*params, limit, offset],
            ).fetchall()
            total = int(
                db.execute(f"SELECT COUNT(*) FROM runs WHERE {where}", params).fetchone()[0]
            )
        return Page[SyncRun](
            items=[run_from_row(row) for row in rows], total=total, offset=offset, limit=limit
        )

    def latest_runs(self, organisation_id: str) -> dict[str, SyncRun]:
        sql = (
            "SELECT r.* FROM (SELECT DISTINCT connection_id FROM runs WHERE organisation_id = ?)"
            " AS c JOIN runs AS r ON r.id = (SELECT id FROM runs WHERE organisation_id = ?"
            " AND connection_id = c.connection_id ORDER BY created_at DESC, id DESC LIMIT 1)"
        )
        with self._db.guard():
            rows = self._db.connection().execute(sql, (organisation_id,) * 2).fetchall()
        return {row["connection_id"]: run_from_row(row) for row in rows}

    def claim_next_run(
        self, worker_id: str, *, now: datetime, stale_before: datetime
    ) -> SyncRun | None:
        return self._claim(worker_id, now=now, stale_before=stale_before, run_id=None)

    def claim_run(
        self, run_id: str, worker_id: str, *, now: datetime, stale_before: datetime
    ) -> SyncRun | None:
        return self._claim(worker_id, now=now, stale_before=stale_before, run_id=run_id)

    def _claim(
        self, worker_id: str, *, now: datetime, stale_before: datetime, run_id: str | None
    ) -> SyncRun | None:
        params = {
            "worker": worker_id,
            "now": to_us(now),
            "stale": to_us(stale_before),
            "id": run_id,
        }
        only = "" if run_id is None else "AND id = :id"
        with self._db.write() as db:
            db.execute(_END_ABANDONED.format(only=only), params)
            rows = db.execute(_CLAIM.format(only=only), params).fetchall()
        return run_from_row(rows[0]) if rows else None

    def heartbeat_run(
        self,
        run_id: str,
        worker_id: str,
        *,
        now: datetime,
        progress: RunProgress,
        counts: dict[Entity, EntityCounts],
    ) -> HeartbeatAck:
        with self._db.write() as db:
            rows = db.execute(
                "UPDATE runs SET heartbeat_at = ?, progress = ?, counts = ? "
                "WHERE id = ? AND worker_id = ? AND state = 'running' RETURNING cancel_requested",
                (to_us(now), dump_json(progress), _counts(counts), run_id, worker_id),
            ).fetchall()
            if rows:
                return HeartbeatAck(owned=True, cancel_requested=bool(rows[0][0]))
            row = db.execute("SELECT cancel_requested FROM runs WHERE id = ?", (run_id,)).fetchone()
        return HeartbeatAck(owned=False, cancel_requested=bool(row and row[0]))

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
        finished_at = to_us(now) if state.is_finished else None
        with self._db.write() as db:
            cursor = db.execute(
                "UPDATE runs SET state = ?, finished_at = ?, heartbeat_at = ?, counts = ?, "
                "planned = ?, error = ?, error_category = ?, resume_after = ?, "
                "retries = coalesce(?, retries) "
                "WHERE id = ? AND worker_id = ? AND state = 'running'",
                (
                    state.value,
                    finished_at,
                    to_us(now),
                    _counts(counts),
                    dump_models(list(planned)),
                    error,
                    enum_value(error_category),
                    opt_us(resume_after),
                    retries,
                    run_id,
                    worker_id,
                ),
            )
            return cursor.rowcount == 1

    def request_cancel(self, organisation_id: str, run_id: str, *, now: datetime) -> SyncRun:
        scope = (organisation_id, run_id)
        with self._db.write() as db:
            row = db.execute(
                "SELECT state FROM runs WHERE organisation_id = ? AND id = ?", scope
            ).fetchone()
            if row is None:
                raise NotFoundError(f"Run {run_id} not found.")
            state = RunState(row["state"])
            if state in (RunState.QUEUED, RunState.PAUSED):
                db.execute(
                    "UPDATE runs SET state = 'cancelled', cancel_requested = 1, finished_at = ? "
                    "WHERE organisation_id = ? AND id = ?",
                    (to_us(now), *scope),
                )
            elif state is RunState.RUNNING:
                db.execute(
                    "UPDATE runs SET cancel_requested = 1 WHERE organisation_id = ? AND id = ?",
                    scope,
                )
            stored = db.execute(
                "SELECT * FROM runs WHERE organisation_id = ? AND id = ?", scope
            ).fetchone()
        return run_from_row(stored)
