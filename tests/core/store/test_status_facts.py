"""Contract: the status cards' facts for a whole organisation, one query per kind."""

from __future__ import annotations

from core.models import ConflictStatus, Entity, RunState, SyncOptions, System
from core.store.base import Store
from tests.core.store.builders import ORG, OTHER_ORG, at, conflict, connection, run, write

FINISHED = tuple(s for s in RunState if s.is_finished)


def test_latest_real_runs_skip_dry_and_other_states(store: Store) -> None:
    a = store.create_connection(connection())
    b = store.create_connection(connection(name="Odoo", system=System.ODOO))
    idle = store.create_connection(connection(name="Never run", system=System.HUBSPOT))
    foreign = store.create_connection(connection(OTHER_ORG))
    dry = SyncOptions(dry_run=True)
    ok = store.create_run(run(a, at(minutes=1), state=RunState.SUCCEEDED))
    a_failed = store.create_run(run(a, at(minutes=2), state=RunState.FAILED))
    store.create_run(run(a, at(minutes=3), state=RunState.SUCCEEDED, options=dry))
    store.create_run(run(a, at(minutes=4)))  # queued: not finished
    b_ok = store.create_run(run(b, at(minutes=1), state=RunState.SUCCEEDED))
    store.create_run(run(b, at(minutes=2), state=RunState.FAILED, options=dry))
    store.create_run(run(foreign, at(minutes=5), state=RunState.SUCCEEDED))

    finished = store.latest_real_runs(ORG, FINISHED)
    succeeded = store.latest_real_runs(ORG, (RunState.SUCCEEDED,))
    only_b = store.latest_real_runs(ORG, FINISHED, connection_id=b.id)

    assert {k: v.id for k, v in finished.items()} == {a.id: a_failed.id, b.id: b_ok.id}
    assert {k: v.id for k, v in succeeded.items()} == {a.id: ok.id, b.id: b_ok.id}
    assert {k: v.id for k, v in only_b.items()} == {b.id: b_ok.id}
    assert finished[a.id] == store.get_run(ORG, a_failed.id)  # the whole run, not a summary
    assert idle.id not in finished
    assert store.latest_real_runs(ORG, FINISHED, connection_id=foreign.id) == {}


def test_open_conflicts_per_connection(store: Store) -> None:
    a = store.create_connection(connection())
    b = store.create_connection(connection(name="Odoo", system=System.ODOO))
    foreign = store.create_connection(connection(OTHER_ORG))
    store.add_conflict(conflict(a, "c1"))
    store.add_conflict(conflict(a, "c2"))
    resolved = store.add_conflict(conflict(b, "c3"))
    store.save_conflict(resolved.model_copy(update={"status": ConflictStatus.DISMISSED}))
    store.add_conflict(conflict(foreign, "c4"))

    assert store.count_open_conflicts(ORG) == {a.id: 2}
    assert store.count_open_conflicts(OTHER_ORG) == {foreign.id: 1}


def test_records_held_per_connection_and_entity(store: Store) -> None:
    a = store.create_connection(connection())
    b = store.create_connection(connection(name="Odoo", system=System.ODOO))
    foreign = store.create_connection(connection(OTHER_ORG))
    contacts = [write(f"c{i}", {"n": i}) for i in range(3)]
    store.upsert_records(ORG, a.id, Entity.CONTACT, contacts, run_id=None)
    store.upsert_records(ORG, a.id, Entity.ACCOUNT, [write("co1", {"n": 1})], run_id=None)
    store.upsert_records(ORG, a.id, Entity.CONTACT, [write("c0", {}, deleted=True)], run_id=None)
    store.upsert_records(ORG, b.id, Entity.CONTACT, [write("d1", {"n": 1})], run_id=None)
    store.upsert_records(OTHER_ORG, foreign.id, Entity.CONTACT, contacts, run_id=None)

    held = store.count_records_by_connection(ORG)

    assert held == {
        a.id: {Entity.ACCOUNT: 1, Entity.CONTACT: 2},
        b.id: {Entity.CONTACT: 1},
    }
    assert held[a.id] == store.count_records(ORG, a.id)
    assert store.count_records_by_connection(OTHER_ORG) == {foreign.id: {Entity.CONTACT: 3}}
