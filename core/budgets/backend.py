"""Where vendor budgets live: Redis when REDIS_URL is set, else a SQLite file beside the store.

Both hold the same four things, keyed by vendor account: the sliding-window
buckets of pyrate-limiter (its RedisBucket runs one Lua script per call, its
SQLiteBucket takes a file lock, so every process on the machine sees one
window), a "paused until" time (a 429 told one worker to wait: all wait), the
circuit breaker's state, and the day's call counters. Why pyrate-limiter and
not `limits`: it has both a Redis and a multi-process SQLite backend with the
sliding-window log our hand-written limiter keeps (adapters.ratelimit says why
a log and not a token bucket); `limits` has no SQLite storage.

With MONGODB_URI and no REDIS_URL the file is per machine: workers on other
machines need REDIS_URL to share a budget (they need it for the queue anyway).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import orjson
from filelock import FileLock
from pyrate_limiter import AbstractBucket, Rate, RedisBucket, SQLiteBucket


class BudgetBackend(Protocol):
    def bucket(self, name: str, rates: Sequence[Rate]) -> AbstractBucket: ...

    def paused_until(self, account: str) -> float: ...

    def pause(self, account: str, until: float) -> None: ...

    def load(self, name: str) -> dict[str, Any] | None: ...

    def save(self, name: str, value: dict[str, Any], *, ttl_s: int) -> None: ...

    def add(self, amounts: Mapping[str, int], *, ttl_s: int) -> list[int]:
        """Add to counters (each created at 0), all at once; their new values, in order.
        One write per vendor call charges three counters: one transaction, not three."""
        ...

    def counters(self, names: Sequence[str]) -> list[int]: ...

    def close(self) -> None: ...


class RedisBackend:
    def __init__(self, url: str, *, namespace: str) -> None:
        import redis  # only with REDIS_URL: redis-py costs every worker ~19 MB resident

        self._client = redis.Redis.from_url(url, socket_timeout=5)
        self._prefix = f"{namespace}:budget:"

    def bucket(self, name: str, rates: Sequence[Rate]) -> AbstractBucket:
        bucket: AbstractBucket = RedisBucket.init(
            list(rates), self._client, self._prefix + "bucket:" + name
        )
        return bucket

    def paused_until(self, account: str) -> float:
        value = self._client.get(self._prefix + "pause:" + account)
        return float(value) if value else 0.0

    def pause(self, account: str, until: float) -> None:
        key = self._prefix + "pause:" + account
        # the later of two pauses wins; the key expires with it
        script = (
            "local v = tonumber(redis.call('GET', KEYS[1]) or '0') "
            "if tonumber(ARGV[1]) > v then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) end"
        )
        ttl_ms = max(1, int((until - _now()) * 1000) + 1000)
        self._client.eval(script, 1, key, repr(until), ttl_ms)

    def load(self, name: str) -> dict[str, Any] | None:
        raw = self._client.get(self._prefix + name)
        return orjson.loads(raw) if raw else None

    def save(self, name: str, value: dict[str, Any], *, ttl_s: int) -> None:
        self._client.set(self._prefix + name, orjson.dumps(value), ex=ttl_s)

    def add(self, amounts: Mapping[str, int], *, ttl_s: int) -> list[int]:
        with self._client.pipeline() as pipe:  # MULTI/EXEC: one round trip, all or none
            for counter, amount in amounts.items():
                key = self._prefix + "count:" + counter
                pipe.incrby(key, amount)
                pipe.expire(key, ttl_s)
            replies = pipe.execute()
        return [int(value) for value in replies[::2]]

    def counters(self, names: Sequence[str]) -> list[int]:
        if not names:
            return []
        values = self._client.mget([self._prefix + "count:" + n for n in names])
        return [int(v) if v else 0 for v in values]

    def close(self) -> None:
        self._client.close()


class FileBackend:
    """One SQLite file (WAL) for every process of this machine; writes under a file lock."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._path = str(path)
        self._file_lock = FileLock(self._path + ".values.lock", thread_local=False)
        self._lock = threading.Lock()
        with self._file_lock:
            self._db = sqlite3.connect(self._path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS budget_values "
                "(name TEXT PRIMARY KEY, value BLOB NOT NULL, expires REAL NOT NULL)"
            )

    def bucket(self, name: str, rates: Sequence[Rate]) -> AbstractBucket:
        table = "bucket_" + "".join(c if c.isalnum() else "_" for c in name)
        return SQLiteBucket.init_from_file(
            list(rates), table=table, db_path=self._path, use_file_lock=True
        )

    def paused_until(self, account: str) -> float:
        value = self.load("pause:" + account)
        return float(value["until"]) if value else 0.0

    def pause(self, account: str, until: float) -> None:
        with self._write():
            current = self._get("pause:" + account)
            if current is None or float(current["until"]) < until:
                self._put("pause:" + account, {"until": until}, expires=until + 1)

    def load(self, name: str) -> dict[str, Any] | None:
        with self._lock:
            return self._get(name)

    def save(self, name: str, value: dict[str, Any], *, ttl_s: int) -> None:
        with self._write():
            self._put(name, value, expires=_now() + ttl_s)

    def add(self, amounts: Mapping[str, int], *, ttl_s: int) -> list[int]:
        values = []
        with self._write():
            for counter, amount in amounts.items():
                current = self._get("count:" + counter)
                value = int(current["n"]) + amount if current else amount
                self._put("count:" + counter, {"n": value}, expires=_now() + ttl_s)
                values.append(value)
        return values

    def counters(self, names: Sequence[str]) -> list[int]:
        with self._lock:
            found = [self._get("count:" + n) for n in names]
        return [int(f["n"]) if f else 0 for f in found]

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # --- the table ------------------------------------------------------------------------

    def _write(self) -> _Locked:
        return _Locked(self._lock, self._file_lock, self._db)

    def _get(self, name: str) -> dict[str, Any] | None:
        row = self._db.execute(
            "SELECT value FROM budget_values WHERE name = ? AND expires > ?", (name, _now())
        ).fetchone()
        return orjson.loads(row[0]) if row else None

    def _put(self, name: str, value: dict[str, Any], *, expires: float) -> None:
        self._db.execute(
            "INSERT INTO budget_values (name, value, expires) VALUES (?, ?, ?) "
            "ON CONFLICT (name) DO UPDATE SET value = excluded.value, expires = excluded.expires",
            (name, orjson.dumps(value), expires),
        )


class _Locked:
    """This process's lock, then the machine's file lock, then one SQLite transaction."""

    def __init__(self, lock: threading.Lock, file_lock: FileLock, db: sqlite3.Connection) -> None:
        self._lock, self._file_lock, self._db = lock, file_lock, db

    def __enter__(self) -> None:
        self._lock.acquire()
        self._file_lock.acquire()
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: object, *_: object) -> None:
        try:
            self._db.execute("ROLLBACK" if kind is not None else "COMMIT")
        finally:
            self._file_lock.release()
            self._lock.release()


def _now() -> float:
    return time.time()
