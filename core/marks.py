"""Shared marks: replay fingerprints and rate-limit windows that every process sees.

Several API processes (uvicorn workers, or replicas behind a balancer) must refuse
a webhook replayed to a sibling and hold one rate limit per key between them, so
the state lives where they all are: Redis when REDIS_URL is set (SET NX EX and
INCR with EXPIRE, one round trip each), otherwise the store (a `marks` table or
collection, see core/store/*/sessions.py).

Why by hand and not `limits`/slowapi: that library has Redis and MongoDB storage
but no SQLite, our default; the window below is twenty lines over three store calls.

The rate limit is a sliding-window estimate (Cloudflare's): the current minute's
count plus the previous minute's weighted by how much of it still overlaps the
last 60 seconds. It needs two counters per key instead of one timestamp per
request, and it cannot be gamed at a window boundary the way a fixed window can.
Refused requests count too, so a client that keeps hammering stays refused.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Protocol

from core.settings import Settings
from core.store.base import Store


class Marks(Protocol):
    def first_time(self, names: Sequence[str], window_s: float) -> bool:
        """Mark every name for `window_s`; False (marking none) if one was marked already."""
        ...

    def hit(self, name: str, window_s: float) -> int:
        """Count one more in the named window (which lasts `window_s`); the new count."""
        ...

    def peek(self, name: str) -> int: ...


class StoreMarks:
    def __init__(self, store: Store, *, clock: Callable[[], float] = time.time) -> None:
        self._store, self._clock = store, clock

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self._clock(), UTC)

    def first_time(self, names: Sequence[str], window_s: float) -> bool:
        now = self._now()
        return self._store.add_marks(names, expires_at=now + timedelta(seconds=window_s), now=now)

    def hit(self, name: str, window_s: float) -> int:
        now = self._now()
        return self._store.count_mark(name, expires_at=now + timedelta(seconds=window_s), now=now)

    def peek(self, name: str) -> int:
        return self._store.read_mark(name, now=self._now())


class RedisMarks:
    def __init__(self, redis_url: str, *, namespace: str) -> None:
        import redis

        self._redis = redis.Redis.from_url(redis_url, socket_timeout=5)
        self._prefix = f"{namespace}:marks:"

    def first_time(self, names: Sequence[str], window_s: float) -> bool:
        ttl = max(1, math.ceil(window_s))
        unique = list(dict.fromkeys(names))
        pipe = self._redis.pipeline(transaction=True)
        for name in unique:
            pipe.set(self._prefix + name, 1, nx=True, ex=ttl)
        added = pipe.execute()
        if all(added):
            return True
        # One was known: undo the ones this call added, so "marking none" holds.
        fresh = [self._prefix + n for n, ok in zip(unique, added, strict=True) if ok]
        if fresh:
            self._redis.delete(*fresh)
        return False

    def hit(self, name: str, window_s: float) -> int:
        pipe = self._redis.pipeline(transaction=True)
        pipe.incr(self._prefix + name)
        pipe.expire(self._prefix + name, max(1, math.ceil(window_s)), nx=True)
        count, _ = pipe.execute()
        return int(count)

    def peek(self, name: str) -> int:
        value = self._redis.get(self._prefix + name)
        return int(value) if value is not None else 0

    def close(self) -> None:
        self._redis.close()


def open_marks(settings: Settings, store: Store) -> Marks:
    if settings.redis_url is not None:
        return RedisMarks(settings.redis_url.get_secret_value(), namespace=settings.queue_namespace)
    return StoreMarks(store)


class SlidingWindowLimit:
    """At most about `per_minute` requests per key in any 60 seconds, across processes."""

    def __init__(
        self, marks: Marks, *, window_s: float = 60.0, clock: Callable[[], float] = time.time
    ) -> None:
        self._marks, self._window, self._clock = marks, window_s, clock

    def acquire(self, key: str, per_minute: int) -> float | None:
        """None if allowed; otherwise the seconds to wait before trying again."""
        now = self._clock()
        index = math.floor(now / self._window)
        current = self._marks.hit(f"rate:{key}:{index}", 2 * self._window)
        previous = self._marks.peek(f"rate:{key}:{index - 1}")
        overlap = 1.0 - (now - index * self._window) / self._window
        if previous * overlap + current <= per_minute:
            return None
        until_window_end = (index + 1) * self._window - now
        if previous == 0:
            return until_window_end
        # The previous window's weight decays linearly; wait until the excess has gone.
        excess = previous * overlap + current - per_minute
        return min(until_window_end, excess * self._window / previous)
