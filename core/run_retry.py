"""Failed runs retried later, with exponential backoff and jitter, up to a limit.

A run that failed for a reason that may pass (a vendor down, timeouts, an open
circuit: category `transient`) is not ended: it is paused until
`now + backoff`, keeps its checkpoint, and the next claim resumes it, in the
embedded worker (the claim takes paused runs whose time came) and in Redis
mode (a delayed message, and `republish_due` if that message is lost). After
`max_retries` retries it is marked failed with its error and category. A
spent quota is a pause, never counted here. Configuration, data and internal
failures are not retried: the same run would fail the same way.

The delay is the adapters' own full-jitter backoff (`adapters.retry`), with
the run's base and cap: uniform in [0, min(cap, base * 2**(retry-1))].
Why not tenacity, which the notification outbox uses: a run's retry is not a
loop around a call in one process; it is a row in the store that any worker
may pick up, so all we need from a library is one delay, which we have.

    >>> delay_s(1, base_s=30, cap_s=1800, rand=lambda: 1.0)
    30.0
    >>> delay_s(4, base_s=30, cap_s=1800, rand=lambda: 1.0)
    240.0
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from adapters.retry import RetryPolicy, backoff_delay
from core.errors import FailureCategory
from core.models import Connection, RunState, SyncRun
from core.schemas import RunOutcome
from core.settings import Settings

RETRIED = frozenset({FailureCategory.TRANSIENT})


def delay_s(retry: int, *, base_s: float, cap_s: float, rand: Callable[[], float]) -> float:
    policy = RetryPolicy(base_delay_s=base_s, max_delay_s=cap_s)
    return backoff_delay(retry, policy, rand)


def max_retries(connection: Connection, settings: Settings) -> int:
    own = connection.run_limits.max_retries
    return own if own is not None else settings.run_max_retries


def plan_retry(
    run: SyncRun,
    connection: Connection | None,
    outcome: RunOutcome,
    settings: Settings,
    *,
    now: datetime,
    rand: Callable[[], float] = random.random,
) -> RunOutcome | None:
    """The paused outcome that retries this failed run later, or None to let it fail."""
    if (
        connection is None
        or outcome.state is not RunState.FAILED
        or outcome.error_category not in RETRIED
        or outcome.needs_reconnect
        or run.options.dry_run
        or run.retries >= max_retries(connection, settings)
    ):
        return None
    retry = run.retries + 1
    base, cap = settings.run_retry_base_s, settings.run_retry_max_s
    wait = delay_s(retry, base_s=base, cap_s=cap, rand=rand)
    at = now + timedelta(seconds=wait)
    limit = max_retries(connection, settings)
    return replace(
        outcome,
        state=RunState.PAUSED,
        resume_after=at,
        error=f"Retry {retry} of {limit} at {at:%H:%M:%S} UTC after: {outcome.error}",
    )
