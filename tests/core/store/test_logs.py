"""Contract: log entries (idempotent appends, filters, pagination with totals, exports, retention).

Time ranges are half-open: `since` is included, `until` is not. Order is
newest first, ties broken by id descending.
"""

from __future__ import annotations

from datetime import timedelta, timezone
from typing import Any

import pytest

from core.errors import FailureCategory
from core.models import Entity, LogEntry, LogLevel, LogStatus, Operation, System
from core.store.base import Store
from core.store.queries import LogFilter
from tests.core.store.builders import ORG, OTHER_ORG, T0, at, connection, log

S = connection(name="SF")
H = connection(name="HS", system=System.HUBSPOT)


def _entries() -> dict[str, LogEntry]:
    s: dict[str, Any] = {"connection_id": S.id, "system": System.SALESFORCE}
    h: dict[str, Any] = {"connection_id": H.id, "system": System.HUBSPOT}
    return {
        "e1": log(at(hours=1), id="e1", run_id="r1", entity=Entity.CONTACT,
                  message="Pulled 100 contacts", **s),
        "e2": log(at(hours=2), id="e2", run_id="r1", operation=Operation.PUSH,
                  level=LogLevel.WARNING, status=LogStatus.WARNING,
                  message="Push slowed by RATE limit", **s),
        "e3": log(at(hours=3), id="e3", run_id="r2", level=LogLevel.ERROR,
                  status=LogStatus.ERROR, error_category=FailureCategory.TRANSIENT,
                  message="Request TIMEOUT after 30 s", **h),
        "e4": log(at(hours=4), id="e4", run_id="r2", operation=Operation.SYNC,
                  message="sync finished", **h),
        "e5": log(at(hours=5), id="e5", operation=Operation.IMPORT,
                  message="Imported 100% of file a_b.csv"),
        "e6": log(at(hours=6), id="e6", run_id="r3", operation=Operation.SYNC,
                  level=LogLevel.ERROR, status=LogStatus.ERROR,
                  message="sync failed: 100 records rejected", **s),
        "e7": log(at(hours=7), id="e7", operation=Operation.RECORD, level=LogLevel.WARNING,
                  status=LogStatus.ERROR, message="contact axb was not synced", **s),
    }  # fmt: skip


@pytest.fixture
def entries(store: Store) -> dict[str, LogEntry]:
    data = _entries()
    stranger = log(at(hours=3, minutes=30), id="x1", organisation_id=OTHER_ORG,
                   message="Request timeout 100% a_b", system=System.SALESFORCE)  # fmt: skip
    assert store.append_logs([*data.values(), stranger]) == 8
    return data


def _ids(store: Store, query: LogFilter) -> list[str]:
    return [entry.id for entry in store.query_logs(ORG, query, limit=100).items]


def test_append_is_idempotent_by_id_and_counts_only_new_entries(
    store: Store, entries: dict[str, LogEntry]
) -> None:
    rewritten = entries["e1"].model_copy(update={"message": "changed"})
    fresh = log(at(hours=8), id="e8")

    assert store.append_logs([rewritten, fresh, fresh]) == 1
    assert store.append_logs([]) == 0
    assert store.get_log(ORG, "e1") == entries["e1"]
    assert store.get_log(ORG, "e8") == fresh
    assert store.get_log(OTHER_ORG, "e1") is None
    assert store.query_logs(ORG, LogFilter()).total == 8


def test_times_come_back_as_the_same_instant_in_utc(store: Store) -> None:
    cest = timezone(timedelta(hours=2))
    entry = log((T0 + timedelta(hours=2, milliseconds=7)).astimezone(cest), id="tz")
    store.append_logs([entry])

    stored = store.get_log(ORG, "tz")
    assert stored is not None
    assert stored.time == T0 + timedelta(hours=2, milliseconds=7)
    assert stored.time.utcoffset() == timedelta(0)


def test_pages_are_newest_first_with_the_total(store: Store, entries: dict[str, LogEntry]) -> None:
    second = store.query_logs(ORG, LogFilter(), offset=3, limit=3)
    last = store.query_logs(ORG, LogFilter(), offset=6, limit=3)
    beyond = store.query_logs(ORG, LogFilter(), offset=9, limit=3)

    assert [e.id for e in second.items] == ["e4", "e3", "e2"]
    assert (second.total, second.offset, second.limit) == (7, 3, 3)
    assert [e.id for e in last.items] == ["e1"]
    assert (beyond.items, beyond.total) == ([], 7)
    assert second.items[0] == entries["e4"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (LogFilter(), ["e7", "e6", "e5", "e4", "e3", "e2", "e1"]),
        (LogFilter(systems=[System.SALESFORCE]), ["e7", "e6", "e2", "e1"]),
        (
            LogFilter(systems=[System.SALESFORCE, System.HUBSPOT]),
            ["e7", "e6", "e4", "e3", "e2", "e1"],
        ),
        (LogFilter(connection_ids=[H.id]), ["e4", "e3"]),
        (LogFilter(connection_ids=[H.id, "unknown"]), ["e4", "e3"]),
        (LogFilter(statuses=[LogStatus.ERROR]), ["e7", "e6", "e3"]),
        (LogFilter(levels=[LogLevel.WARNING]), ["e7", "e2"]),
        (LogFilter(levels=[LogLevel.WARNING, LogLevel.ERROR]), ["e7", "e6", "e3", "e2"]),
        (LogFilter(operations=[Operation.SYNC]), ["e6", "e4"]),
        (LogFilter(run_id="r1"), ["e2", "e1"]),
        (LogFilter(since=at(hours=3), until=at(hours=6)), ["e5", "e4", "e3"]),
        (LogFilter(since=at(hours=6, seconds=1)), ["e7"]),
        (LogFilter(until=at(hours=2)), ["e1"]),
        (LogFilter(systems=[System.SALESFORCE], statuses=[LogStatus.ERROR]), ["e7", "e6"]),
        (LogFilter(operations=[Operation.SYNC], levels=[LogLevel.ERROR], run_id="r3"), ["e6"]),
        (LogFilter(text="timeout"), ["e3"]),
        (LogFilter(text="rate LIMIT"), ["e2"]),
        (LogFilter(text="  100 "), ["e6", "e5", "e1"]),
        (LogFilter(text="100%"), ["e5"]),
        (LogFilter(text="%"), ["e5"]),
        (LogFilter(text="a_b"), ["e5"]),
        (LogFilter(text="_"), ["e5"]),
        (LogFilter(text="a%b"), []),
        (LogFilter(text="\\"), []),
        (LogFilter(text="'; DROP TABLE logs; --"), []),
        (LogFilter(text="100", systems=[System.SALESFORCE]), ["e6", "e1"]),
        (LogFilter(systems=[System.ZOHO]), []),
    ],
)
def test_each_filter_narrows_to_exactly_its_entries(
    store: Store, entries: dict[str, LogEntry], query: LogFilter, expected: list[str]
) -> None:
    page = store.query_logs(ORG, query, limit=100)

    assert [e.id for e in page.items] == expected
    assert page.total == len(expected)
    assert [e.id for e in store.iter_logs(ORG, query, batch_size=2)] == expected


def test_wildcards_in_text_are_literal(store: Store) -> None:
    store.append_logs(
        [
            log(at(hours=1), id="w1", message="disk 50% full"),
            log(at(hours=2), id="w2", message="disk 50 full"),
            log(at(hours=3), id="w3", message="field user_id missing"),
            log(at(hours=4), id="w4", message="field userXid missing"),
            log(at(hours=5), id="w5", message="path C:\\temp\\x"),
            log(at(hours=6), id="w6", message="path C:temp"),
        ]
    )

    assert _ids(store, LogFilter(text="50%")) == ["w1"]
    assert _ids(store, LogFilter(text="user_id")) == ["w3"]
    assert _ids(store, LogFilter(text="C:\\temp")) == ["w5"]
    assert _ids(store, LogFilter(text="%_%")) == []


def test_ties_in_time_are_ordered_by_id_across_pages_and_batches(store: Store) -> None:
    store.append_logs([log(T0, id=f"t{n}") for n in (3, 1, 5, 2, 4)])
    newest_first = ["t5", "t4", "t3", "t2", "t1"]

    assert [e.id for e in store.iter_logs(ORG, LogFilter(), batch_size=2)] == newest_first
    pages = [store.query_logs(ORG, LogFilter(), offset=o, limit=2).items for o in (0, 2, 4)]
    assert [e.id for page in pages for e in page] == newest_first


def test_export_streams_every_entry_across_many_batches(store: Store) -> None:
    store.append_logs([log(at(minutes=n), id=f"m{n:04d}") for n in range(2500)])

    exported = [e.id for e in store.iter_logs(ORG, LogFilter(since=at(minutes=10)), batch_size=300)]

    assert exported == [f"m{n:04d}" for n in range(2499, 9, -1)]
    assert list(store.iter_logs(OTHER_ORG, LogFilter())) == []


def test_purge_removes_older_entries_of_every_organisation(store: Store) -> None:
    for org in (ORG, OTHER_ORG):
        store.append_logs(
            [
                log(at(days=-1), organisation_id=org, id=f"{org}-old"),
                log(T0, organisation_id=org, id=f"{org}-cutoff"),
                log(at(days=1), organisation_id=org, id=f"{org}-new"),
            ]
        )

    assert store.purge_logs(T0) == 2
    assert _ids(store, LogFilter()) == [f"{ORG}-new", f"{ORG}-cutoff"]
    assert store.query_logs(OTHER_ORG, LogFilter()).total == 2
    assert store.purge_logs(T0) == 0
