"""Run outcomes through the service and a real worker: quota pauses, refused credentials,
conflict resolution (memory vendor behind the real registry, SQLite store)."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from core.clock import utcnow
from core.errors import InvalidInputError, NeedsReconnectError, QuotaExhaustedError
from core.models import (
    AlertKind,
    ConflictPolicy,
    ConnectionStatus,
    Direction,
    Entity,
    Resolution,
    RunState,
    SyncOptions,
)
from core.schemas import ConnectionUpdate, Health
from core.service import IntegrationService
from core.worker import Worker
from tests.core.service_support import ORG, connect
from tests.support.memory_vendor import MemoryVendor

C = Entity.CONTACT


def _sync(service: IntegrationService, connection_id: str, **options: object) -> RunState:
    run = service.syncs.queue_sync(ORG, connection_id, SyncOptions.model_validate(options))
    Worker(service).run_by_id(run.id)
    return service.syncs.get_run(ORG, run.id).state


def test_a_spent_quota_pauses_the_run_and_it_resumes_by_itself(
    service: IntegrationService, vendor: MemoryVendor
) -> None:
    created = connect(service)
    resets_at = utcnow() + timedelta(seconds=1.5)
    vendor.refuse_reads_with = QuotaExhaustedError("daily API limit spent", resets_at=resets_at)
    run = service.syncs.queue_sync(ORG, created.id)
    Worker(service).run_once()
    paused = service.syncs.get_run(ORG, run.id)
    assert paused.state is RunState.PAUSED
    assert paused.resume_after is not None and abs(paused.resume_after - resets_at) < timedelta(
        milliseconds=5
    )
    [alert] = service.monitoring.alerts(ORG)
    assert alert.kind is AlertKind.QUOTA
    [view] = service.monitoring.connection_statuses(ORG)
    assert view.health is Health.WARNING  # paused is not failing
    assert Worker(service).run_once() is None  # not before the vendor's reset
    vendor.refuse_reads_with = None
    time.sleep(max(0.0, (resets_at - utcnow()).total_seconds()) + 0.05)
    later = Worker(service).run_once()  # the same run, picked up again after the reset
    assert later is not None and later.id == run.id
    done = service.syncs.get_run(ORG, run.id)
    assert done.state is RunState.SUCCEEDED and done.attempt == 2
    assert len(list(service.review.records(ORG, created.id, C))) == 7


def test_refused_credentials_mark_the_connection_for_reconnecting(
    service: IntegrationService, vendor: MemoryVendor
) -> None:
    created = connect(service)
    vendor.refuse_reads_with = NeedsReconnectError(
        "HubSpot refused to refresh the access token (invalid_grant): reconnect this connection"
    )
    assert _sync(service, created.id) is RunState.FAILED
    connection = service.connections.get_connection(ORG, created.id)
    assert connection.status is ConnectionStatus.NEEDS_RECONNECT
    assert connection.status_detail and "reconnect this connection" in connection.status_detail
    [view] = service.monitoring.connection_statuses(ORG)
    assert view.health is Health.NEEDS_RECONNECT
    assert [a.kind for a in service.monitoring.alerts(ORG)] == [AlertKind.NEEDS_RECONNECT]
    # New credentials make it active again.
    vendor.refuse_reads_with = None
    service.connections.update_connection(
        ORG, created.id, ConnectionUpdate(fields={"api_token": "new-one"})
    )
    assert service.connections.get_connection(ORG, created.id).status is ConnectionStatus.ACTIVE


def _held_conflict(service: IntegrationService, vendor: MemoryVendor) -> tuple[str, str]:
    created = connect(service, direction=Direction.BOTH, conflict_policy=ConflictPolicy.MANUAL)
    _sync(service, created.id)
    service.review.edit_record(ORG, created.id, C, "c2", {"first_name": "Local", "title": "Dr"})
    vendor.put(C, "c2", {"first_name": "Vendor", "last_name": "L2", "email": "v@x.io"})
    _sync(service, created.id)
    [conflict] = service.review.conflicts(ORG).items
    assert set(conflict.differing_fields) == {"email", "first_name", "title"}
    return created.id, conflict.id


def test_resolve_taking_the_local_version_pushes_it(
    service: IntegrationService, vendor: MemoryVendor
) -> None:
    connection_id, conflict_id = _held_conflict(service, vendor)
    service.review.resolve_conflict(ORG, conflict_id, Resolution.LOCAL)
    assert service.review.conflicts(ORG).total == 0
    assert _sync(service, connection_id) is RunState.SUCCEEDED
    truth = vendor.truth(C)["c2"]
    assert (truth["first_name"], truth["title"], truth["email"]) == ("Local", "Dr", None)


def test_resolve_taking_the_vendor_version_drops_the_local_edit(
    service: IntegrationService, vendor: MemoryVendor
) -> None:
    connection_id, conflict_id = _held_conflict(service, vendor)
    service.review.resolve_conflict(ORG, conflict_id, Resolution.REMOTE)
    [record] = [r for r in service.review.records(ORG, connection_id, C) if r.external_id == "c2"]
    assert record.data["first_name"] == "Vendor" and record.local_change is None
    assert _sync(service, connection_id) is RunState.SUCCEEDED
    assert vendor.truth(C)["c2"]["first_name"] == "Vendor"


def test_resolve_field_by_field(service: IntegrationService, vendor: MemoryVendor) -> None:
    connection_id, conflict_id = _held_conflict(service, vendor)
    with pytest.raises(InvalidInputError):
        service.review.resolve_conflict(
            ORG, conflict_id, Resolution.MERGED, fields={"phone": "local"}
        )
    service.review.resolve_conflict(
        ORG, conflict_id, Resolution.MERGED,
        fields={"first_name": "local", "email": "remote", "title": "remote"},
    )  # fmt: skip
    assert _sync(service, connection_id) is RunState.SUCCEEDED
    truth = vendor.truth(C)["c2"]
    assert (truth["first_name"], truth["email"], truth["title"]) == ("Local", "v@x.io", None)
    with pytest.raises(InvalidInputError, match="already resolved"):
        service.review.resolve_conflict(ORG, conflict_id, Resolution.LOCAL)
