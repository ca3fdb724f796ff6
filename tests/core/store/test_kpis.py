"""Contract: dashboard aggregates, checked against values worked out by hand.

Definitions (see core/store/sqlite/kpis.py): runs/succeeded/failed/avg/p95/
records_moved come from `sync` entries in [since, until) (succeeded = status
success, failed = status error, records_moved = sum of records_processed);
p95 is nearest-rank (the value at rank ceil(0.95 n), never interpolated);
errors counts entries of any operation at level error. Rows are ordered by
key, then bucket start.

The hand-built data, window [T0, T0 + 2 days):

    salesforce (S) sync   T0+1h00 ok  100 ms  10 records
                   sync   T0+1h30 ok  200 ms  20
                   pull   T0+1h45 level error (category vendor)
                   sync   T0+2h10 err 300 ms   0   (level error, category transient)
                   sync   T0+1d5h ok  400 ms  40
    hubspot (H)    sync   T0+1h15 err  50 ms   5   (level error, category vendor)
                   sync   T0+3h00 ok  no duration   7
                   push   T0+1d1h level error (no category)
    outside: S sync at T0-1s and at T0+2d (excluded bounds), another
    organisation's sync, and successful pull/push entries (volume only).

    by system:  hubspot    runs 2 ok 1 failed 1 avg 50  p95 50  moved 12 errors 2
                salesforce runs 4 ok 3 failed 1 avg 250 p95 400 moved 70 errors 2
"""

from __future__ import annotations

from typing import Any

import pytest

from core.errors import FailureCategory
from core.models import Entity, LogLevel, LogStatus, Operation, System
from core.store.base import Store
from core.store.queries import Bucket, CountRow, ErrorGroup, KpiGroup, KpiRow, VolumeRow
from tests.core.store.builders import DAY, ORG, OTHER_ORG, T0, at, connection, log, sync_log

S = connection(name="SF")
H = connection(name="HS", system=System.HUBSPOT)
UNTIL = T0 + 2 * DAY
VENDOR, TRANSIENT = FailureCategory.VENDOR, FailureCategory.TRANSIENT


@pytest.fixture
def dataset(store: Store) -> None:
    s: dict[str, Any] = {"connection_id": S.id, "system": System.SALESFORCE}
    h: dict[str, Any] = {"connection_id": H.id, "system": System.HUBSPOT}
    error: dict[str, Any] = {"level": LogLevel.ERROR, "status": LogStatus.ERROR}
    store.append_logs(
        [
            sync_log(S, at(hours=1), ok=True, duration_ms=100, processed=10),
            sync_log(S, at(hours=1, minutes=30), ok=True, duration_ms=200, processed=20),
            log(at(hours=1, minutes=45), error_category=VENDOR, **error, **s),
            sync_log(S, at(hours=2, minutes=10), ok=False, duration_ms=300,
                     error_category=TRANSIENT),
            sync_log(S, at(days=1, hours=5), ok=True, duration_ms=400, processed=40),
            sync_log(H, at(hours=1, minutes=15), ok=False, duration_ms=50, processed=5,
                     error_category=VENDOR),
            sync_log(H, at(hours=3), ok=True, duration_ms=None, processed=7),
            log(at(days=1, hours=1), operation=Operation.PUSH, **error, **h),
            # Outside the window or the organisation: never counted.
            sync_log(S, at(seconds=-1), ok=False, duration_ms=9000, processed=1000),
            sync_log(S, UNTIL, ok=False, duration_ms=9000, processed=1000),
            sync_log(connection(OTHER_ORG), at(hours=1), ok=False, duration_ms=9000),
            # Volume only: successful pulls and pushes with an entity.
            log(at(hours=1), entity=Entity.PRODUCT, records_processed=10, **s),
            log(at(days=1, hours=2), entity=Entity.PRODUCT, records_processed=5, **s),
            log(at(hours=3), operation=Operation.PUSH, entity=Entity.CONTACT,
                records_processed=3, **h),
            log(at(hours=4), operation=Operation.RECORD, entity=Entity.CONTACT,
                records_processed=100, **h),
        ]
    )  # fmt: skip


def row(key: str | None, bucket: object = None, **values: object) -> KpiRow:
    defaults: dict[str, object] = {
        "runs": 0, "succeeded": 0, "failed": 0, "avg_duration_ms": None,
        "p95_duration_ms": None, "records_moved": 0, "errors": 0,
    }  # fmt: skip
    return KpiRow.model_validate({"key": key, "bucket_start": bucket, **defaults, **values})


def test_kpis_by_system(store: Store, dataset: None) -> None:
    assert store.kpis(ORG, since=T0, until=UNTIL) == [
        row("hubspot", runs=2, succeeded=1, failed=1, avg_duration_ms=50, p95_duration_ms=50,
            records_moved=12, errors=2),
        row("salesforce", runs=4, succeeded=3, failed=1, avg_duration_ms=250,
            p95_duration_ms=400, records_moved=70, errors=2),
    ]  # fmt: skip
    assert store.kpis(ORG, since=T0, until=UNTIL)[1].success_rate == 0.75


def test_kpis_by_connection_and_ungrouped(store: Store, dataset: None) -> None:
    by_connection = store.kpis(ORG, since=T0, until=UNTIL, group_by=KpiGroup.CONNECTION)
    overall = store.kpis(ORG, since=T0, until=UNTIL, group_by=None)

    assert {(r.key, r.runs, r.records_moved) for r in by_connection} == {
        (S.id, 4, 70),
        (H.id, 2, 12),
    }
    assert overall == [
        row(None, runs=6, succeeded=4, failed=2, avg_duration_ms=210, p95_duration_ms=400,
            records_moved=82, errors=4)
    ]  # fmt: skip


def test_kpis_by_system_and_hour(store: Store, dataset: None) -> None:
    assert store.kpis(ORG, since=T0, until=UNTIL, bucket=Bucket.HOUR) == [
        row("hubspot", at(hours=1), runs=1, failed=1, avg_duration_ms=50, p95_duration_ms=50,
            records_moved=5, errors=1),
        row("hubspot", at(hours=3), runs=1, succeeded=1, records_moved=7),
        row("hubspot", at(days=1, hours=1), errors=1),
        row("salesforce", at(hours=1), runs=2, succeeded=2, avg_duration_ms=150,
            p95_duration_ms=200, records_moved=30, errors=1),
        row("salesforce", at(hours=2), runs=1, failed=1, avg_duration_ms=300,
            p95_duration_ms=300, errors=1),
        row("salesforce", at(days=1, hours=5), runs=1, succeeded=1, avg_duration_ms=400,
            p95_duration_ms=400, records_moved=40),
    ]  # fmt: skip


def test_kpis_ungrouped_by_day(store: Store, dataset: None) -> None:
    assert store.kpis(ORG, since=T0, until=UNTIL, group_by=None, bucket=Bucket.DAY) == [
        row(None, T0, runs=5, succeeded=3, failed=2, avg_duration_ms=162.5, p95_duration_ms=300,
            records_moved=42, errors=3),
        row(None, at(days=1), runs=1, succeeded=1, avg_duration_ms=400, p95_duration_ms=400,
            records_moved=40, errors=1),
    ]  # fmt: skip


def test_windows_that_start_and_end_mid_hour_count_exactly_their_entries(
    store: Store, dataset: None
) -> None:
    """[T0+1h20, T0+1d1h30): S sync 1h30 (ok 200 ms, 20) and 2h10 (error 300 ms), S pull
    error 1h45; H sync 3h00 (ok, no duration, 7) and H push error 1d1h."""
    since, until = at(hours=1, minutes=20), at(days=1, hours=1, minutes=30)

    assert store.kpis(ORG, since=since, until=until) == [
        row("hubspot", runs=1, succeeded=1, records_moved=7, errors=1),
        row("salesforce", runs=2, succeeded=1, failed=1, avg_duration_ms=250,
            p95_duration_ms=300, records_moved=20, errors=2),
    ]  # fmt: skip
    assert store.kpis(ORG, since=since, until=until, bucket=Bucket.DAY) == [
        row("hubspot", T0, runs=1, succeeded=1, records_moved=7),
        row("hubspot", at(days=1), errors=1),
        row("salesforce", T0, runs=2, succeeded=1, failed=1, avg_duration_ms=250,
            p95_duration_ms=300, records_moved=20, errors=2),
    ]  # fmt: skip


def test_a_window_inside_one_hour(store: Store, dataset: None) -> None:
    since, until = at(hours=1, minutes=10), at(hours=1, minutes=40)

    assert store.kpis(ORG, since=since, until=until, bucket=Bucket.HOUR) == [
        row("hubspot", at(hours=1), runs=1, failed=1, avg_duration_ms=50, p95_duration_ms=50,
            records_moved=5, errors=1),
        row("salesforce", at(hours=1), runs=1, succeeded=1, avg_duration_ms=200,
            p95_duration_ms=200, records_moved=20),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("durations", "p95"),
    [
        ([10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 100),  # interpolation would say 95.5
        (list(range(10, 201, 10)), 190),  # n=20: rank 19
        (list(range(10, 211, 10)), 200),  # n=21: rank ceil(19.95) = 20
        ([7], 7),
    ],
)
def test_p95_is_the_nearest_rank_value(store: Store, durations: list[int], p95: int) -> None:
    order = durations[1::2] + durations[::2]  # stored out of order
    store.append_logs(
        [sync_log(S, at(minutes=n), ok=True, duration_ms=d) for n, d in enumerate(order)]
    )

    [result] = store.kpis(ORG, since=T0, until=UNTIL, group_by=None)
    assert result.p95_duration_ms == p95
    assert result.avg_duration_ms == sum(durations) / len(durations)


@pytest.mark.parametrize(
    ("since", "until", "s_p95", "h_p95"),
    [
        (T0, UNTIL, 400, 50),  # the by-system row's figures: one connection per system
        (T0, at(days=1), 300, 50),
        (at(hours=1, minutes=20), at(hours=3), 300, None),  # H's timed run is outside
    ],
)
def test_one_connections_p95(
    store: Store, dataset: None, since: Any, until: Any, s_p95: int, h_p95: int | None
) -> None:
    """The alert rules' per-connection p95: the nearest rank of that connection's timed
    syncs in the window, as the KPIs by connection show it."""
    assert store.sync_p95_ms(ORG, S.id, since=since, until=until) == s_p95
    assert store.sync_p95_ms(ORG, H.id, since=since, until=until) == h_p95
    assert store.sync_p95_ms(OTHER_ORG, S.id, since=T0, until=UNTIL) is None
    assert store.sync_p95_ms(ORG, "no-such-connection", since=T0, until=UNTIL) is None


@pytest.mark.parametrize(
    ("durations", "p95"),
    [([10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 100), (list(range(10, 211, 10)), 200), ([7], 7)],
)
def test_one_connections_p95_is_the_nearest_rank(
    store: Store, durations: list[int], p95: int
) -> None:
    order = durations[1::2] + durations[::2]
    store.append_logs(
        [sync_log(S, at(minutes=n), ok=True, duration_ms=d) for n, d in enumerate(order)]
        + [sync_log(H, at(minutes=n), ok=True, duration_ms=10_000) for n in range(5)]
    )
    assert store.sync_p95_ms(ORG, S.id, since=T0, until=UNTIL) == p95


def test_no_entries_gives_no_rows(store: Store, dataset: None) -> None:
    assert store.kpis(ORG, since=at(days=5), until=at(days=6)) == []
    assert store.kpis(OTHER_ORG, since=T0, until=at(minutes=59)) == []


def test_volume_by_entity(store: Store, dataset: None) -> None:
    assert store.volume_by_entity(ORG, since=T0, until=UNTIL) == [
        VolumeRow(entity=Entity.CONTACT, bucket_start=None, records=3),
        VolumeRow(entity=Entity.PRODUCT, bucket_start=None, records=15),
    ]
    assert store.volume_by_entity(ORG, since=T0, until=UNTIL, bucket=Bucket.DAY) == [
        VolumeRow(entity=Entity.CONTACT, bucket_start=T0, records=3),
        VolumeRow(entity=Entity.PRODUCT, bucket_start=T0, records=10),
        VolumeRow(entity=Entity.PRODUCT, bucket_start=at(days=1), records=5),
    ]


def test_volume_of_a_window_that_starts_and_ends_mid_hour(store: Store, dataset: None) -> None:
    since, until = at(minutes=30), at(days=1, hours=2, minutes=30)

    assert store.volume_by_entity(ORG, since=since, until=until) == [
        VolumeRow(entity=Entity.CONTACT, bucket_start=None, records=3),
        VolumeRow(entity=Entity.PRODUCT, bucket_start=None, records=15),
    ]
    assert store.volume_by_entity(ORG, since=at(hours=1, minutes=1), until=until) == [
        VolumeRow(entity=Entity.CONTACT, bucket_start=None, records=3),
        VolumeRow(entity=Entity.PRODUCT, bucket_start=None, records=5),
    ]


def test_error_counts_largest_first(store: Store, dataset: None) -> None:
    by_system = store.error_counts(ORG, since=T0, until=UNTIL, group_by=ErrorGroup.SYSTEM)
    by_category = store.error_counts(ORG, since=T0, until=UNTIL, group_by=ErrorGroup.CATEGORY)

    assert by_system == [CountRow(key="hubspot", count=2), CountRow(key="salesforce", count=2)]
    assert by_category == [
        CountRow(key="vendor", count=2),
        CountRow(key=None, count=1),
        CountRow(key="transient", count=1),
    ]
