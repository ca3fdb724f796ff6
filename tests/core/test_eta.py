"""Live progress's arithmetic (core.models.eta): share done, time left, and its grounds."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.cli.sync import follow_fields
from core.clock import utcnow
from core.models import Entity, EntityCounts, RunProgress, RunState, SyncOptions, SyncRun, eta

NOW = utcnow()


def run(*, state: RunState = RunState.RUNNING, full: bool = False, **progress: object) -> SyncRun:
    return SyncRun(
        organisation_id="org",
        connection_id="conn",
        system="salesforce",
        state=state,
        options=SyncOptions(full=full),
        started_at=NOW - timedelta(seconds=20),
        progress=RunProgress(**progress),
    )


def finished(read: int, *, full: bool = False, dry_run: bool = False, connection: str = "conn"):
    return SyncRun(
        organisation_id="org",
        connection_id=connection,
        system="salesforce",
        state=RunState.SUCCEEDED,
        options=SyncOptions(full=full, dry_run=dry_run),
        counts={Entity.CONTACT: EntityCounts(read=read)},
    )


def test_extrapolation_at_the_rate_so_far() -> None:
    assert eta.extrapolate(done=250, expected=1000, elapsed_s=10) == (0.25, 30.0)
    assert eta.extrapolate(done=10, expected=1000, elapsed_s=10) == (0.01, None)  # too early
    assert eta.extrapolate(done=1200, expected=1000, elapsed_s=10)[0] == eta.MAX_SHARE
    assert eta.extrapolate(done=0, expected=0, elapsed_s=10) == (eta.MAX_SHARE, None)


@given(
    done=st.integers(min_value=-5, max_value=10**9),
    expected=st.integers(min_value=-5, max_value=10**9),
    elapsed=st.floats(min_value=-10, max_value=1e7, allow_nan=False),
)
def test_the_share_stays_below_one_and_the_time_left_is_never_negative(
    done: int, expected: int, elapsed: float
) -> None:
    share, left = eta.extrapolate(done=done, expected=expected, elapsed_s=elapsed)
    assert 0 <= share <= eta.MAX_SHARE
    assert left is None or left >= 0


def test_the_vendors_count_comes_first_and_is_of_the_current_entity() -> None:
    live = run(
        current_entity=Entity.CONTACT,
        records=900,
        entity_read=400,
        entity_expected=1000,
        entity_started_at=NOW - timedelta(seconds=8),
    )
    found = eta.forecast(live, [finished(5000)], now=NOW)
    assert found is not None and found.basis is eta.Basis.VENDOR
    assert (found.share, found.entity) == (0.4, Entity.CONTACT)
    assert found.seconds_left == pytest.approx(12.0)
    assert eta.in_words(found) == (
        "contact: 40 % of 1,000 records (the vendor's count), about 12 s left for contact"
    )


def test_elsewhere_the_last_like_run_of_the_connection_is_the_ground() -> None:
    live = run(records=250)
    earlier = [
        finished(9999, full=True),  # another kind
        finished(9999, dry_run=True),  # wrote nothing
        finished(9999, connection="other"),
        finished(1000),
    ]
    found = eta.forecast(live, earlier, now=NOW)
    assert found is not None and found.basis is eta.Basis.LAST_RUN
    assert (found.share, found.expected) == (0.25, 1000)
    assert found.seconds_left == pytest.approx(60.0)
    assert eta.in_words(found).startswith("About 25 % done (estimated from the last run")


def test_no_ground_no_percentage() -> None:
    assert eta.forecast(run(records=50), [finished(0)], now=NOW) is None
    assert eta.forecast(run(state=RunState.QUEUED), [finished(100)], now=NOW) is None


def test_waiting_on_the_vendor_is_said() -> None:
    paused = run(state=RunState.PAUSED).model_copy(
        update={"resume_after": NOW.replace(hour=14, minute=5)}
    )
    assert eta.vendor_wait(paused) == (
        "Waiting on the vendor: its quota is spent; the run resumes at 14:05 UTC"
    )
    assert eta.vendor_wait(run(rate_limit_wait_s=3.25)) == (
        "Waited 3.2 s on the vendor's rate limit so far"
    )
    assert eta.vendor_wait(run()) is None


def test_the_cli_line_shows_the_same_reading() -> None:
    live = run(
        current_entity=Entity.OPPORTUNITY,
        records=500,
        pages=5,
        entity_number=2,
        entity_count=3,
        entity_read=500,
        entity_expected=1000,
        entity_started_at=NOW - timedelta(seconds=10),
        rate_limit_wait_s=1.5,
    )
    fields = follow_fields(live, [], now=NOW)
    assert (fields["total"], fields["completed"]) == (100, 50.0)
    assert fields["detail"] == (
        "running · opportunity (2 of 3) · 500 records · 5 pages · opportunity: 50 % of "
        "1,000 records (the vendor's count), about 10 s left for opportunity · "
        "Waited 1.5 s on the vendor's rate limit so far"
    )
    assert follow_fields(run(records=3), [], now=NOW)["total"] is None
