"""Small iteration helpers: batches (Python 3.11 has no itertools.batched), read-ahead."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any, TypeVar

T = TypeVar("T")


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of at most `size` items; streams, never materialises `items`."""
    if size < 1:
        raise ValueError("size must be at least 1")
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


class ReadAhead(Iterator[T]):
    """Iterate `source` on a helper thread, at most `depth` items ahead of the consumer.

    The sync engine stores one page while the adapter fetches the next: the
    vendor's answer time and our own work overlap instead of adding up. Items
    arrive in order; an exception raised by `source` is raised by `next()` in
    its place. `close()` stops the helper after its current item and closes
    `source` on that thread.

        with closing(ReadAhead(adapter.read(entity, since=None, resume=None))) as pages:
            for page in pages: ...
    """

    def __init__(self, source: Iterator[T], *, depth: int = 1, name: str = "read-ahead") -> None:
        self._queue: queue.SimpleQueue[tuple[str, Any]] = queue.SimpleQueue()
        self._slots = threading.Semaphore(depth)  # taken before producing, given back on next()
        self._stop = threading.Event()
        self._done = False
        self._thread = threading.Thread(
            target=self._produce, args=(source,), name=name, daemon=True
        )
        self._thread.start()

    def _produce(self, source: Iterator[T]) -> None:
        try:
            while self._wait_for_slot():
                try:
                    item = next(source)
                except StopIteration:
                    self._queue.put(("end", None))
                    return
                self._queue.put(("item", item))
        except BaseException as exc:  # handed to the consumer, who raises it
            self._queue.put(("error", exc))
        finally:
            close = getattr(source, "close", None)
            if close is not None:
                close()

    def _wait_for_slot(self) -> bool:
        while not self._stop.is_set():
            if self._slots.acquire(timeout=0.05):
                return not self._stop.is_set()
        return False

    def __next__(self) -> T:
        if self._done:
            raise StopIteration
        kind, value = self._queue.get()
        if kind == "item":
            self._slots.release()
            return value  # type: ignore[no-any-return]
        self._done = True
        if kind == "error":
            raise value
        raise StopIteration

    def close(self) -> None:
        """Stop the helper; it finishes at most its current item (a vendor call) on its own."""
        self._done = True
        self._stop.set()
        self._thread.join(timeout=0.5)
