"""IntegrationService over a real SQLite store and the real registry (memory vendor)."""

from __future__ import annotations

import orjson
import pytest

from core.errors import InvalidInputError, NotFoundError, RunAlreadyActiveError
from core.models import Direction, Entity, Operation, RunState, SyncOptions, System
from core.schemas import ConnectionCreate, ConnectionUpdate, ExportFormat, Health
from core.service import AREAS, IntegrationService
from core.store.queries import LogFilter
from core.worker import Worker
from tests.core.service_support import ORG, OTHER_ORG, TOKEN, connect
from tests.support.memory_vendor import MemoryVendor


def test_connect_seals_the_secret_and_never_returns_it(service: IntegrationService) -> None:
    created = connect(service)
    assert created.secret_fields == ["api_token"]
    assert TOKEN not in created.model_dump_json()
    stored = service.runtime.store.get_connection(ORG, created.id)
    assert stored is not None
    assert TOKEN not in stored.sealed_secret
    assert TOKEN not in repr(stored)


def test_connect_refused_by_the_vendor_stores_nothing(service: IntegrationService) -> None:
    with pytest.raises(InvalidInputError, match="refused the API token"):
        service.connections.connect(
            ORG,
            ConnectionCreate(system=System.HUBSPOT, name="bad", fields={"api_token": "wrong"}),
        )
    assert service.connections.list_connections(ORG) == []


@pytest.mark.parametrize(
    ("fields", "field"),
    [({}, "api_token"), ({"api_token": TOKEN, "colour": "red"}, "colour"),
     ({"api_token": TOKEN, "base_url": "ftp://x"}, "base_url")],
)  # fmt: skip
def test_form_errors_name_the_field(
    service: IntegrationService, fields: dict[str, str], field: str
) -> None:
    with pytest.raises(InvalidInputError) as error:
        service.connections.test_credentials(ORG, System.HUBSPOT, fields)
    assert error.value.field == field


def test_test_credentials_stores_nothing(service: IntegrationService) -> None:
    assert service.connections.test_credentials(ORG, System.HUBSPOT, {"api_token": TOKEN}).ok
    result = service.connections.test_credentials(ORG, System.HUBSPOT, {"api_token": "nope"})
    assert not result.ok and "refused" in result.message
    assert service.connections.list_connections(ORG) == []
    assert service.monitoring.logs(ORG, LogFilter()).total == 0


def test_duplicate_names_are_refused(service: IntegrationService) -> None:
    connect(service)
    with pytest.raises(Exception, match="Memory CRM"):
        connect(service)


def test_update_blank_secret_keeps_it_and_a_new_one_replaces_it(
    service: IntegrationService,
) -> None:
    created = connect(service)
    service.connections.update_connection(
        ORG, created.id, ConnectionUpdate(fields={"api_token": ""})
    )
    assert service.connections.test_connection(ORG, created.id).ok
    service.connections.update_connection(
        ORG, created.id, ConnectionUpdate(fields={"api_token": "other"})
    )
    assert not service.connections.test_connection(ORG, created.id).ok
    tests = service.monitoring.logs(ORG, LogFilter(operations=[Operation.TEST_CONNECTION]))
    assert tests.total == 2


def test_another_organisation_sees_and_touches_nothing(service: IntegrationService) -> None:
    created = connect(service)
    run = service.syncs.queue_sync(ORG, created.id)
    assert service.connections.list_connections(OTHER_ORG) == []
    for call in (
        lambda: service.connections.get_connection(OTHER_ORG, created.id),
        lambda: service.connections.update_connection(
            OTHER_ORG, created.id, ConnectionUpdate(name="x")
        ),
        lambda: service.connections.delete_connection(OTHER_ORG, created.id),
        lambda: service.syncs.queue_sync(OTHER_ORG, created.id),
        lambda: service.syncs.get_run(OTHER_ORG, run.id),
        lambda: service.syncs.cancel_run(OTHER_ORG, run.id),
        lambda: service.connections.test_connection(OTHER_ORG, created.id),
        lambda: service.review.edit_record(
            OTHER_ORG, created.id, Entity.CONTACT, "c1", {"title": "x"}
        ),
    ):
        with pytest.raises(NotFoundError):
            call()
    assert service.monitoring.logs(OTHER_ORG, LogFilter()).total == 0
    assert service.monitoring.connection_statuses(OTHER_ORG) == []


def test_queued_run_is_executed_by_a_worker_and_reported(
    service: IntegrationService, vendor: MemoryVendor
) -> None:
    created = connect(service)
    run = service.syncs.queue_sync(ORG, created.id, SyncOptions(full=True))
    with pytest.raises(RunAlreadyActiveError, match="already has a sync"):
        service.syncs.queue_sync(ORG, created.id)
    [view] = service.monitoring.connection_statuses(ORG)
    assert view.health is Health.SYNCING or view.active_run is not None
    assert Worker(service).run_once() is not None
    done = service.syncs.get_run(ORG, run.id)
    assert done.state is RunState.SUCCEEDED
    assert done.totals.created == 7
    [view] = service.monitoring.connection_statuses(ORG)
    assert view.health is Health.HEALTHY
    assert view.records_held == {Entity.CONTACT: 7}
    assert view.next_sync_at is not None
    assert view.last_success_at == done.finished_at
    assert Worker(service).run_once() is None  # nothing left to claim


def test_cancel_a_queued_run(service: IntegrationService) -> None:
    created = connect(service)
    run = service.syncs.queue_sync(ORG, created.id)
    assert service.syncs.cancel_run(ORG, run.id).state is RunState.CANCELLED
    assert Worker(service).run_once() is None
    service.syncs.queue_sync(ORG, created.id)  # the connection is free again


def test_disabled_connection_cannot_sync(service: IntegrationService) -> None:
    created = connect(service)
    service.connections.set_enabled(ORG, created.id, False)
    with pytest.raises(InvalidInputError, match="disabled"):
        service.syncs.queue_sync(ORG, created.id)
    [view] = service.monitoring.connection_statuses(ORG)
    assert view.health is Health.DISABLED and view.next_sync_at is None


def test_edit_record_is_validated_and_pushed(
    service: IntegrationService, vendor: MemoryVendor
) -> None:
    created = connect(service)
    service.syncs.queue_sync(ORG, created.id)
    Worker(service).run_once()
    with pytest.raises(InvalidInputError) as error:
        service.review.edit_record(ORG, created.id, Entity.CONTACT, "c1", {"shoe_size": 42})
    assert error.value.field == "shoe_size"
    with pytest.raises(InvalidInputError) as error:
        service.review.edit_record(
            ORG, created.id, Entity.CONTACT, "c1", {"last_name": ["not", "text"]}
        )
    assert error.value.field == "last_name"
    service.review.edit_record(ORG, created.id, Entity.CONTACT, "c1", {"title": "CTO"})
    service.syncs.queue_sync(ORG, created.id, SyncOptions(direction=Direction.PUSH))
    Worker(service).run_once()
    assert vendor.truth(Entity.CONTACT)["c1"]["title"] == "CTO"


def test_export_contains_the_filtered_set(service: IntegrationService) -> None:
    created = connect(service)
    service.syncs.queue_sync(ORG, created.id)
    Worker(service).run_once()
    query = LogFilter(operations=[Operation.SYNC])
    csv_text = "".join(service.monitoring.export_logs(ORG, query, ExportFormat.CSV))
    lines = csv_text.strip().splitlines()
    assert lines[0].startswith("id,time,organisation_id")
    assert len(lines) == 2 and ",sync," in lines[1]
    json_text = "".join(service.monitoring.export_logs(ORG, LogFilter(), ExportFormat.JSON))
    rows = orjson.loads(json_text)
    assert len(rows) == service.monitoring.logs(ORG, LogFilter()).total
    assert "connection_name" in lines[0].split(",")
    assert f",{created.id},{created.name}," in lines[1]  # the name beside the id


def test_the_facade_composes_its_areas_and_no_area_inherits_another(
    service: IntegrationService,
) -> None:
    areas = [getattr(service, name) for name in AREAS]
    assert len({id(area) for area in areas}) == len(AREAS)
    for area in areas:
        assert type(area).__mro__ == (type(area), object), type(area).__mro__
    assert not hasattr(service, "queue_sync")  # calls live on the areas, not the facade
