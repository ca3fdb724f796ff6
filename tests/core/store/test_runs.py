"""Contract: runs (one active per connection, claims, heartbeats, takeover, pause, cancel)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.errors import FailureCategory, NotFoundError, RunAlreadyActiveError
from core.models import (
    Connection,
    Entity,
    EntityCounts,
    PlannedChange,
    RunProgress,
    RunState,
    System,
)
from core.store.base import Store
from tests.core.store.builders import ORG, T0, at, connection, run

STALE = timedelta(minutes=5)
COUNTS = {Entity.CONTACT: EntityCounts(read=10, created=3, pages=1)}


@pytest.fixture
def conn(store: Store) -> Connection:
    return store.create_connection(connection())


def claim(store: Store, worker: str, now_minutes: float) -> str | None:
    now = at(minutes=now_minutes)
    claimed = store.claim_next_run(worker, now=now, stale_before=now - STALE)
    return None if claimed is None else claimed.id


def test_one_active_run_per_connection(store: Store, conn: Connection) -> None:
    other = store.create_connection(connection(name="Other", system=System.ODOO))
    first = store.create_run(run(conn, T0))

    with pytest.raises(RunAlreadyActiveError) as refused:
        store.create_run(run(conn, at(minutes=1)))
    assert refused.value.run_id == first.id
    store.create_run(run(other, at(minutes=1)))  # another connection is independent
    assert store.get_run(ORG, first.id) == first

    store.claim_next_run("w1", now=at(minutes=2), stale_before=at(minutes=-3))
    store.finish_run(first.id, "w1", now=at(minutes=3), state=RunState.SUCCEEDED, counts={})
    second = store.create_run(run(conn, at(minutes=4)))
    assert store.get_run(ORG, second.id) == second


def test_a_paused_run_still_blocks_its_connection(store: Store, conn: Connection) -> None:
    paused = store.create_run(run(conn, T0))
    claim(store, "w1", 1)
    store.finish_run(
        paused.id, "w1", now=at(minutes=2), state=RunState.PAUSED, counts={},
        resume_after=at(hours=1),
    )  # fmt: skip

    with pytest.raises(RunAlreadyActiveError) as refused:
        store.create_run(run(conn, at(minutes=3)))
    assert refused.value.run_id == paused.id


def test_list_and_latest_runs(store: Store, conn: Connection) -> None:
    other = store.create_connection(connection(name="Other", system=System.ODOO))
    ids = []
    for minute, target in enumerate([conn, other, conn, other, conn]):
        created = store.create_run(run(target, at(minutes=minute), state=RunState.FAILED))
        ids.append(created.id)
    queued = store.create_run(run(conn, at(minutes=9)))

    everything = store.list_runs(ORG)
    page = store.list_runs(ORG, connection_id=conn.id, offset=1, limit=2)
    failed = store.list_runs(ORG, states=[RunState.FAILED], limit=2)
    active = store.list_runs(ORG, states=[RunState.QUEUED, RunState.RUNNING])

    assert [r.id for r in everything.items] == [queued.id, *reversed(ids)]
    assert ([r.id for r in page.items], page.total) == ([ids[4], ids[2]], 4)
    assert ([r.id for r in failed.items], failed.total) == ([ids[4], ids[3]], 5)
    assert [r.id for r in active.items] == [queued.id]
    latest = store.latest_runs(ORG)
    assert {key: value.id for key, value in latest.items()} == {
        conn.id: queued.id,
        other.id: ids[3],
    }


def test_claim_takes_the_oldest_and_marks_it_running(store: Store, conn: Connection) -> None:
    other = store.create_connection(connection(name="Other", system=System.ODOO))
    newer = store.create_run(run(conn, at(minutes=1)))
    older = store.create_run(run(other, T0))

    claimed = store.claim_next_run("w1", now=at(minutes=2), stale_before=at(minutes=-3))

    assert claimed is not None and claimed.id == older.id
    assert (claimed.state, claimed.worker_id, claimed.attempt) == (RunState.RUNNING, "w1", 1)
    assert (claimed.started_at, claimed.heartbeat_at) == (at(minutes=2), at(minutes=2))
    assert store.get_run(ORG, older.id) == claimed
    assert claim(store, "w2", 3) == newer.id
    assert claim(store, "w3", 4) is None


def test_claim_run_takes_only_the_named_claimable_run(store: Store, conn: Connection) -> None:
    queued = store.create_run(run(conn, T0))
    now = at(minutes=1)

    assert store.claim_run("no-such-run", "w1", now=now, stale_before=now - STALE) is None
    claimed = store.claim_run(queued.id, "w1", now=now, stale_before=now - STALE)
    again = store.claim_run(queued.id, "w2", now=at(minutes=2), stale_before=at(minutes=-3))

    assert claimed is not None and (claimed.worker_id, claimed.attempt) == ("w1", 1)
    assert again is None


def test_heartbeat_and_a_stale_takeover(store: Store, conn: Connection) -> None:
    created = store.create_run(run(conn, T0))
    assert claim(store, "w1", 1) == created.id
    progress = RunProgress(current_entity=Entity.CONTACT, records=10, pages=1)
    beat = store.heartbeat_run(
        created.id, "w1", now=at(minutes=3), progress=progress, counts=COUNTS
    )
    assert (beat.owned, beat.cancel_requested) == (True, False)
    assert claim(store, "w2", 7) is None  # last beat at minute 3 is not older than minute 2

    assert claim(store, "w2", 9) == created.id  # minute 3 is older than 9 - 5

    taken = store.get_run(ORG, created.id)
    assert taken is not None
    assert (taken.worker_id, taken.attempt, taken.state) == ("w2", 2, RunState.RUNNING)
    assert (taken.started_at, taken.heartbeat_at) == (at(minutes=1), at(minutes=9))
    assert (taken.progress, taken.counts) == (progress, COUNTS)
    lost = store.heartbeat_run(created.id, "w1", now=at(minutes=10), progress=progress, counts={})
    assert (lost.owned, lost.cancel_requested) == (False, False)
    assert not store.finish_run(
        created.id, "w1", now=at(minutes=10), state=RunState.FAILED, counts={}
    )
    assert store.heartbeat_run(
        created.id, "w2", now=at(minutes=10), progress=progress, counts={}
    ).owned


def test_finish_stores_the_outcome(store: Store, conn: Connection) -> None:
    created = store.create_run(run(conn, T0))
    claim(store, "w1", 1)
    planned = [
        PlannedChange(entity=Entity.CONTACT, external_id="c1", action="update", fields=["email"])
    ]

    assert store.finish_run(
        created.id, "w1", now=at(minutes=4), state=RunState.FAILED, counts=COUNTS,
        planned=planned, error="HubSpot answered 503", error_category=FailureCategory.VENDOR,
    )  # fmt: skip

    done = store.get_run(ORG, created.id)
    assert done is not None
    assert (done.state, done.finished_at, done.counts, done.planned) == (
        RunState.FAILED, at(minutes=4), COUNTS, planned
    )  # fmt: skip
    assert (done.error, done.error_category) == ("HubSpot answered 503", FailureCategory.VENDOR)
    assert not store.finish_run(
        created.id, "w1", now=at(minutes=5), state=RunState.SUCCEEDED, counts={}
    )
    assert claim(store, "w2", 30) is None


def test_a_paused_run_is_claimable_only_after_resume_after(store: Store, conn: Connection) -> None:
    created = store.create_run(run(conn, T0))
    claim(store, "w1", 1)
    store.finish_run(
        created.id, "w1", now=at(minutes=2), state=RunState.PAUSED, counts=COUNTS,
        resume_after=at(hours=1),
    )  # fmt: skip
    paused = store.get_run(ORG, created.id)
    assert paused is not None
    assert (paused.state, paused.resume_after, paused.finished_at) == (
        RunState.PAUSED, at(hours=1), None
    )  # fmt: skip

    assert claim(store, "w2", 30) is None
    assert claim(store, "w2", 61) == created.id
    resumed = store.get_run(ORG, created.id)
    assert resumed is not None
    assert (resumed.state, resumed.attempt, resumed.counts) == (RunState.RUNNING, 2, COUNTS)


def test_cancelling_a_queued_or_paused_run_ends_it_at_once(store: Store, conn: Connection) -> None:
    queued = store.create_run(run(conn, T0))

    cancelled = store.request_cancel(ORG, queued.id, now=at(minutes=1))

    assert (cancelled.state, cancelled.finished_at) == (RunState.CANCELLED, at(minutes=1))
    assert claim(store, "w1", 2) is None
    paused = store.create_run(run(conn, at(minutes=3)))  # the connection is free again
    claim(store, "w1", 4)
    store.finish_run(
        paused.id,
        "w1",
        now=at(minutes=5),
        state=RunState.PAUSED,
        counts={},
        resume_after=at(hours=1),
    )
    assert store.request_cancel(ORG, paused.id, now=at(minutes=6)).state is RunState.CANCELLED
    assert claim(store, "w1", 120) is None
    with pytest.raises(NotFoundError):
        store.request_cancel(ORG, "no-such-run", now=at(minutes=7))


def test_cancelling_a_running_run_flags_it_for_its_worker(store: Store, conn: Connection) -> None:
    created = store.create_run(run(conn, T0))
    claim(store, "w1", 1)

    flagged = store.request_cancel(ORG, created.id, now=at(minutes=2))
    beat = store.heartbeat_run(
        created.id, "w1", now=at(minutes=3), progress=RunProgress(), counts={}
    )

    assert (flagged.state, flagged.cancel_requested) == (RunState.RUNNING, True)
    assert (beat.owned, beat.cancel_requested) == (True, True)
    assert store.finish_run(
        created.id, "w1", now=at(minutes=4), state=RunState.CANCELLED, counts={}
    )
    finished = store.get_run(ORG, created.id)
    assert finished is not None and finished.state is RunState.CANCELLED
    again = store.request_cancel(ORG, created.id, now=at(minutes=5))
    assert (again.state, again.finished_at) == (RunState.CANCELLED, at(minutes=4))


def test_a_stale_run_whose_cancel_was_requested_is_ended_not_handed_out(
    store: Store, conn: Connection
) -> None:
    created = store.create_run(run(conn, T0))
    claim(store, "w1", 1)
    store.request_cancel(ORG, created.id, now=at(minutes=2))

    assert claim(store, "w2", 30) is None

    ended = store.get_run(ORG, created.id)
    assert ended is not None
    assert (ended.state, ended.finished_at, ended.worker_id) == (
        RunState.CANCELLED, at(minutes=30), "w1"
    )  # fmt: skip
    store.create_run(run(conn, at(minutes=31)))  # no longer blocks the connection
