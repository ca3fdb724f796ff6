"""Contract: organisations and connections (CRUD, unique names, secret CAS, delete cascade)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from core.clock import new_id
from core.errors import AlreadyExistsError, ChangedMeanwhileError, NotFoundError
from core.models import (
    ConflictStatus,
    ConnectionStatus,
    Entity,
    Organisation,
    Schedule,
    SyncState,
    System,
)
from core.store.base import Store
from core.store.queries import LogFilter
from tests.core.store.builders import ORG, OTHER_ORG, T0, at, conflict, connection, log, run, write


def test_ensure_organisation_creates_once_and_keeps_the_first(store: Store) -> None:
    first = store.ensure_organisation(Organisation(id=ORG, name="Acme", created_at=T0))
    again = store.ensure_organisation(Organisation(id=ORG, name="Renamed", created_at=at(days=1)))

    assert first == again == Organisation(id=ORG, name="Acme", created_at=T0)
    assert store.get_organisation(ORG) == first
    assert store.get_organisation(OTHER_ORG) is None


def test_connection_round_trips_every_field(store: Store) -> None:
    created = connection(
        config={"instance_url": "https://acme.my.salesforce.com", "api_version": 59, "eu": True},
        entities=[Entity.CONTACT, Entity.ACCOUNT],
        schedule=Schedule(cron="0 */4 * * *"),
        status_detail="all good",
        approve_deletes=True,
        created_at=T0,
        updated_at=at(hours=1),
    )
    store.create_connection(created)

    assert store.get_connection(ORG, created.id) == created
    assert store.get_connection_by_name(ORG, "Salesforce EU") == created
    assert store.get_connection(ORG, "missing") is None
    assert store.get_connection_by_name(ORG, "salesforce eu") is None


def test_names_are_unique_within_an_organisation_only(store: Store) -> None:
    store.create_connection(connection(name="CRM"))

    with pytest.raises(AlreadyExistsError, match="CRM"):
        store.create_connection(connection(name="CRM", system=System.HUBSPOT))
    store.create_connection(connection(OTHER_ORG, name="CRM"))

    assert [c.system for c in store.list_connections(ORG)] == [System.SALESFORCE]


def test_list_is_ordered_by_name_and_none_lists_every_organisation(store: Store) -> None:
    b = store.create_connection(connection(name="b-odoo", system=System.ODOO))
    a = store.create_connection(connection(name="a-sap", system=System.SAP))
    other = store.create_connection(connection(OTHER_ORG, name="c-zoho", system=System.ZOHO))

    assert [c.id for c in store.list_connections(ORG)] == [a.id, b.id]
    assert {c.id for c in store.list_connections(None)} == {a.id, b.id, other.id}


def test_update_replaces_and_refuses_missing_or_taken_names(store: Store) -> None:
    first = store.create_connection(connection(name="One"))
    second = store.create_connection(connection(name="Two", system=System.HUBSPOT))
    changed = first.model_copy(
        update={"status": ConnectionStatus.NEEDS_RECONNECT, "entities": [Entity.OPPORTUNITY]}
    )

    assert store.update_connection(changed) == changed
    assert store.get_connection(ORG, first.id) == changed
    with pytest.raises(AlreadyExistsError):
        store.update_connection(second.model_copy(update={"name": "One"}))
    assert store.get_connection(ORG, second.id) == second
    with pytest.raises(NotFoundError):
        store.update_connection(connection(name="Never stored"))


def test_reseal_is_compare_and_set(store: Store) -> None:
    created = store.create_connection(connection())
    old = created.sealed_secret

    assert not store.reseal_connection_secret(ORG, created.id, expected="stale", sealed_secret="x")
    assert not store.reseal_connection_secret(
        OTHER_ORG, created.id, expected=old, sealed_secret="x"
    )
    assert store.get_connection(ORG, created.id) == created
    assert store.reseal_connection_secret(
        ORG, created.id, expected=old, sealed_secret="tpv1.k2.new"
    )
    stored = store.get_connection(ORG, created.id)
    assert stored is not None and stored.sealed_secret == "tpv1.k2.new"
    assert not store.reseal_connection_secret(ORG, created.id, expected=old, sealed_secret="y")


def test_a_settings_write_never_rewrites_the_sealed_secret(store: Store) -> None:
    """A worker refreshed the token (CAS) after the dashboard read the connection; the
    dashboard's disable, written from that earlier read, must not put the stale one back."""
    read_before = store.create_connection(connection())
    assert store.reseal_connection_secret(
        ORG, read_before.id, expected=read_before.sealed_secret, sealed_secret="tpv1.k1.fresh"
    )
    disabled = read_before.model_copy(update={"status": ConnectionStatus.DISABLED})

    written = store.update_connection(disabled)

    stored = store.get_connection(ORG, read_before.id)
    assert stored is not None and stored.status is ConnectionStatus.DISABLED
    assert stored.sealed_secret == written.sealed_secret == "tpv1.k1.fresh"


def test_a_secret_change_through_update_is_compare_and_set(store: Store) -> None:
    created = store.create_connection(connection())
    renamed = created.model_copy(update={"name": "Renamed", "sealed_secret": "tpv1.k1.new"})

    with pytest.raises(ChangedMeanwhileError):
        store.update_connection(renamed, expected_secret="tpv1.k1.someone-elses")
    assert store.get_connection(ORG, created.id) == created  # nothing written
    assert store.update_connection(renamed, expected_secret=created.sealed_secret) == renamed
    assert store.get_connection(ORG, created.id) == renamed
    with pytest.raises(NotFoundError):
        store.update_connection(connection(name="Never stored"), expected_secret="x")


def test_delete_cascades_to_records_states_and_open_conflicts_only(store: Store) -> None:
    doomed = store.create_connection(connection())
    kept = store.create_connection(connection(name="Kept", system=System.HUBSPOT))
    for conn in (doomed, kept):
        store.upsert_records(ORG, conn.id, Entity.CONTACT, [write("c1", {"n": 1})], run_id=None)
        store.save_sync_state(
            SyncState(organisation_id=ORG, connection_id=conn.id, entity=Entity.CONTACT, cursor="7")
        )
    store.add_conflict(conflict(doomed, "c1"))
    resolved = store.add_conflict(conflict(doomed, "c2", status=ConflictStatus.RESOLVED))
    a_run = store.create_run(run(doomed, T0))
    entry = log(T0, connection_id=doomed.id)
    store.append_logs([entry])

    assert store.delete_connection(ORG, doomed.id)
    assert not store.delete_connection(ORG, doomed.id)

    assert store.get_connection(ORG, doomed.id) is None
    # Re-creating the same id must not bring anything back: the rows are gone, not hidden.
    store.create_connection(doomed)
    assert store.get_records(ORG, doomed.id, Entity.CONTACT, ["c1"]) == {}
    assert store.record_history(ORG, doomed.id, Entity.CONTACT, "c1") == []
    assert store.get_sync_state(ORG, doomed.id, Entity.CONTACT) is None
    remaining = store.list_conflicts(ORG, status=None, connection_id=doomed.id)
    assert [c.id for c in remaining.items] == [resolved.id]
    assert store.get_run(ORG, a_run.id) == a_run
    assert store.get_log(ORG, entry.id) == entry
    assert store.query_logs(ORG, LogFilter(connection_ids=[doomed.id])).total == 1
    # The other connection is untouched.
    assert list(store.get_records(ORG, kept.id, Entity.CONTACT, ["c1"])) == ["c1"]
    assert store.get_sync_state(ORG, kept.id, Entity.CONTACT) is not None


def _valid_name(name: str) -> bool:
    try:
        connection(name=name)
    except ValidationError:
        return False
    return True


_NAMES = st.text(
    alphabet=st.characters(exclude_categories=["Cs"]), min_size=1, max_size=100
).filter(_valid_name)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=_NAMES)
def test_any_valid_name_round_trips_and_stays_unique(store: Store, name: str) -> None:
    organisation_id = f"org-{new_id()}"  # a fresh organisation per example, same store
    created = store.create_connection(connection(organisation_id, name=name))

    assert store.get_connection_by_name(organisation_id, created.name) == created
    with pytest.raises(AlreadyExistsError):
        store.create_connection(connection(organisation_id, name=name, system=System.ZOHO))
    assert [c.id for c in store.list_connections(organisation_id)] == [created.id]
