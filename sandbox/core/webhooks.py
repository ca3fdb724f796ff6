"""Outbound webhooks: change events out of the event loop, signed by each vendor.

Writes (through a simulator's API or the control API) emit `ChangeEvent`s. If the
tenant has webhook targets, the events are queued and a background thread
collects them for a short window, asks the vendor to turn them into HTTP
requests (`Vendor.webhook_requests`: its payload shape, its batching, its
signature) and sends them, retrying failed deliveries a few times. Responses to
the simulated API never wait for a webhook.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from itertools import count
from typing import Any, Literal

import requests

from sandbox.core.clock import now_ms

log = logging.getLogger(__name__)

ChangeKind = Literal["created", "updated", "deleted"]


@dataclass(frozen=True, slots=True)
class ChangeEvent:
    system: str
    tenant: str
    object: str
    record_id: str
    kind: ChangeKind
    occurred_ms: int
    fields: Mapping[str, Any]
    changed: tuple[str, ...] = ()
    previous: Mapping[str, Any] | None = None
    source: str = "api"
    sequence: int = 0


@dataclass(frozen=True, slots=True)
class WebhookTarget:
    """Where one tenant's changes go. `events` and `options` mean what the vendor says."""

    id: str
    system: str
    tenant: str
    url: str
    secret: str | None = None
    events: tuple[str, ...] = ()
    options: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "system": self.system,
            "tenant": self.tenant,
            "url": self.url,
            "events": list(self.events),
            "options": dict(self.options),
            "has_secret": self.secret is not None,
        }


@dataclass(frozen=True, slots=True)
class OutboundRequest:
    method: str
    url: str
    headers: Mapping[str, str]
    body: bytes


@dataclass(frozen=True, slots=True)
class Delivery:
    target_id: str
    system: str
    tenant: str
    url: str
    events: int
    attempt: int
    status: int | None
    error: str | None
    sent_at_ms: int
    headers: Mapping[str, str]
    body: str


Renderer = Callable[[WebhookTarget, list[ChangeEvent]], list[OutboundRequest]]


class WebhookDispatcher:
    BATCH_WINDOW_S = 0.05
    ATTEMPTS = 3

    def __init__(self, renderers: Mapping[str, Renderer], *, enabled: bool = True) -> None:
        self._renderers = dict(renderers)
        self._enabled = enabled
        self._targets: dict[str, WebhookTarget] = {}
        self._lock = threading.Lock()  # targets change on the loop, are read on the sender
        self._ids = count(1)
        self._sequence = count(1)
        self._queue: queue.Queue[ChangeEvent | None] = queue.Queue()
        self._deliveries: deque[Delivery] = deque(maxlen=2000)
        self._thread: threading.Thread | None = None
        self._session = requests.Session()
        self._idle = threading.Event()
        self._idle.set()

    # --- configuration (event-loop thread) ------------------------------------------

    def subscribe(
        self,
        system: str,
        tenant: str,
        url: str,
        *,
        secret: str | None = None,
        events: tuple[str, ...] = (),
        options: Mapping[str, Any] | None = None,
    ) -> WebhookTarget:
        target = WebhookTarget(
            f"w{next(self._ids)}", system, tenant, url, secret, events, dict(options or {})
        )
        with self._lock:
            self._targets[target.id] = target
        return target

    def unsubscribe(self, target_id: str) -> bool:
        with self._lock:
            return self._targets.pop(target_id, None) is not None

    def targets(self, system: str | None = None, tenant: str | None = None) -> list[WebhookTarget]:
        with self._lock:
            every = list(self._targets.values())
        return [
            t
            for t in every
            if (system is None or t.system == system) and (tenant is None or t.tenant == tenant)
        ]

    def clear(self, system: str, tenant: str) -> None:
        for target in self.targets(system, tenant):
            self.unsubscribe(target.id)

    def emit(self, event: ChangeEvent) -> None:
        """Queue an event if anyone listens to its tenant; never blocks."""
        if not self._enabled or not self.targets(event.system, event.tenant):
            return
        self._idle.clear()
        self._queue.put(event)

    def deliveries(self, system: str | None = None, tenant: str | None = None) -> list[Delivery]:
        return [
            d
            for d in list(self._deliveries)
            if (system is None or d.system == system) and (tenant is None or d.tenant == tenant)
        ]

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until every queued event has been delivered (or given up on)."""
        return self._idle.wait(timeout)

    def next_sequence(self) -> int:
        return next(self._sequence)

    # --- delivery thread ------------------------------------------------------------

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="sandbox-webhooks", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=5)
            self._thread = None

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            deadline = time.monotonic() + self.BATCH_WINDOW_S
            stop = False
            while (remaining := deadline - time.monotonic()) > 0:
                try:
                    item = self._queue.get(timeout=remaining)
                except queue.Empty:
                    break
                if item is None:
                    stop = True
                    break
                batch.append(item)
            try:
                self._deliver(batch)
            except Exception:
                log.exception("webhook delivery failed")
            if self._queue.empty():
                self._idle.set()
            if stop:
                return

    def _deliver(self, batch: list[ChangeEvent]) -> None:
        for target in self.targets():
            events = [e for e in batch if e.system == target.system and e.tenant == target.tenant]
            render = self._renderers.get(target.system)
            if not events or render is None:
                continue
            for outbound in render(target, events):
                self._send(target, outbound, len(events))

    def _send(self, target: WebhookTarget, outbound: OutboundRequest, events: int) -> None:
        for attempt in range(1, self.ATTEMPTS + 1):
            status: int | None = None
            error: str | None = None
            try:
                response = self._session.request(
                    outbound.method,
                    outbound.url,
                    headers=dict(outbound.headers),
                    data=outbound.body,
                    timeout=5,
                )
                status = response.status_code
            except requests.RequestException as exc:
                error = type(exc).__name__
            self._deliveries.append(
                Delivery(
                    target.id,
                    target.system,
                    target.tenant,
                    outbound.url,
                    events,
                    attempt,
                    status,
                    error,
                    now_ms(),
                    dict(outbound.headers),
                    outbound.body.decode("utf-8", "replace")[:20_000],
                )
            )
            if status is not None and 200 <= status < 300:
                return
            time.sleep(0.2 * attempt)
