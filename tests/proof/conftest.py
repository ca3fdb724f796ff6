"""One sandbox per session (in a thread); per test a fresh service on its own SQLite file."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

import pytest

from adapters.base_adapter import BaseAdapter
from core.models import Entity, Organisation, SyncOptions, SyncRun
from core.schemas import ConnectionCreate, ConnectionPublic
from core.service import IntegrationService
from core.settings import load_settings
from core.worker import Worker
from sandbox.testing import RunningSandbox, run_sandbox
from tests.proof.case import ProofCase, all_cases

ORG = "proof"
CASES = all_cases()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "case" in metafunc.fixturenames:
        only = metafunc.definition.get_closest_marker("systems")
        cases = [c for c in CASES if only is None or c.system.value in only.args]
        metafunc.parametrize("case", cases, ids=[c.id for c in cases])


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSandbox]:
    with run_sandbox(data_dir=tmp_path_factory.mktemp("sandbox")) as running:
        yield running


@dataclass
class Hub:
    """The product as a user runs it: service, connection, and a worker to run syncs."""

    service: IntegrationService
    case: ProofCase
    sandbox: RunningSandbox
    connection: ConnectionPublic

    def sync(self, **options: Any) -> SyncRun:
        run = self.service.syncs.queue_sync(
            ORG, self.connection.id, SyncOptions.model_validate(options)
        )
        Worker(self.service, worker_id="proof-worker").run_by_id(run.id)
        return self.service.syncs.get_run(ORG, run.id)

    def vendor_creates(self, count: int, entity: Entity | None = None, **fields: Any) -> list[str]:
        """`count` new records of `entity` (the first one by default), made at the vendor
        with the required fields of its first record (and `fields`), that nothing refers
        to (a vendor refuses to delete a referenced record); their vendor ids."""
        control, system, tenant = self.sandbox.control, self.case.system.value, self.case.tenant
        object_name = self.case.objects[entity or self.case.first_entity]
        required = control.required_fields(system, tenant, object_name)
        [model] = islice(control.iter_records(system, tenant, object_name), 1)
        values = {**{f: model.fields.get(f) for f in required}, **fields}
        return [control.create(system, tenant, object_name, values).id for _ in range(count)]

    def adapter(self) -> BaseAdapter:
        connection = self.service.runtime.store.get_connection(ORG, self.connection.id)
        assert connection is not None
        adapter = self.service.connections.open_adapter(connection, store_refreshed=False)
        assert isinstance(adapter, BaseAdapter)
        return adapter

    def stored(self, entity: Entity) -> dict[str, dict[str, Any]]:
        store = self.service.runtime.store
        return {
            r.external_id: r.data
            for r in store.iter_records(ORG, self.connection.id, entity)
            if not r.deleted
        }

    def truth(self, entity: Entity) -> dict[str, dict[str, Any]]:
        """The sandbox's current records, mapped by the adapter's own field map."""
        adapter = self.adapter()
        try:
            spec = adapter.spec(entity)
            records = [
                self.case.api_shape(t)
                for t in self.sandbox.control.iter_records(
                    self.case.system.value, self.case.tenant, self.case.objects[entity]
                )
                if not t.deleted
            ]
            page = adapter.to_page(spec, adapter.field_map(entity), records)
        finally:
            adapter.close()
        assert not page.failures, page.failures[:3]
        # A record the vendor flags deleted or archived (SAP IsMarkedForDeletion) is no
        # live record of ToothPick's either: `stored` leaves deleted ones out too.
        return {r.external_id: r.data for r in page.records if not r.deleted}


@pytest.fixture
def hub(
    case: ProofCase,
    sandbox: RunningSandbox,
    isolated_environment: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Hub]:
    sandbox.control.clear_faults()
    sandbox.control.reset(case.system.value, case.tenant, scale=dict(case.scale))
    for name, value in case.environment(sandbox).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("TOOTHPICK_VENDOR_READ_TIMEOUT_S", os.environ.get("PROOF_READ_TIMEOUT", "3"))
    # A fault the run cannot absorb ends it failed here, and the next sync must end in the
    # truth; the same run retried later is tests/core/test_run_retry.py's proof.
    monkeypatch.setenv("TOOTHPICK_RUN_MAX_RETRIES", "0")
    service = IntegrationService.open(load_settings())
    service.runtime.store.ensure_organisation(Organisation(id=ORG, name="Proof"))
    connection = service.connections.connect(
        ORG,
        ConnectionCreate(
            system=case.system,
            name=f"{case.id} proof",
            fields=case.connection_fields(sandbox),
            entities=list(case.objects),
        ),
    )
    try:
        yield Hub(service=service, case=case, sandbox=sandbox, connection=connection)
    finally:
        sandbox.control.clear_faults()
        service.close()
