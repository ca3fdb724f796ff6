"""Status facts for every connection of an organisation at once.

The status cards (API and dashboard Overview) need, per connection, the latest
real finished run, the latest real success, open conflicts and records held.
Asked connection by connection that was about a dozen queries each; here each
kind is one query for the whole organisation.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from core.models import Entity, RunState, SyncRun
from core.store.sqlite.codec import in_clause
from core.store.sqlite.db import StoreArea
from core.store.sqlite.runs import run_from_row

# Each connection's newest matching run, found by walking runs_by_connection
# backwards from the newest (one index probe per connection, not a scan per run).
_LATEST_REAL = """
    SELECT r.* FROM (SELECT DISTINCT connection_id FROM runs WHERE organisation_id = ? {only}) AS c
    JOIN runs AS r ON r.id = (
        SELECT id FROM runs
        WHERE organisation_id = ? AND connection_id = c.connection_id AND {states}
          AND COALESCE(json_extract(options, '$.dry_run'), 0) = 0
        ORDER BY created_at DESC, id DESC LIMIT 1)
"""


class StatusMixin(StoreArea):
    def latest_real_runs(
        self,
        organisation_id: str,
        states: Sequence[RunState],
        *,
        connection_id: str | None = None,
    ) -> dict[str, SyncRun]:
        params: list[Any] = [organisation_id]
        only = ""
        if connection_id is not None:
            only = "AND connection_id = ?"
            params.append(connection_id)
        params.append(organisation_id)
        condition = in_clause("state", [s.value for s in dict.fromkeys(states)], params)
        sql = _LATEST_REAL.format(only=only, states=condition)
        with self._db.read() as db:
            rows = db.execute(sql, params).fetchall()
        return {row["connection_id"]: run_from_row(row) for row in rows}

    def count_open_conflicts(self, organisation_id: str) -> dict[str, int]:
        sql = (
            "SELECT connection_id, COUNT(*) FROM conflicts "
            "WHERE organisation_id = ? AND status = 'open' GROUP BY connection_id"
        )
        with self._db.read() as db:
            return {cid: int(n) for cid, n in db.execute(sql, (organisation_id,))}

    def count_records_by_connection(self, organisation_id: str) -> dict[str, dict[Entity, int]]:
        sql = (
            "SELECT s.connection_id, s.entity, COUNT(*) FROM record_streams AS s "
            "JOIN records AS r ON r.stream = s.id AND r.deleted = 0 "
            "WHERE s.organisation_id = ? GROUP BY s.connection_id, s.entity "
            "ORDER BY s.connection_id, s.entity"
        )
        counts: dict[str, dict[Entity, int]] = {}
        with self._db.read() as db:
            for connection_id, entity, count in db.execute(sql, (organisation_id,)):
                counts.setdefault(connection_id, {})[Entity(entity)] = int(count)
        return counts
