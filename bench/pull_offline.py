"""The pull path without the network: vendor answers mapped, hashed and stored in one thread.

bench/pull_cpu_bench.py --offline. A whole sync's CPU per record moves by a tenth or more
with the load of a shared two-core machine (the sandbox, other processes); this leg takes
the vendor's answers out of it. One adapter read of the bench entity is recorded (every
answer as the adapter received it), then each repetition turns the answers into pages
(`records`, `complete_records`, `to_page`, as BaseAdapter.read does), builds each record's
write with its content hash (as a pull decides a record it has never seen) and upserts the
pages into a fresh SQLite store: the minimum CPU of the repetitions, per record, and a
digest of what was stored.
"""

from __future__ import annotations

import hashlib
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.sync_bench import _adapter
from bench.systems import BenchSystem
from sandbox.testing import RunningSandbox


def recorded_answers(prof: BenchSystem, sandbox: RunningSandbox) -> tuple[Any, list[Any]]:
    """The adapter and every answer of one full read of the bench entity."""
    adapter = _adapter(prof, sandbox)
    answers: list[Any] = []
    send = adapter.send_page

    def keep(spec: Any, request: Any) -> Any:
        answers.append(send(spec, request))
        return answers[-1]

    adapter.send_page = keep
    for _ in adapter.read(prof.entity, since=None, resume=None):
        pass
    adapter.send_page = send
    return adapter, answers


def offline_cpu(prof: BenchSystem, sandbox: RunningSandbox, *, repeat: int) -> dict[str, Any]:
    from core.gc_tuning import tune_collector
    from core.models import Connection, Organisation, RecordWrite, content_hash
    from core.store.sqlite.store import SqliteStore

    tune_collector()  # as in a worker process (core.worker.tune_process)

    adapter, answers = recorded_answers(prof, sandbox)
    spec, fields = adapter.spec(prof.entity), adapter.field_map(prof.entity)
    best, digest, records = float("inf"), "", 0
    for _ in range(repeat):
        path = Path(tempfile.mkdtemp(prefix="pull-offline-")) / "toothpick.db"
        store = SqliteStore.open(path)
        store.ensure_organisation(Organisation(id="bench", name="Bench"))
        connection = store.create_connection(
            Connection(
                organisation_id="bench", system=prof.case.system, name="offline",
                config={}, sealed_secret="unsealed", entities=[prof.entity],
            )
        )  # fmt: skip
        records = 0
        start = time.process_time()
        for answer in answers:
            raw = adapter.complete_records(spec, adapter.records(spec, answer))
            page = adapter.to_page(spec, fields, raw)
            writes = [
                RecordWrite(
                    external_id=r.external_id, data=r.data, content_hash=content_hash(r.data),
                    source_created_at=r.created_at, source_updated_at=r.updated_at,
                    deleted=r.deleted,
                )
                for r in page.records
            ]  # fmt: skip
            store.upsert_records("bench", connection.id, prof.entity, writes, run_id="offline")
            records += len(page.records)
        best = min(best, (time.process_time() - start) / max(records, 1))
        store.close()
        digest = fingerprint(path)
    return {"us_per_record": best * 1e6, "records": records, "digest": digest}


def fingerprint(db_path: Path) -> str:
    """What the sync stored, independent of when it ran (synced_at, run ids and change
    times are left out; everything a vendor record became is in)."""
    digest = hashlib.sha256()
    with sqlite3.connect(db_path) as db:
        rows = db.execute(
            "SELECT s.entity, r.external_id, r.data, r.content_hash, r.source_created_at, "
            "r.source_updated_at, r.deleted, r.version FROM records AS r "
            "JOIN record_streams AS s ON s.id = r.stream ORDER BY s.entity, r.external_id"
        )
        for row in rows:
            digest.update(repr(row).encode())
        changes = db.execute(
            "SELECT s.entity, c.external_id, c.kind, c.before, c.after FROM record_changes AS c "
            "JOIN record_streams AS s ON s.id = c.stream ORDER BY s.entity, c.external_id, c.seq"
        )
        for row in changes:
            digest.update(repr(row).encode())
    return digest.hexdigest()
