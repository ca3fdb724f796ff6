"""One retry policy for every channel, by tenacity (why not by hand: its stop,
wait and retry predicates say the policy in one expression and are tested).

Within one delivery: up to 3 attempts, exponential backoff with jitter, only
for retriable errors. Across deliveries: a notification still failing goes
back to the outbox with `next_delay(attempts)` (30 s doubling to one hour,
jittered), and is given up after `MAX_DELIVERIES`.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from tenacity import (
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)

from core.models import ChannelKind
from core.notify.senders import DeliveryError, Message, send

MAX_DELIVERIES = 8


def _retriable(exc: BaseException) -> bool:
    return isinstance(exc, DeliveryError) and exc.retriable


def deliver(
    kind: ChannelKind,
    config: dict[str, Any],
    secret: dict[str, str],
    message: Message,
    *,
    attempts: int = 3,
    initial_wait_s: float = 0.5,
    ca_file: str | None = None,
) -> None:
    """Send, retrying retriable failures; the last DeliveryError is raised."""
    for attempt in Retrying(
        stop=stop_after_attempt(attempts),
        wait=wait_exponential_jitter(multiplier=initial_wait_s, max=5.0),
        retry=retry_if_exception(_retriable),
        reraise=True,
    ):
        with attempt:
            send(kind, config, secret, message, ca_file=ca_file)


def next_delay(deliveries: int) -> timedelta:
    """Before the next delivery of a notification that failed `deliveries` times."""
    base = min(30.0 * 2 ** max(deliveries - 1, 0), 3600.0)
    return timedelta(seconds=base * random.uniform(0.8, 1.2))
