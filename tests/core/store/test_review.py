"""Contract: conflicts (one open per record), alerts (one unresolved per connection, kind)."""

from __future__ import annotations

import pytest

from core.errors import NotFoundError
from core.models import (
    AlertKind,
    AlertSeverity,
    AlertState,
    ConflictKind,
    ConflictStatus,
    Connection,
    Resolution,
    System,
)
from core.store.base import Store
from tests.core.store.builders import ORG, OTHER_ORG, T0, alert, at, conflict, connection


@pytest.fixture
def conn(store: Store) -> Connection:
    return store.create_connection(connection())


def test_a_newer_conflict_replaces_the_open_ones_versions(store: Store, conn: Connection) -> None:
    first = store.add_conflict(conflict(conn, "c1", run_id="run-1"))
    newer = conflict(
        conn, "c1", run_id="run-2", detected_at=at(hours=1), kind=ConflictKind.UPDATE,
        local={"phone": "1"}, remote={"phone": "2"}, differing_fields=["phone"],
        local_changed_at=at(minutes=30), remote_changed_at=at(minutes=40),
    )  # fmt: skip

    stored = store.add_conflict(newer)

    assert stored == first.model_copy(
        update={
            "run_id": "run-2", "local": {"phone": "1"}, "remote": {"phone": "2"},
            "differing_fields": ["phone"], "local_changed_at": at(minutes=30),
            "remote_changed_at": at(minutes=40),
        }
    )  # fmt: skip
    assert store.get_conflict(ORG, first.id) == stored
    assert store.get_conflict(ORG, newer.id) is None
    assert store.list_conflicts(ORG).total == 1


def test_after_resolution_a_new_conflict_opens(store: Store, conn: Connection) -> None:
    first = store.add_conflict(conflict(conn, "c1"))
    resolved = first.model_copy(
        update={
            "status": ConflictStatus.RESOLVED, "resolution": Resolution.MERGED,
            "resolved_data": {"email": "merged@example.com"}, "resolved_by": "ops@acme",
            "resolved_at": at(hours=2),
        }
    )  # fmt: skip
    assert store.save_conflict(resolved) == resolved
    assert store.get_conflict(ORG, first.id) == resolved

    second = store.add_conflict(conflict(conn, "c1", detected_at=at(hours=3)))

    assert second.id != first.id
    assert [c.id for c in store.list_conflicts(ORG).items] == [second.id]
    assert [c.id for c in store.list_conflicts(ORG, status=None).items] == [second.id, first.id]
    assert [c.id for c in store.list_conflicts(ORG, status=ConflictStatus.RESOLVED).items] == [
        first.id
    ]


def test_conflict_listing_filters_and_pages(store: Store, conn: Connection) -> None:
    other = store.create_connection(connection(name="Other", system=System.ZOHO))
    ids = [
        store.add_conflict(conflict(target, f"r{n}", detected_at=at(minutes=n))).id
        for n, target in enumerate([conn, other, conn, conn, other])
    ]
    deletion = store.add_conflict(
        conflict(conn, "r9", kind=ConflictKind.DELETE, detected_at=at(hours=1))
    )

    page = store.list_conflicts(ORG, offset=1, limit=2)
    mine = store.list_conflicts(ORG, connection_id=conn.id)

    assert ([c.id for c in page.items], page.total) == ([ids[4], ids[3]], 6)
    assert [c.id for c in mine.items] == [deletion.id, ids[3], ids[2], ids[0]]
    assert mine.items[0].kind is ConflictKind.DELETE


def test_saving_an_unknown_conflict_is_refused(store: Store, conn: Connection) -> None:
    with pytest.raises(NotFoundError):
        store.save_conflict(conflict(conn, "c1"))


def test_alerts_are_deduplicated_until_resolved(store: Store, conn: Connection) -> None:
    first = store.raise_alert(alert(connection_id=conn.id, seen=T0))
    again = store.raise_alert(
        alert(connection_id=conn.id, seen=at(hours=1), message="5 syncs failed in a row",
              severity=AlertSeverity.CRITICAL)
    )  # fmt: skip
    slow = store.raise_alert(alert(connection_id=conn.id, kind=AlertKind.SLOW_RESPONSES))

    assert again == first.model_copy(
        update={"count": 2, "message": "5 syncs failed in a row", "last_seen_at": at(hours=1),
                "severity": AlertSeverity.CRITICAL}
    )  # fmt: skip
    assert slow.id != first.id
    assert [a.id for a in store.list_alerts(ORG)] == [first.id, slow.id]

    acknowledged = store.acknowledge_alert(ORG, first.id, at=at(hours=2), by="ana")
    assert acknowledged is not None and acknowledged.state is AlertState.ACKNOWLEDGED
    assert (acknowledged.acknowledged_at, acknowledged.acknowledged_by) == (at(hours=2), "ana")
    assert store.acknowledge_alert(ORG, first.id, at=at(hours=3)) is None
    assert store.acknowledge_alert(ORG, "no-such-alert", at=at(hours=3)) is None
    # Acknowledged is still open: the same condition counts on it, no second alert.
    still = store.raise_alert(alert(connection_id=conn.id, seen=at(hours=3)))
    assert still.id == first.id and still.count == 3

    [resolved] = store.resolve_alerts(
        ORG, at=at(hours=4), by="system", connection_id=conn.id,
        kinds=[AlertKind.CONSECUTIVE_FAILURES, AlertKind.CONNECTIVITY],
    )  # fmt: skip
    assert resolved.id == first.id and resolved.state is AlertState.RESOLVED
    assert (resolved.resolved_at, resolved.resolved_by) == (at(hours=4), "system")
    assert store.resolve_alerts(ORG, at=at(hours=5), by="system", connection_id=conn.id,
                                kinds=[AlertKind.CONSECUTIVE_FAILURES]) == []  # fmt: skip
    assert store.acknowledge_alert(ORG, first.id, at=at(hours=5)) is None

    reopened = store.raise_alert(alert(connection_id=conn.id, seen=at(hours=6)))
    assert reopened.id != first.id and reopened.count == 1
    assert [a.id for a in store.list_alerts(ORG)] == [reopened.id, slow.id]
    everything = store.list_alerts(ORG, open_only=False)
    assert [a.id for a in everything] == [reopened.id, first.id, slow.id]
    assert everything[1].acknowledged_at == at(hours=2)


def test_resolving_one_alert_by_id_leaves_the_others(store: Store, conn: Connection) -> None:
    first = store.raise_alert(alert(connection_id=conn.id))
    slow = store.raise_alert(alert(connection_id=conn.id, kind=AlertKind.SLOW_RESPONSES))
    [done] = store.resolve_alerts(ORG, at=at(hours=1), by="ana", alert_id=slow.id)
    assert done.id == slow.id and done.resolved_by == "ana"
    assert store.resolve_alerts(OTHER_ORG, at=at(hours=1), by="x", alert_id=first.id) == []
    assert [a.id for a in store.list_alerts(ORG)] == [first.id]


def test_organisation_wide_alerts_deduplicate_among_themselves(
    store: Store, conn: Connection
) -> None:
    wide = store.raise_alert(alert(connection_id=None, kind=AlertKind.QUOTA))
    store.raise_alert(alert(connection_id=None, kind=AlertKind.QUOTA, seen=at(hours=1)))
    scoped = store.raise_alert(alert(connection_id=conn.id, kind=AlertKind.QUOTA, seen=at(hours=2)))

    counts = {a.id: a.count for a in store.list_alerts(ORG)}
    assert counts == {wide.id: 2, scoped.id: 1}
