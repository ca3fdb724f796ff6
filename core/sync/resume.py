"""A resumed run's counts: what the store holds, not what the last heartbeat said.

A page's records and its checkpoint are saved in one transaction, but the run's
counts travel with the heartbeat after it: a worker killed between the two left a
page stored and its counts unsaved, and the run resumed after that page counted
it nowhere (a full sync's "created" came out short of the records it created).
So the page's checkpoint carries the entity's counts as they stand with that page
stored, filled in by the store inside the same transaction from what the write
did (`with_counts`), and a later attempt of the same run takes an entity's record
counts from its checkpoint (`resumed_counts`).

    >>> counts = EntityCounts(pages=1, read=100)
    >>> state = SyncState(organisation_id="o", connection_id="c", entity=Entity.CONTACT,
    ...                   checkpoint={"run_id": "r1", "resume": {"after": "100"}})
    >>> saved = with_counts(state, counts, UpsertResult(created=100))
    >>> saved.checkpoint["counts"]["created"]
    100
"""

from __future__ import annotations

from collections.abc import Iterable

from core.models import Entity, EntityCounts, SyncRun, SyncState
from core.store.base import Store
from core.store.queries import UpsertResult

# What a page's store write decides: exact in the checkpoint, re-counted for pages read
# again after a resume. Everything else (calls spent, waits, pushes) was spent whether or
# not a page got stored, so the larger of the heartbeat's and the checkpoint's stands.
_PAGE_FIELDS = frozenset(
    ("pages", "read", "created", "updated", "unchanged", "deleted", "failed", "conflicts")
)


def with_counts(state: SyncState, counts: EntityCounts, result: UpsertResult) -> SyncState:
    """`state` (a page's checkpoint) carrying the entity's counts with the page's write
    `result` added: the store calls this inside the page's transaction."""
    after = counts.model_copy(
        update={
            "created": counts.created + result.created,
            "updated": counts.updated + result.updated + result.restored,
            "deleted": counts.deleted + result.deleted,
            "unchanged": counts.unchanged + result.unchanged,
        }
    )
    checkpoint = dict(state.checkpoint or {})
    checkpoint["counts"] = after.model_dump(mode="json")
    return state.model_copy(update={"checkpoint": checkpoint})


def resumed_counts(
    store: Store, run: SyncRun, entities: Iterable[Entity]
) -> dict[Entity, EntityCounts]:
    """The counts a later attempt of `run` goes on from: the stored run's, with each
    entity stopped mid-read taking its page counts from its last stored page."""
    counts = {entity: c.model_copy() for entity, c in run.counts.items()}
    if run.attempt <= 1:
        return counts
    for entity in entities:
        state = store.get_sync_state(run.organisation_id, run.connection_id, entity)
        checkpoint = state.checkpoint if state is not None else None
        if not checkpoint or checkpoint.get("run_id") != run.id or "counts" not in checkpoint:
            continue  # no page of this run stored, or the entity's read finished
        stored = EntityCounts.model_validate(checkpoint["counts"])
        beaten = counts.get(entity, EntityCounts())
        merged = {
            name: getattr(stored, name)
            if name in _PAGE_FIELDS
            else _larger(getattr(beaten, name), getattr(stored, name))
            for name in EntityCounts.model_fields
        }
        counts[entity] = EntityCounts(**merged)
    return counts


def _larger(a: int | float | None, b: int | float | None) -> int | float | None:
    if a is None or b is None:
        return b if a is None else a
    return max(a, b)
