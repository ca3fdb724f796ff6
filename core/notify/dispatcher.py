"""The thread that empties the notification outbox in every worker process.

A plain loop rather than a scheduler job: it has one call to make every few
seconds and must keep making it whatever a delivery does. Many processes may
run one each; the store's claim (with a lease) hands every notification to one.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class Dispatcher:
    def __init__(self, deliver_due: Callable[[], int], *, interval_s: float = 5.0) -> None:
        self._deliver_due = deliver_due
        self._interval_s = interval_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> Dispatcher:
        self._thread = threading.Thread(target=self._loop, name="notifications", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def __enter__(self) -> Dispatcher:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _loop(self) -> None:
        while not self._stop.wait(self._interval_s):
            try:
                while self._deliver_due() and not self._stop.is_set():
                    pass  # a full batch went out: there may be more
            except Exception:  # the store may be briefly unavailable; try again next tick
                log.exception("notification delivery round failed")
