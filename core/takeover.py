"""What the audit log says when a run starts a second (or later) attempt.

A run is attempted again when its worker stopped beating (killed, machine lost) and
another worker took it over, or when it resumes after a pause (vendor quota) or a
graceful hand-back. The worker's heartbeat stamps the progress with its id and time
and clears the id when it hands the run back, so the claimed run tells the two apart:
a worker id still there is a worker that never said goodbye.

>>> from datetime import UTC, datetime
>>> from core.models import RunProgress, SyncRun, System
>>> beat = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
>>> run = SyncRun(organisation_id="acme", connection_id="c1", system=System.HUBSPOT,
...     attempt=2, progress=RunProgress(worker_id="host:11", reported_at=beat))
>>> entry = attempt_entry(run, "host:22", now=beat.replace(minute=2), stale_after_s=60)
>>> print(entry.message[:88])
Attempt 2 taken over by worker host:22: worker host:11 stopped beating (last heartbeat 2
"""

from __future__ import annotations

from datetime import datetime

from core.models import LogEntry, LogLevel, LogStatus, Operation, SyncRun


def attempt_entry(
    run: SyncRun, worker_id: str, *, now: datetime, stale_after_s: float
) -> LogEntry | None:
    """The log entry for a claimed run's attempt; None for a first attempt."""
    if run.attempt <= 1:
        return None
    previous = run.progress.worker_id
    last = run.progress.reported_at
    metadata: dict[str, object] = {"attempt": run.attempt, "worker": worker_id}
    if previous is not None:
        since = f"{(now - last).total_seconds():.0f} s before" if last else "time unknown"
        when = f"{last:%Y-%m-%d %H:%M:%S} UTC, {since}" if last else since
        message = (
            f"Attempt {run.attempt} taken over by worker {worker_id}: worker {previous} "
            f"stopped beating (last heartbeat {when}; a run is taken over after "
            f"{stale_after_s:.0f} s without one). It resumes from the last checkpoint; "
            "the counts include every attempt."
        )
        level, status = LogLevel.WARNING, LogStatus.WARNING
        metadata |= {
            "taken_over_from": previous,
            "last_heartbeat": last.isoformat() if last else None,
            "stale_after_s": stale_after_s,
        }
    else:
        message = (
            f"Attempt {run.attempt} by worker {worker_id}: the run resumes from its last "
            "checkpoint; the counts include every attempt."
        )
        level, status = LogLevel.INFO, LogStatus.STARTED
    return LogEntry(
        time=now,
        organisation_id=run.organisation_id,
        connection_id=run.connection_id,
        system=run.system,
        run_id=run.id,
        operation=Operation.SYNC,
        level=level,
        status=status,
        message=message,
        metadata=metadata,
    )


def handed_back_entry(run: SyncRun, worker_id: str, *, now: datetime) -> LogEntry:
    """The log entry of a run a worker gave back to the queue as it shut down."""
    return LogEntry(
        time=now,
        organisation_id=run.organisation_id,
        connection_id=run.connection_id,
        system=run.system,
        run_id=run.id,
        operation=Operation.SYNC,
        level=LogLevel.INFO,
        status=LogStatus.SKIPPED,
        message=(
            f"Worker {worker_id} is shutting down: attempt {run.attempt} stopped after its "
            "last stored page and the run went back to the queue; the next worker resumes "
            "it from that checkpoint."
        ),
        metadata={"attempt": run.attempt, "worker": worker_id, "handed_back": True},
    )
