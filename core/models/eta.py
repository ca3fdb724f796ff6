"""How far a running sync is and how long it has left: one reading, shown alike by the
dashboard and `toothpick sync --wait`.

Two grounds, the better first. The vendor's own count of the current entity's read, which
Salesforce (totalSize), HubSpot's search (total), SAP OData ($inlinecount), Oracle
(totalResults) and Odoo (search_count) give with the read's first page. Else the last
finished run of the same kind (full or incremental, not a dry run) on the connection.
With neither there is no percentage: a made-up one would be worse than none.

>>> extrapolate(done=250, expected=1000, elapsed_s=10.0)
(0.25, 30.0)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from core.models.common import Entity
from core.models.run import RunState, SyncRun
from core.wording import plural

# Below this share the rate so far says too little to extrapolate a time left from.
MIN_SHARE = 0.02
# A running run is never 100 % done: the last page, the push and the sweep still follow.
MAX_SHARE = 0.99


class Basis(StrEnum):
    VENDOR = "vendor"  # the vendor counted the current entity's read
    LAST_RUN = "last run"  # the last finished run of the same kind read this many


@dataclass(frozen=True)
class Forecast:
    share: float  # of `entity` (vendor basis) or of the whole run (last-run basis)
    seconds_left: float | None  # None while too little is done to tell
    basis: Basis
    expected: int  # the records that share is of
    entity: Entity | None = None


def extrapolate(*, done: int, expected: int, elapsed_s: float) -> tuple[float, float | None]:
    """(share done, seconds left) at the rate so far; the share stays below 1."""
    if expected <= 0:  # nothing to read: the rest (push, sweep) has no measure
        return MAX_SHARE, None
    share = min(max(done, 0) / expected, MAX_SHARE)
    if share < MIN_SHARE or elapsed_s <= 0:
        return share, None
    return share, elapsed_s * (1 - share) / share


def last_like(run: SyncRun, earlier: Iterable[SyncRun]) -> SyncRun | None:
    """The newest finished run of the same kind that moved records (newest first given)."""
    return next(
        (
            r
            for r in earlier
            if r.id != run.id
            and r.connection_id == run.connection_id
            and r.state is RunState.SUCCEEDED
            and not r.options.dry_run
            and r.options.full == run.options.full
            and r.totals.read + r.totals.pushed > 0
        ),
        None,
    )


def forecast(run: SyncRun, earlier: Iterable[SyncRun], *, now: datetime) -> Forecast | None:
    """The running run's share done and time left; None when there is no ground for one."""
    if run.state is not RunState.RUNNING or run.started_at is None:
        return None
    p = run.progress
    if p.entity_expected is not None and p.current_entity is not None:
        start = p.entity_started_at or run.started_at
        share, left = extrapolate(
            done=p.entity_read,
            expected=p.entity_expected,
            elapsed_s=(now - start).total_seconds(),
        )
        return Forecast(share, left, Basis.VENDOR, p.entity_expected, p.current_entity)
    like = last_like(run, earlier)
    if like is None:
        return None
    expected = like.totals.read + like.totals.pushed
    share, left = extrapolate(
        done=p.records, expected=expected, elapsed_s=(now - run.started_at).total_seconds()
    )
    return Forecast(share, left, Basis.LAST_RUN, expected)


def vendor_wait(run: SyncRun) -> str | None:
    """What the run is waiting on at the vendor, in words; None when it is not waiting."""
    if run.state is RunState.PAUSED:
        until = run.resume_after.strftime("%H:%M UTC") if run.resume_after else "later"
        return f"Waiting on the vendor: its quota is spent; the run resumes at {until}"
    if run.state is RunState.RUNNING and run.progress.waiting:
        return run.progress.waiting  # what it waits on right now, and why (the heartbeat's)
    waited = run.progress.rate_limit_wait_s
    if run.state is RunState.RUNNING and waited >= 0.1:
        return f"Waited {waited:.1f} s on the vendor's rate limit so far"
    return None


def in_words(found: Forecast) -> str:
    """ "contact: 25 % of 1,000 records (the vendor's count), about 30 s left".

    >>> in_words(Forecast(0.25, 30.0, Basis.VENDOR, 1000, Entity.CONTACT))
    "contact: 25 % of 1,000 records (the vendor's count), about 30 s left for contact"
    """
    share = f"{found.share * 100:.0f} %"
    if found.basis is Basis.VENDOR and found.entity is not None:
        what = found.entity.value
        words = f"{what}: {share} of {plural(found.expected, 'record')} (the vendor's count)"
        scope = f" for {what}"
    else:
        words = f"About {share} done (estimated from the last run of the same kind)"
        scope = ""
    if found.seconds_left is not None:
        words += f", about {span(found.seconds_left)} left{scope}"
    return words


def span(seconds: float) -> str:
    """A time left, as coarse as an estimate deserves.

    >>> span(8.4), span(95), span(4000)
    ('8 s', '2 min', '1.1 h')
    """
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
