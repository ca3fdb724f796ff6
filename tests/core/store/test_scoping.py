"""Contract: organisation B can neither read nor change anything of organisation A.

Every call is made as B with A's ids; each must behave exactly as if the
object did not exist (None, empty, False or NotFoundError), and A's objects
must be unchanged afterwards.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import pytest

from core.errors import NotFoundError
from core.models import (
    Alert,
    Conflict,
    ConflictStatus,
    Connection,
    Entity,
    LogEntry,
    Resolution,
    RunState,
    SyncRun,
    SyncState,
)
from core.store.base import Store
from core.store.queries import Bucket, ErrorGroup, KpiGroup, LogFilter
from tests.core.store.builders import (
    DAY,
    ORG,
    OTHER_ORG,
    T0,
    alert,
    at,
    conflict,
    connection,
    log,
    run,
    sync_log,
    write,
)

B = OTHER_ORG
CONTACT = Entity.CONTACT


@dataclass
class Owned:
    connection: Connection
    log: LogEntry
    run: SyncRun
    conflict: Conflict
    alert: Alert
    state: SyncState


@pytest.fixture
def a(store: Store) -> Owned:
    conn = store.create_connection(connection(ORG, name="Shared name"))
    store.create_connection(connection(B, name="B's own"))
    entry = log(at(hours=1), connection_id=conn.id, system=conn.system, message="A's secret entry")
    store.append_logs([entry, sync_log(conn, at(hours=2), ok=False, duration_ms=10)])
    store.upsert_records(ORG, conn.id, CONTACT, [write("c1", {"name": "Ada"})], run_id=None)
    store.set_local_change(ORG, conn.id, CONTACT, "c1", {"phone": "1"}, at=at(hours=3))
    state = SyncState(
        organisation_id=ORG, connection_id=conn.id, entity=CONTACT, cursor="A", updated_at=T0
    )
    store.save_sync_state(state)
    return Owned(
        connection=conn,
        log=entry,
        run=store.create_run(run(conn, T0)),
        conflict=store.add_conflict(conflict(conn, "c1")),
        alert=store.raise_alert(alert(ORG, connection_id=conn.id)),
        state=state,
    )


def test_b_reads_nothing_of_a(store: Store, a: Owned) -> None:
    conn = a.connection
    since, until = T0, T0 + DAY

    assert store.get_connection(B, conn.id) is None
    assert store.get_connection_by_name(B, "Shared name") is None
    assert [c.name for c in store.list_connections(B)] == ["B's own"]
    assert store.get_log(B, a.log.id) is None
    assert store.query_logs(B, LogFilter()).total == 0
    assert store.query_logs(B, LogFilter(connection_ids=[conn.id], text="secret")).items == []
    assert list(store.iter_logs(B, LogFilter())) == []
    for group in (KpiGroup.SYSTEM, KpiGroup.CONNECTION, None):
        assert store.kpis(B, group_by=group, bucket=Bucket.HOUR, since=since, until=until) == []
    assert store.volume_by_entity(B, since=since, until=until) == []
    assert store.error_counts(B, group_by=ErrorGroup.SYSTEM, since=since, until=until) == []
    assert store.get_records(B, conn.id, CONTACT, ["c1"]) == {}
    assert list(store.iter_records(B, conn.id, CONTACT, include_deleted=True)) == []
    assert store.count_records(B, conn.id) == {}
    assert store.record_history(B, conn.id, CONTACT, "c1") == []
    assert store.get_sync_state(B, conn.id, CONTACT) is None
    assert store.get_run(B, a.run.id) is None
    assert store.list_runs(B).total == 0
    assert store.latest_runs(B) == {}
    assert store.get_conflict(B, a.conflict.id) is None
    assert store.list_conflicts(B, status=None).total == 0
    assert store.list_alerts(B, open_only=False) == []


def test_b_changes_nothing_of_a(store: Store, a: Owned) -> None:
    conn = a.connection
    as_b = conn.model_copy(update={"organisation_id": B, "name": "Hijacked"})

    with pytest.raises(NotFoundError):
        store.update_connection(as_b)
    assert not store.reseal_connection_secret(
        B, conn.id, expected=conn.sealed_secret, sealed_secret="stolen"
    )
    assert not store.delete_connection(B, conn.id)
    with pytest.raises(NotFoundError):
        store.upsert_records(B, conn.id, CONTACT, [write("c1", {"name": "Eve"})], run_id=None)
    with pytest.raises(NotFoundError):
        store.set_local_change(B, conn.id, CONTACT, "c1", {"name": "Eve"}, at=at(hours=4))
    with pytest.raises(NotFoundError):
        store.mark_pushed(
            B, conn.id, CONTACT, "c1", new_external_id="c2", data={}, content_hash="h",
            source_updated_at=None, run_id=None,
        )  # fmt: skip
    with contextlib.suppress(NotFoundError):  # a no-op or NotFoundError are both fine
        store.clear_local_change(B, conn.id, CONTACT, "c1")
    with pytest.raises(NotFoundError):
        store.save_sync_state(a.state.model_copy(update={"organisation_id": B, "cursor": "B"}))
    with pytest.raises(NotFoundError):
        store.request_cancel(B, a.run.id, now=at(hours=5))
    resolved = a.conflict.model_copy(
        update={
            "organisation_id": B,
            "status": ConflictStatus.RESOLVED,
            "resolution": Resolution.LOCAL,
        }
    )
    with pytest.raises(NotFoundError):
        store.save_conflict(resolved)
    assert not store.acknowledge_alert(B, a.alert.id, at=at(hours=5))

    assert store.get_connection(ORG, conn.id) == conn
    record = store.get_records(ORG, conn.id, CONTACT, ["c1"])["c1"]
    assert (record.data, record.local_change) == ({"name": "Ada", "phone": "1"}, {"phone": "1"})
    assert store.get_sync_state(ORG, conn.id, CONTACT) == a.state
    stored_run = store.get_run(ORG, a.run.id)
    assert stored_run is not None and (stored_run.state, stored_run.cancel_requested) == (
        RunState.QUEUED, False
    )  # fmt: skip
    assert store.get_conflict(ORG, a.conflict.id) == a.conflict
    assert [x.acknowledged_at for x in store.list_alerts(ORG)] == [None]
