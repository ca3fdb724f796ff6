"""The connections area alone: built from a settings object, a SQLite store file and a
vault, with the memory vendor behind the real adapter registry."""

from __future__ import annotations

import pytest

from core.errors import InvalidInputError, NotFoundError
from core.models import Entity, LogStatus, Operation, System
from core.runtime import Runtime
from core.schemas import ConnectionCreate, LogFilter
from core.services.connections import ConnectionService
from tests.core.service_support import ORG, OTHER_ORG, TOKEN
from tests.core.services.conftest import create


def test_connect_seals_the_secret_and_hands_out_only_its_name(
    connections: ConnectionService, runtime: Runtime
) -> None:
    created = create(connections, ORG)
    assert created.secret_fields == ["api_token"]
    assert TOKEN not in created.model_dump_json()
    stored = runtime.store.get_connection(ORG, created.id)
    assert stored is not None and TOKEN not in stored.sealed_secret
    assert connections.list_connections(ORG) == [created]


def test_a_refused_form_stores_nothing(connections: ConnectionService, runtime: Runtime) -> None:
    with pytest.raises(InvalidInputError, match="refused"):
        connections.connect(
            ORG,
            ConnectionCreate(system=System.HUBSPOT, name="Wrong", fields={"api_token": "nope"}),
        )
    assert runtime.store.list_connections(ORG) == []


def test_the_calls_other_areas_use_keep_organisations_apart(
    connections: ConnectionService,
) -> None:
    created = create(connections, ORG)
    stored = connections.stored_connection(ORG, created.id)
    assert connections.public(stored) == created
    with pytest.raises(NotFoundError):
        connections.stored_connection(OTHER_ORG, created.id)


def test_open_adapter_opens_the_secret_and_reaches_the_vendor(
    connections: ConnectionService,
) -> None:
    stored = connections.stored_connection(ORG, create(connections, ORG).id)
    adapter = connections.open_adapter(stored)
    try:
        assert adapter.check().ok
        assert [f.name for f in adapter.discover_fields(Entity.CONTACT)]
    finally:
        adapter.close()


def test_audit_and_reconnect_marks_are_stored(
    connections: ConnectionService, runtime: Runtime
) -> None:
    stored = connections.stored_connection(ORG, create(connections, ORG).id)
    connections.audit(stored, Operation.ROTATE_KEY, f"re-sealed (token {TOKEN})")
    logged = runtime.store.query_logs(
        ORG, LogFilter(operations=[Operation.ROTATE_KEY]), offset=0, limit=10
    )
    assert [e.status for e in logged.items] == [LogStatus.SUCCESS]
    assert TOKEN not in logged.items[0].message  # redacted on the way in
    connections.mark_needs_reconnect(stored, "the vendor refused the token")
    assert connections.get_connection(ORG, stored.id).status_detail == (
        "the vendor refused the token"
    )


def test_a_connection_saved_disabled_keeps_the_reason(
    connections: ConnectionService, runtime: Runtime
) -> None:
    saved = connections.connect(
        ORG,
        ConnectionCreate(system=System.HUBSPOT, name="Later", fields={"api_token": "nope"}),
        test_first=False,
        disabled_because="Saved without a passing test: 401",
    )
    assert saved.status.value == "disabled"
    assert saved.status_detail == "Saved without a passing test: 401"
