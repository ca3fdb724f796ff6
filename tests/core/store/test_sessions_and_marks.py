"""Contract: sessions are listed while live and revoked one by one or per user, within
their organisation; marks are refused while live, counted per window, and forgotten once
they expire."""

from __future__ import annotations

from datetime import timedelta

from core.models import Session
from core.store.base import Store
from tests.core.store.builders import T0, at


def _session(user: str, *, org: str = "acme", hours: int = 1, created: int = 0) -> Session:
    return Session(
        organisation_id=org,
        user_id=user,
        username=user,
        created_at=at(seconds=created),
        expires_at=T0 + timedelta(hours=hours),
    )


def test_sessions_are_listed_live_and_revoked_one_or_all_of_a_user(store: Store) -> None:
    ana1 = store.create_session(_session("ana", created=1))
    ana2 = store.create_session(_session("ana", created=2))
    bob = store.create_session(_session("bob", created=3))
    store.create_session(_session("old", hours=-1))
    other = store.create_session(_session("eve", org="globex"))
    assert [s.id for s in store.list_sessions("acme", active_at=T0)] == [bob.id, ana2.id, ana1.id]
    assert [s.id for s in store.list_sessions("acme", active_at=T0, user_id="ana")] == [
        ana2.id,
        ana1.id,
    ]
    assert store.revoke_sessions("acme", at=T0, session_id=other.id) == 0  # another org's
    assert store.revoke_sessions("acme", at=T0, session_id=ana1.id) == 1
    assert store.revoke_sessions("acme", at=T0, session_id=ana1.id) == 0
    got = store.get_session(ana1.id)
    assert got is not None and got.revoked_at == T0
    assert store.revoke_sessions("acme", at=T0, user_id="ana") == 1
    assert [s.id for s in store.list_sessions("acme", active_at=T0)] == [bob.id]
    assert [s.id for s in store.list_sessions("globex", active_at=T0)] == [other.id]


def test_marks_refuse_a_live_name_and_mark_nothing_when_one_is_taken(store: Store) -> None:
    until = at(seconds=600)
    assert store.add_marks(["a", "b"], expires_at=until, now=T0)
    assert not store.add_marks(["c", "b"], expires_at=until, now=at(seconds=1))
    assert store.add_marks(["c"], expires_at=until, now=at(seconds=2))  # c was not marked
    assert store.add_marks(["a"], expires_at=at(seconds=1200), now=at(seconds=601))  # expired


def test_counters_count_within_their_window_and_restart_after_it(store: Store) -> None:
    end = at(seconds=60)
    assert [store.count_mark("k", expires_at=end, now=at(seconds=s)) for s in (0, 1, 2)] == [
        1,
        2,
        3,
    ]
    assert store.read_mark("k", now=at(seconds=59)) == 3
    assert store.read_mark("k", now=at(seconds=60)) == 0
    assert store.count_mark("k", expires_at=at(seconds=120), now=at(seconds=61)) == 1
    assert store.read_mark("missing", now=T0) == 0
