"""Small iteration helpers: batches (Python 3.11 has no itertools.batched), read-ahead."""

from __future__ import annotations

import contextvars
import queue
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any, TypeVar

from core.page_budget import PageBudget
from core.small_first import StopSignal

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

    def __init__(
        self,
        source: Iterator[T],
        *,
        depth: int = 1,
        name: str = "read-ahead",
        budget: PageBudget | None = None,
        size: Callable[[T], int] | None = None,
        first_size: int = 0,
    ) -> None:
        self._queue: queue.SimpleQueue[tuple[str, Any]] = queue.SimpleQueue()
        # taken before producing, given back on next() (and by close(), to wake the helper)
        self._slots = threading.Semaphore(depth)
        # Shared by every stream of a process: items fetched and not yet finished with (a
        # share is taken before fetching, given back when the consumer asks for the next
        # item), so memory stays flat however many streams run.
        self._budget = budget
        # The size of the last item (records in a page): what the next one takes of the
        # budget, and so its place in the budget's line (small ones first). Before the
        # first, `first_size` where the source knows it (0: the budget's guess).
        self._size = size
        self._last_size = first_size
        # the budget's records held (and whether from its small pages' own), oldest first
        self._held: deque[tuple[int, bool]] = deque()
        self._held_lock = threading.Lock()
        self._stop = StopSignal()  # wakes the helper where it waits for the page budget
        self._done = False
        self._consumed = False
        # The helper runs in a copy of the creator's context: what the creator's context
        # says (the entity whose calls these are: adapters.budget) holds for `source` too.
        self._thread = threading.Thread(
            target=contextvars.copy_context().run,
            args=(self._produce, source),
            name=name,
            daemon=True,
        )
        self._thread.start()

    def _produce(self, source: Iterator[T]) -> None:
        try:
            while self._wait_for_slot():
                try:
                    # straight into the queue: a local would hold the item while this
                    # thread waits for the next slot, outside the page budget
                    self._queue.put(("item", self._sized(next(source))))
                except StopIteration:
                    self._give_back_newest()
                    self._queue.put(("end", None))
                    return
        except BaseException as exc:  # handed to the consumer, who raises it
            self._give_back_newest()
            self._queue.put(("error", exc))
        finally:
            close = getattr(source, "close", None)
            if close is not None:
                close()

    def _sized(self, item: T) -> T:
        if self._size is not None:
            self._last_size = self._size(item)
        return item

    def _wait_for_slot(self) -> bool:
        self._slots.acquire()
        return not self._stop.is_set() and self._wait_for_budget()

    def _wait_for_budget(self) -> bool:
        if self._budget is None:
            return True
        weight = self._budget.weight(self._last_size)
        if self._budget.take_small(weight):
            with self._held_lock:
                self._held.append((weight, True))
            return True
        if not self._budget.acquire(weight=weight, stream=self, stop=self._stop):
            return False  # stopped
        with self._held_lock:
            self._held.append((weight, False))
        if self._stop.is_set():
            self._give_back_newest()
            return False
        return True

    def _give_back(self, count: int) -> None:
        """The shares of the `count` oldest items held (the consumer is done with them)."""
        with self._held_lock:
            held = [self._held.popleft() for _ in range(min(count, len(self._held)))]
        for share in held:
            self._release(*share)

    def _give_back_newest(self) -> None:
        """The share just taken for an item that did not come (the source ended or failed)."""
        with self._held_lock:
            share = self._held.pop() if self._held else None
        if share is not None:
            self._release(*share)

    def _release(self, weight: int, small: bool) -> None:
        if self._budget is None:  # nothing is held without a budget
            return
        if small:
            self._budget.release_small(weight)
        else:
            self._budget.release(weight)

    def __next__(self) -> T:
        if self._done:
            raise StopIteration
        if self._consumed:
            self._give_back(1)  # the consumer is done with the item it had
        kind, value = self._queue.get()
        self._consumed = kind == "item"
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
        self._slots.release()  # wakes the helper if it waits for the consumer
        self._thread.join(timeout=0.5)
        self._give_back(len(self._held))  # what is queued or was fetched is dropped
