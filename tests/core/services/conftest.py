"""Each area built alone from its own parts: a real SQLite store file and vault
(Runtime.open on the test's data directory), the memory vendor served as HubSpot.

No facade here: these fixtures wire the areas by hand, the way core/service.py
does, so a test of one area shows what that area needs and nothing more."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from core.models import Entity, System
from core.runtime import Runtime
from core.schemas import ConnectionCreate, ConnectionPublic
from core.services.alerts import AlertService
from core.services.connections import ConnectionService
from core.services.monitoring import MonitoringService
from core.services.review import ReviewService
from core.services.syncs import SyncService
from tests.core.service_support import TOKEN
from tests.support.memory_vendor import MemoryVendor, memory_system


@pytest.fixture
def runtime(vendor: MemoryVendor, monkeypatch: pytest.MonkeyPatch) -> Iterator[Runtime]:
    # These tests follow one outcome to its alerts and notifications: a failed run ends
    # failed at once (its retries with backoff are tests/core/test_run_retry.py's).
    monkeypatch.setenv("TOOTHPICK_RUN_MAX_RETRIES", "0")
    with memory_system(vendor, valid_token=TOKEN):
        opened = Runtime.open()
        try:
            yield opened
        finally:
            opened.close()


@pytest.fixture
def connections(runtime: Runtime) -> ConnectionService:
    return ConnectionService(settings=runtime.settings, store=runtime.store, vault=runtime.vault)


@pytest.fixture
def alerts(runtime: Runtime, connections: ConnectionService) -> AlertService:
    return AlertService(settings=runtime.settings, store=runtime.store, connections=connections)


@pytest.fixture
def monitoring(
    runtime: Runtime, connections: ConnectionService, alerts: AlertService
) -> MonitoringService:
    return MonitoringService(
        settings=runtime.settings, store=runtime.store, connections=connections, alerts=alerts
    )


@pytest.fixture
def syncs(runtime: Runtime, connections: ConnectionService, alerts: AlertService) -> SyncService:
    return SyncService(
        settings=runtime.settings, store=runtime.store, connections=connections, alerts=alerts
    )


@pytest.fixture
def review(runtime: Runtime, connections: ConnectionService) -> ReviewService:
    return ReviewService(store=runtime.store, connections=connections)


def create(
    connections: ConnectionService, org: str, name: str = "Memory CRM", **extra: object
) -> ConnectionPublic:
    return connections.connect(
        org,
        ConnectionCreate(
            system=System.HUBSPOT,
            name=name,
            fields={"api_token": TOKEN},
            entities=[Entity.CONTACT],
            **extra,
        ),
    )
