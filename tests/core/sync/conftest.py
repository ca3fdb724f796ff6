from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from core.models import (
    ConflictPolicy,
    Connection,
    Direction,
    Entity,
    EntityCounts,
    Organisation,
    RunProgress,
    SyncOptions,
    SyncRun,
    System,
)
from core.page_budget import PageBudget
from core.store.base import Store
from core.store.sqlite import SqliteStore
from core.sync import RunControl, RunOutcome, SyncEngine
from tests.support.memory_vendor import MemoryAdapter, MemoryVendor

ORG = "acme"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = SqliteStore.open(tmp_path / "engine.db")
    opened.ensure_organisation(Organisation(id=ORG, name="Acme"))
    yield opened
    opened.close()


@dataclass
class Harness:
    store: Store
    vendor: MemoryVendor
    adapter: MemoryAdapter
    connection: Connection

    def run(
        self,
        control: RunControl | None = None,
        page_budget: PageBudget | None = None,
        **options: object,
    ) -> tuple[RunOutcome, SyncRun]:
        run = self.store.create_run(
            SyncRun(
                organisation_id=ORG,
                connection_id=self.connection.id,
                system=self.connection.system,
                options=SyncOptions.model_validate(options),
            )
        )
        engine = SyncEngine(
            store=self.store,
            adapter=self.adapter,
            connection=self.connection,
            run=run,
            control=control or _NoControl(),
            page_budget=page_budget,
        )
        outcome = engine.execute()
        # Close the run the way a worker does, so the next run may start.
        claimed = self.store.claim_run(
            run.id, "test", now=run.created_at, stale_before=run.created_at
        )
        assert claimed is not None
        self.store.finish_run(
            run.id, "test", now=run.created_at, state=outcome.state, counts=outcome.counts
        )
        return outcome, run

    def local(self, entity: Entity = Entity.CONTACT) -> dict[str, dict[str, object]]:
        return {
            r.external_id: r.data
            for r in self.store.iter_records(ORG, self.connection.id, entity)
            if not r.deleted
        }

    def reconfigure(self, **changes: object) -> None:
        self.connection = self.store.update_connection(self.connection.model_copy(update=changes))


class _NoControl:
    def checkpoint(self, progress: RunProgress, counts: dict[Entity, EntityCounts]) -> None:
        return None


@pytest.fixture
def harness(store: Store) -> Harness:
    connection = store.create_connection(
        Connection(
            organisation_id=ORG,
            system=System.HUBSPOT,
            name="memory",
            sealed_secret="not-used-by-the-memory-vendor",
            entities=[Entity.CONTACT],
            direction=Direction.PULL,
            conflict_policy=ConflictPolicy.TIMESTAMP,
        )
    )
    vendor = MemoryVendor()
    for n in range(1, 8):
        vendor.put(
            Entity.CONTACT,
            f"c{n}",
            {"first_name": f"F{n}", "last_name": f"L{n}", "email": f"c{n}@x.io"},
        )
    return Harness(
        store=store,
        vendor=vendor,
        adapter=MemoryAdapter(vendor, page_size=3),
        connection=connection,
    )
