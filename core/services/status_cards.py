"""A connection's status card: its health and why, in words, from facts the monitoring
area reads in a fixed number of queries (one per kind of fact, however many connections).

Health comes from real runs only: a dry run (or one in progress) says nothing about
whether the connection works; open conflicts are those waiting now, not those the last
run met, so a resolved one clears the card.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.clock import utcnow
from core.models import Connection, ConnectionStatus, Entity, RunState, SyncRun
from core.schedule import next_sync_at
from core.schemas import ConnectionPublic, ConnectionStatusView, Health
from core.wording import plural


@dataclass(frozen=True)
class CardFacts:
    """What the status cards are made of, keyed by connection id."""

    latest: dict[str, SyncRun]
    finished: dict[str, SyncRun]  # newest real (not dry) finished run
    succeeded: dict[str, SyncRun]  # newest real success
    conflicts: dict[str, int]  # open ones
    records: dict[str, dict[Entity, int]]  # live ones per entity


def status_card(
    public: ConnectionPublic, connection: Connection, facts: CardFacts, *, default_hours: float
) -> ConnectionStatusView:
    cid = connection.id
    last = facts.latest.get(cid)
    active = last if last is not None and last.state.is_active else None
    finished = facts.finished.get(cid)
    success = facts.succeeded.get(cid)
    open_conflicts = facts.conflicts.get(cid, 0)
    health, reason = card_health(connection, active, finished, open_conflicts)
    return ConnectionStatusView(
        connection=public,
        health=health,
        health_reason=reason,
        last_run=finished,
        active_run=active,
        last_success_at=success.finished_at if success else None,
        next_sync_at=next_sync_at(
            connection,
            last_scheduled_at=last.created_at if last else None,
            now=utcnow(),
            default_hours=default_hours,
        ),
        records_held=facts.records.get(cid, {}),
        last_error=finished.error if finished and finished.error else None,
    )


def card_health(
    connection: Connection,
    active: SyncRun | None,
    finished: SyncRun | None,
    open_conflicts: int,
) -> tuple[Health, str]:
    if connection.status is ConnectionStatus.DISABLED:
        return Health.DISABLED, "Disabled: no scheduled syncs."
    if connection.status is ConnectionStatus.NEEDS_RECONNECT:
        return Health.NEEDS_RECONNECT, connection.status_detail or "Reconnect this connection."
    if active is not None:
        if active.state is RunState.PAUSED:
            return Health.WARNING, active.error or "Paused until the vendor's quota resets."
        progress = active.progress
        return Health.SYNCING, progress.waiting or progress.message or "Sync in progress."
    if finished is None:
        return Health.NEVER_SYNCED, "Not synced yet."
    if finished.state is RunState.FAILED:
        return Health.FAILING, finished.error or "The last sync failed."
    if finished.totals.failed:
        return Health.WARNING, f"Last sync: {plural(finished.totals.failed, 'record')} failed."
    if open_conflicts:
        return Health.WARNING, f"{plural(open_conflicts, 'conflict')} waiting for review."
    return Health.HEALTHY, "Last sync succeeded."
