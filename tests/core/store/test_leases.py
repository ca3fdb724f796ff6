"""Contract: a lease has one holder at a time; it is renewed by its holder and taken
over by another only once it expired."""

from __future__ import annotations

from datetime import datetime, timedelta

from core.models import Lease
from core.store.base import Store
from tests.core.store.builders import T0, at


def _lease(holder: str, now: datetime, *, name: str = "scheduler") -> Lease:
    return Lease(
        name=name,
        holder=holder,
        acquired_at=now,
        renewed_at=now,
        expires_at=now + timedelta(seconds=30),
        info={"host": holder},
    )


def test_one_holder_at_a_time_until_the_lease_expires(store: Store) -> None:
    first = store.acquire_lease(_lease("a", T0), now=T0)
    assert first is not None and first.holder == "a"
    assert store.acquire_lease(_lease("b", at(seconds=10)), now=at(seconds=10)) is None
    renewed = store.acquire_lease(_lease("a", at(seconds=20)), now=at(seconds=20))
    assert renewed is not None and renewed.acquired_at == T0
    assert renewed.expires_at == at(seconds=50)
    assert store.acquire_lease(_lease("b", at(seconds=40)), now=at(seconds=40)) is None
    taken = store.acquire_lease(_lease("b", at(seconds=51)), now=at(seconds=51))
    assert taken is not None and taken.holder == "b" and taken.acquired_at == at(seconds=51)
    assert not store.release_lease("scheduler", "a")
    assert [lease.holder for lease in store.list_leases()] == ["b"]
    assert store.release_lease("scheduler", "b")
    assert store.list_leases() == []


def test_leases_are_listed_by_prefix(store: Store) -> None:
    for holder in ("w1", "w2"):
        store.acquire_lease(_lease(holder, T0, name=f"worker:{holder}"), now=T0)
    store.acquire_lease(_lease("s", T0), now=T0)
    assert [lease.name for lease in store.list_leases("worker:")] == ["worker:w1", "worker:w2"]
    assert len(store.list_leases()) == 3
