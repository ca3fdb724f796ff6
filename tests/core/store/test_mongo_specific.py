"""MongoDB-only behaviour: indexes, log retention, schema version, credentials, batching.

The Store contract itself is tested for both stores by the other files here;
these tests look at what only the MongoDB store has.
"""

from __future__ import annotations

import socket
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from pymongo import MongoClient

from core.errors import StoreError, StoreUnavailableError
from core.models import ChangeKind, Entity
from core.store.mongo import MongoStore
from core.store.mongo import upsert as upsert_module
from core.store.mongo.kpis import kpi_rows
from core.store.mongo.schema import (
    ALERTS,
    INDEXES,
    LOG_TTL_INDEX,
    LOGS,
    META,
    MIGRATIONS,
    SCHEMA_VERSION,
    SECONDS_PER_DAY,
)
from core.store.mongo.uri import hosts_of, scrub
from tests.core.store.builders import ORG, T0, connection, write
from tests.support.mongo import LOG_RETENTION_DAYS, per_test_database

pytestmark = pytest.mark.mongo

Opener = Callable[..., MongoStore]


def _ttl(store: MongoStore) -> Any:
    indexes = store.database[LOGS].list_indexes()
    return next(ix.get("expireAfterSeconds") for ix in indexes if dict(ix["key"]) == {"time": 1})


def test_log_time_has_a_ttl_index_with_the_retention(mongo_store: MongoStore) -> None:
    assert _ttl(mongo_store) == LOG_RETENTION_DAYS * SECONDS_PER_DAY


def test_changed_retention_is_applied_with_collmod(
    mongo_store: MongoStore, mongo_store_opener: Opener
) -> None:
    shorter = mongo_store_opener(log_retention_days=30)

    assert _ttl(shorter) == 30 * SECONDS_PER_DAY
    shorter.close()


def test_every_declared_index_exists_with_its_options(mongo_store: MongoStore) -> None:
    for collection, declared in INDEXES.items():
        existing = {ix["name"]: ix for ix in mongo_store.database[collection].list_indexes()}
        for model in declared:
            spec = model.document
            found = existing.get(spec["name"])
            assert found is not None, f"{collection}.{spec['name']} is missing"
            assert dict(found["key"]) == dict(spec["key"])
            for option in ("unique", "partialFilterExpression"):
                assert found.get(option) == spec.get(option), (spec["name"], option)
    assert LOG_TTL_INDEX in {ix["name"] for ix in mongo_store.database[LOGS].list_indexes()}


def test_connect_again_changes_nothing(mongo_store: MongoStore, mongo_store_opener: Opener) -> None:
    def snapshot(store: MongoStore) -> dict[str, list[Any]]:
        return {name: sorted(ix["name"] for ix in store.database[name].list_indexes())
                for name in INDEXES}  # fmt: skip

    before = snapshot(mongo_store)
    again = mongo_store_opener()

    assert snapshot(again) == before
    assert again.schema_version() == SCHEMA_VERSION
    again.close()


def test_migrations_are_numbered_from_one_without_gaps() -> None:
    assert [m.version for m in MIGRATIONS] == list(range(1, len(MIGRATIONS) + 1))
    assert len(MIGRATIONS) == SCHEMA_VERSION


def test_a_newer_schema_is_refused_before_anything_is_touched(
    mongo_store: MongoStore, mongo_store_opener: Opener
) -> None:
    assert mongo_store.schema_version() == SCHEMA_VERSION
    mongo_store.database[META].update_one(
        {"_id": "schema"}, {"$set": {"version": SCHEMA_VERSION + 1}}
    )
    mongo_store.database.drop_collection(ALERTS)

    with pytest.raises(StoreError, match=r"schema version \d+, newer than"):
        mongo_store_opener()
    assert ALERTS not in mongo_store.database.list_collection_names()  # nothing was declared


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_unreachable_server_names_the_host_never_the_password() -> None:
    port = _closed_port()
    uri = f"mongodb://admin:Pa%24%24word-42@127.0.0.1:{port}/?authSource=admin"

    with pytest.raises(StoreUnavailableError) as caught:
        MongoStore.connect(uri, database="toothpick", log_retention_days=90, timeout_ms=300)

    text = "".join(traceback.format_exception(caught.value))
    assert f"127.0.0.1:{port}" in str(caught.value)
    assert "Pa$$word-42" not in text and "Pa%24%24word-42" not in text
    assert "admin:" not in text


def test_an_invalid_uri_is_a_store_error_without_the_password() -> None:
    uri = "mongodb://admin:hunter2@127.0.0.1:99999/"

    with pytest.raises(StoreError) as caught:
        MongoStore.connect(uri, database="toothpick", log_retention_days=90, timeout_ms=300)

    assert "hunter2" not in "".join(traceback.format_exception(caught.value))


def test_description_shows_host_and_database_only() -> None:
    uri = "mongodb://alice:s3cr%40t@db1.example:27017,db2.example:27018/admin?replicaSet=rs0"
    client: MongoClient[dict[str, Any]] = MongoClient(uri, connect=False)
    store = MongoStore(client, database="toothpick", hosts=hosts_of(uri), transactions=False)

    assert store.description == "MongoDB db1.example:27017,db2.example:27018/toothpick"
    assert "s3cr" not in repr(store)
    assert scrub(f"failed for {uri} (s3cr%40t, s3cr@t)", uri) == "failed for *** (***, ***)"
    store.close()


def test_upsert_in_many_batches_counts_exactly(
    mongo_store: MongoStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(upsert_module, "BATCH_SIZE", 7)
    conn = mongo_store.create_connection(connection())
    first = [write(f"c{i:03d}", {"n": i}) for i in range(50)]
    assert (
        mongo_store.upsert_records(ORG, conn.id, Entity.CONTACT, first, run_id="r1").created == 50
    )

    second = [write(f"c{i:03d}", {"n": i + (1 if i % 10 == 0 else 0)}) for i in range(45)]
    second += [write(f"c{i:03d}", {"n": i}, deleted=True) for i in range(45, 50)]
    result = mongo_store.upsert_records(ORG, conn.id, Entity.CONTACT, second, run_id="r2")

    assert (result.created, result.updated, result.unchanged, result.deleted) == (0, 5, 40, 5)
    assert mongo_store.count_records(ORG, conn.id) == {Entity.CONTACT: 45}
    history = mongo_store.record_history(ORG, conn.id, Entity.CONTACT, "c010")
    assert [(c.kind, c.before, c.after) for c in history] == [
        (ChangeKind.UPDATED, {"n": 10}, {"n": 11}),
        (ChangeKind.CREATED, None, {"n": 10}),
    ]
    listed = list(mongo_store.iter_records(ORG, conn.id, Entity.CONTACT, batch_size=4))
    assert [r.external_id for r in listed] == [f"c{i:03d}" for i in range(45)]


def test_an_edit_made_during_an_upsert_is_kept_and_counted_unchanged(
    mongo_store: MongoStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    conn = mongo_store.create_connection(connection())
    mongo_store.upsert_records(ORG, conn.id, Entity.CONTACT, [write("c1", {"n": 1})], run_id=None)
    plan = upsert_module._plan

    def edit_between_read_and_write(*args: Any, **kwargs: Any) -> Any:
        planned = plan(*args, **kwargs)
        now = datetime.now(UTC)
        mongo_store.set_local_change(ORG, conn.id, Entity.CONTACT, "c1", {"n": 9}, at=now)
        return planned

    monkeypatch.setattr(upsert_module, "_plan", edit_between_read_and_write)
    result = mongo_store.upsert_records(
        ORG, conn.id, Entity.CONTACT, [write("c1", {"n": 2})], run_id=None
    )

    assert (result.updated, result.unchanged) == (0, 1)
    record = mongo_store.get_records(ORG, conn.id, Entity.CONTACT, ["c1"])["c1"]
    assert (record.data, record.local_change) == ({"n": 9}, {"n": 9})
    kinds = [c.kind for c in mongo_store.record_history(ORG, conn.id, Entity.CONTACT, "c1")]
    assert kinds == [ChangeKind.LOCAL_EDIT, ChangeKind.CREATED]


def test_multi_document_writes_run_in_transactions_when_offered(
    request: pytest.FixtureRequest,
) -> None:
    """The replica-set path (`_atomic` with a session); the stand-in accepts transactions."""
    server, name = per_test_database(request)
    probe: MongoClient[dict[str, Any]] = MongoClient(server.uri, serverSelectionTimeoutMS=3000)
    hello = probe.admin.command("hello")
    probe.close()
    if not server.stand_in and "setName" not in hello and hello.get("msg") != "isdbgrid":
        pytest.skip("this MongoDB is a standalone server: it has no transactions")
    store = MongoStore.connect(server.uri, database=name, log_retention_days=90, transactions=True)
    conn = store.create_connection(connection())
    writes = [write("c1", {"n": 1}), write("c2", {"n": 2})]

    assert store.upsert_records(ORG, conn.id, Entity.CONTACT, writes, run_id=None).created == 2
    store.set_local_change(ORG, conn.id, Entity.CONTACT, "c1", {"n": 5}, at=T0)
    assert store.delete_connection(ORG, conn.id)
    assert store.get_records(ORG, conn.id, Entity.CONTACT, ["c1", "c2"]) == {}
    store.close()


def test_kpi_rows_join_both_pipelines_and_read_documented_shapes() -> None:
    """Hand-built `$group` output in MongoDB's documented shapes: compound `_id` with a
    `$dateTrunc` date, `$percentile` as a one-element list, error-only groups."""
    h0, h1 = datetime(2025, 3, 3, 0, tzinfo=UTC), datetime(2025, 3, 3, 1, tzinfo=UTC)
    sync = [
        {"_id": {"key": "sap", "bucket": h1}, "runs": 2, "succeeded": 1, "failed": 1,
         "avg_duration_ms": 15.0, "p95": [20.0], "records_moved": 7},
        {"_id": {"key": "odoo", "bucket": h0}, "runs": 1, "succeeded": 1, "failed": 0,
         "avg_duration_ms": None, "p95": [None], "records_moved": 0},
    ]  # fmt: skip
    errors = [
        {"_id": {"key": "sap", "bucket": h1}, "errors": 3},
        {"_id": {"key": None, "bucket": h0}, "errors": 1},
        {"_id": {"key": "sap", "bucket": h0}, "errors": 2},
    ]

    rows = kpi_rows(sync, errors, keyed=True, bucketed=True)

    assert [(r.key, r.bucket_start, r.runs, r.errors, r.p95_duration_ms) for r in rows] == [
        (None, h0, 0, 1, None),
        ("odoo", h0, 1, 0, None),
        ("sap", h0, 0, 2, None),
        ("sap", h1, 2, 3, 20.0),
    ]
    assert kpi_rows([], [{"_id": None, "errors": 4}], keyed=False, bucketed=False)[0].errors == 4
