"""A mapping change's backfill over each store (SQLite file, MongoDB-wire server): a field
no longer pulled is cleared in the store with no vendor call, a newly pulled one is read
alone and merged into each record, other fields and pending local edits kept, and each
changed record gets its history entry."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

import pytest

from adapters.base import RecordFailure, RemotePage
from core.clock import utcnow
from core.models import (
    ChangeKind,
    ConflictPolicy,
    Connection,
    Direction,
    Entity,
    EntityCounts,
    Organisation,
    RunProgress,
    RunState,
    SyncOptions,
    SyncRun,
    System,
)
from core.store.base import Store
from core.sync import SyncEngine
from tests.support.memory_vendor import MemoryAdapter, MemoryVendor

ORG = "acme"
C = Entity.CONTACT


class MappedAdapter(MemoryAdapter):
    """The memory vendor seen through a mapping that pulls some fields only."""

    def __init__(self, vendor: MemoryVendor, unmapped: set[str]) -> None:
        super().__init__(vendor, page_size=3)
        self.unmapped = unmapped

    def read(
        self, entity: Entity, *, since: datetime | None, resume: dict[str, Any] | None
    ) -> Iterator[RemotePage]:
        for page in super().read(entity, since=since, resume=resume):
            for record in page.records:
                record.data = {k: v for k, v in record.data.items() if k not in self.unmapped}
            yield page

    def pulled_fields(self, entity: Entity, fields: Sequence[str]) -> list[str]:
        return [f for f in fields if f not in self.unmapped]


class _NoControl:
    def checkpoint(self, progress: RunProgress, counts: dict[Entity, EntityCounts]) -> None:
        return None


def _run(store: Store, adapter: MemoryAdapter, connection: Connection, **options: Any) -> SyncRun:
    run = store.create_run(
        SyncRun(
            organisation_id=ORG,
            connection_id=connection.id,
            system=connection.system,
            options=SyncOptions.model_validate(options),
        )
    )
    engine = SyncEngine(
        store=store, adapter=adapter, connection=connection, run=run, control=_NoControl()
    )
    outcome = engine.execute()
    assert outcome.state is RunState.SUCCEEDED, outcome.error
    claimed = store.claim_run(run.id, "test", now=run.created_at, stale_before=run.created_at)
    assert claimed is not None
    store.finish_run(run.id, "test", now=utcnow(), state=outcome.state, counts=outcome.counts)
    return run.model_copy(update={"counts": outcome.counts})


@pytest.fixture
def synced(store: Store) -> tuple[Store, MemoryVendor, MappedAdapter, Connection]:
    store.ensure_organisation(Organisation(id=ORG, name="Acme"))
    connection = store.create_connection(
        Connection(
            organisation_id=ORG,
            system=System.HUBSPOT,
            name="memory",
            sealed_secret="not-used",
            entities=[C],
            direction=Direction.PULL,
            conflict_policy=ConflictPolicy.TIMESTAMP,
        )
    )
    vendor = MemoryVendor()
    for n in range(1, 8):
        vendor.put(
            C,
            f"c{n}",
            {"first_name": f"F{n}", "last_name": f"L{n}", "email": f"c{n}@x.io", "title": f"T{n}"},
        )
    adapter = MappedAdapter(vendor, unmapped={"title"})
    _run(store, adapter, connection, full=True)
    return store, vendor, adapter, connection


def _held(store: Store, connection: Connection) -> dict[str, dict[str, Any]]:
    return {r.external_id: r.data for r in store.iter_records(ORG, connection.id, C)}


def test_a_newly_mapped_field_is_read_alone_and_merged_field_by_field(
    synced: tuple[Store, MemoryVendor, MappedAdapter, Connection],
) -> None:
    store, vendor, adapter, connection = synced
    assert not any(d.get("title") for d in _held(store, connection).values())
    # A pending local edit of another field, and one of the newly mapped field itself.
    store.set_local_change(ORG, connection.id, C, "c1", {"email": "mine@x.io"}, at=utcnow())
    store.set_local_change(ORG, connection.id, C, "c2", {"title": "Mine"}, at=utcnow())
    # The vendor changed another field since: not the backfill's to carry.
    vendor.put(C, "c3", {**vendor.tables[C]["c3"].data, "first_name": "Changed"})

    adapter.unmapped = set()
    calls = adapter.stats.api_calls
    run = _run(store, adapter, connection, backfill=True, backfill_fields={"contact": ["title"]})
    held = _held(store, connection)
    assert {k: d.get("title") for k, d in held.items()} == {
        **{f"c{n}": f"T{n}" for n in range(1, 8)},
        "c2": "Mine",  # our later edit of the same field wins (timestamp policy), still pending
    }
    assert held["c1"]["email"] == "mine@x.io" and held["c3"]["first_name"] == "F3"
    pending = store.get_record_versions(ORG, connection.id, C, ["c1", "c2"])
    assert pending["c1"].local_change == {"email": "mine@x.io"}
    assert pending["c2"].local_change == {"title": "Mine"}
    assert run.counts[C].read == 7 and adapter.stats.api_calls - calls == 3  # one listing
    [change, *_] = store.record_history(ORG, connection.id, C, "c4")
    assert change.kind is ChangeKind.UPDATED
    assert (change.before, change.after) == ({}, {"title": "T4"})


def test_an_unmapped_field_is_cleared_in_the_store_with_no_vendor_call(
    synced: tuple[Store, MemoryVendor, MappedAdapter, Connection],
) -> None:
    store, _vendor, adapter, connection = synced
    adapter.unmapped = set()
    _run(store, adapter, connection, full=True)
    assert all(d["title"] for d in _held(store, connection).values())
    store.set_local_change(ORG, connection.id, C, "c1", {"email": "mine@x.io"}, at=utcnow())

    adapter.unmapped = {"title"}
    calls = adapter.stats.api_calls
    run = _run(store, adapter, connection, backfill=True, backfill_fields={"contact": ["title"]})
    assert adapter.stats.api_calls == calls and run.counts[C].pages == 0
    held = _held(store, connection)
    assert not any(d.get("title") for d in held.values())
    assert held["c1"]["email"] == "mine@x.io"
    [version] = store.get_record_versions(ORG, connection.id, C, ["c1"]).values()
    assert version.local_change == {"email": "mine@x.io"}
    assert run.counts[C].updated == 7
    [change, *_] = store.record_history(ORG, connection.id, C, "c5")
    assert change.kind is ChangeKind.UPDATED
    assert (change.before, change.after) == ({"title": "T5"}, {"title": None})

    again = _run(store, adapter, connection, backfill=True, backfill_fields={"contact": ["title"]})
    assert again.counts[C].updated == 0  # nothing left to clear


def test_a_value_the_new_mapping_cannot_convert_is_a_record_issue(
    synced: tuple[Store, MemoryVendor, MappedAdapter, Connection],
) -> None:
    store, _vendor, adapter, connection = synced

    class Refusing(MappedAdapter):
        def read_fields(self, entity: Entity, fields: Sequence[str]) -> Iterator[RemotePage]:
            for page in super().read_fields(entity, fields):
                refused = [r for r in page.records if r.external_id == "c3"]
                page.records = [r for r in page.records if r.external_id != "c3"]
                page.failures += [RecordFailure(r.external_id, "title: not text") for r in refused]
                yield page

    refusing = Refusing(adapter.vendor, unmapped=set())
    run = _run(store, refusing, connection, backfill=True, backfill_fields={"contact": ["title"]})
    assert run.counts[C].failed == 1 and run.counts[C].updated == 6
    [issue] = store.list_record_issues(ORG, connection_id=connection.id)
    assert (issue.external_id, issue.entity) == ("c3", C)
    assert "title" not in _held(store, connection)["c3"]
