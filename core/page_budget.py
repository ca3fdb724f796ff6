"""The pages one worker process holds between fetching and storing, over all its runs.

Memory stays flat however many streams run only if every page fetched counts.
Two kinds of holder take tokens:

- a stream's read-ahead (core.iterables.ReadAhead) waits for a token before it
  fetches the page its stream needs next, and gives it back once that page is
  stored;
- a page fetched ahead of its turn (adapters.prefetch) only takes a *spare*
  token: never waiting, never while a read-ahead waits, never one of the last
  `reserve` tokens. With none spare, the page is fetched when its turn comes.

Why the reserve: a stream's pages fetched ahead keep their tokens while its
generator is suspended between pages, and they are only given back once its
read-ahead gets a token for the next page. If pages fetched ahead could take
every token, every read-ahead would wait for a token only they can free: a
deadlock (it happened, commit ebe8528). Tokens a read-ahead holds always come
back (a consumer stores its page without waiting for anything here), and pages
fetched ahead never hold the reserve, so a waiting read-ahead always gets one.

    budget = PageBudget(32)
    budget.acquire(timeout=0.05)   # a read-ahead, before fetching its next page
    budget.take_spare()            # a page fetched ahead: True, or fetch it in its turn
    budget.release()               # either, when its page is done with
"""

from __future__ import annotations

import threading
import time


class PageBudget:
    def __init__(self, pages: int, *, reserve: int | None = None) -> None:
        if pages < 1:
            raise ValueError("a page budget needs at least one page")
        self.pages = pages
        # a quarter kept for the read-aheads (at least one: the deadlock above)
        self.reserve = max(1, pages // 4) if reserve is None else reserve
        if not 1 <= self.reserve <= pages:
            raise ValueError("the reserve must be between 1 and the budget's pages")
        self._free = pages
        self._waiting = 0
        self._changed = threading.Condition(threading.Lock())

    @property
    def free(self) -> int:
        return self._free

    def acquire(self, blocking: bool = True, timeout: float | None = None) -> bool:
        """A token for the page a stream needs next; False if none came within `timeout`."""
        with self._changed:
            if self._free > 0:
                self._free -= 1
                return True
            if not blocking:
                return False
            deadline = None if timeout is None else time.monotonic() + timeout
            self._waiting += 1
            try:
                while self._free == 0:
                    left = None if deadline is None else deadline - time.monotonic()
                    if left is not None and left <= 0:
                        return False
                    self._changed.wait(left)
                self._free -= 1
                return True
            finally:
                self._waiting -= 1

    def take_spare(self) -> bool:
        """A token for a page fetched ahead of its turn, if one is spare (see above)."""
        with self._changed:
            if self._waiting or self._free <= self.reserve:
                return False
            self._free -= 1
            return True

    def release(self) -> None:
        with self._changed:
            if self._free >= self.pages:
                raise ValueError("a page budget token was given back twice")
            self._free += 1
            self._changed.notify()
