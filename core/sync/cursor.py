"""Where an entity's read starts and what a run commits: the cursor and the checkpoint.

The cursor (high-water mark of the vendor's modified time) is committed only when the
whole stream has been stored, and the next incremental read starts a safety margin
before it (READ_OVERLAP); within a run, the position after each stored page is saved as
a checkpoint, so a run killed anywhere resumes after the last stored page.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from core.clock import utcnow
from core.models import Entity, SyncState
from core.sync.context import RunContext

# An incremental read starts this far before the committed cursor: a vendor clock that
# was ahead and is set back, or a vendor transaction that commits after a later one was
# read (a SystemModstamp older than the cursor), would otherwise hide a change. Records
# read again are recognised as unchanged by their hash.
READ_OVERLAP = timedelta(minutes=5)


def parse(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def save_state(
    ctx: RunContext,
    entity: Entity,
    state: SyncState | None,
    *,
    checkpoint: dict[str, Any] | None,
    cursor: datetime | None = None,
    finished_full: bool = False,
) -> None:
    """A checkpoint mid-stream, or (checkpoint None) the committed cursor at its end."""
    ctx.store.save_sync_state(
        state_for(
            ctx, entity, state, checkpoint=checkpoint, cursor=cursor, finished_full=finished_full
        )
    )


def state_for(
    ctx: RunContext,
    entity: Entity,
    state: SyncState | None,
    *,
    checkpoint: dict[str, Any] | None,
    cursor: datetime | None = None,
    finished_full: bool = False,
) -> SyncState:
    """The state `save_state` saves (a page's checkpoint goes with its upsert instead)."""
    base = state or SyncState(
        organisation_id=ctx.organisation_id, connection_id=ctx.connection_id, entity=entity
    )
    update: dict[str, Any] = {"checkpoint": checkpoint, "updated_at": utcnow()}
    if checkpoint is None:
        update["cursor"] = iso(cursor)
        if finished_full:
            update["last_full_sync_at"] = utcnow()
    return base.model_copy(update=update)
