"""A run's counts are exact while its entities read together, and after it is resumed.

Entities in flight share one adapter, so the calls each made are told apart by the
entity the calling thread works for, not by who checkpointed first: the same sync run
one entity at a time and four at once spends the same calls on each entity. And a
worker that dies after a page is stored but before its counts are beaten leaves them
in the store with the page: the run resumed elsewhere counts what the store holds.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from core.models import Entity, EntityCounts, Organisation, RunProgress, SyncOptions, SyncRun
from core.schemas import ConnectionCreate
from core.service import IntegrationService
from core.settings import load_settings
from core.worker import HeartbeatControl, Worker
from tests.proof.conftest import ORG, Hub

# Calls that say which entity spent them; a login is spent once by whichever entity
# needed the token first, so it is compared in the run's total only.
_OWN_CALLS = ("read_calls", "write_calls", "metadata_calls")


def _slow_lists(hub: Hub, delay_s: float) -> None:
    hub.sandbox.control.add_fault(
        {"system": hub.case.system.value, "tenant": hub.case.tenant, "op": "list",
         "kind": "slow", "delay_s": delay_s, "rate": 1.0}
    )  # fmt: skip


def _calls(run: SyncRun) -> dict[Entity, tuple[int, ...]]:
    return {
        entity: tuple(getattr(counts, name) for name in _OWN_CALLS)
        for entity, counts in run.counts.items()
    }


def _total_calls(run: SyncRun) -> int:
    return sum(counts.api_calls for counts in run.counts.values())


def _one_at_a_time(hub: Hub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SyncRun:
    """The same full sync by a service on its own store, one entity after another."""
    monkeypatch.setenv("TOOTHPICK_DATA_DIR", str(tmp_path / "one-at-a-time"))
    monkeypatch.setenv("TOOTHPICK_ENTITIES_IN_FLIGHT", "1")
    service = IntegrationService.open(load_settings())
    try:
        service.runtime.store.ensure_organisation(Organisation(id=ORG, name="Proof"))
        connection = service.connections.connect(
            ORG,
            ConnectionCreate(
                system=hub.case.system,
                name="one at a time",
                fields=hub.case.connection_fields(hub.sandbox),
                entities=list(hub.case.objects),
            ),
        )
        run = service.syncs.queue_sync(ORG, connection.id, SyncOptions(full=True))
        Worker(service, worker_id="sequential").run_by_id(run.id)
        done = service.syncs.get_run(ORG, run.id)
    finally:
        service.close()
    return done


@pytest.mark.systems("hubspot", "sap")
def test_entities_in_flight_count_their_own_calls(
    hub: Hub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert hub.service.runtime.settings.entities_in_flight >= 4
    _slow_lists(hub, 0.15)  # every entity's pages overlap every other's
    together = hub.sync(full=True)
    alone = _one_at_a_time(hub, tmp_path, monkeypatch)
    assert together.state.value == alone.state.value == "succeeded", together.error
    assert _calls(together) == _calls(alone)
    assert _total_calls(together) == _total_calls(alone)
    for counts in together.counts.values():  # every call is of one kind
        kinds = counts.read_calls + counts.write_calls + counts.auth_calls
        assert counts.api_calls == kinds + counts.metadata_calls


class _Died(BaseException):
    """The worker process ends here (SIGKILL): nothing after this line runs."""


class _DiesAfterFirstPage(HeartbeatControl):
    """The real heartbeat, except that the worker dies right after the first page is
    stored, before the beat that would carry that page's counts."""

    def checkpoint(self, progress: RunProgress, counts: dict[Entity, EntityCounts]) -> None:
        if progress.pages >= 1:
            raise _Died
        super().checkpoint(progress, counts)


@pytest.mark.systems("hubspot", "sap")
def test_a_run_resumed_after_a_kill_counts_what_the_store_holds(hub: Hub) -> None:
    _slow_lists(hub, 0.1)
    service = hub.service
    queued = service.syncs.queue_sync(ORG, hub.connection.id, SyncOptions(full=True))
    run = service.syncs.claim_run(queued.id, "first-worker", stale_after_s=60)
    assert run is not None
    with pytest.raises(_Died):
        service.syncs.execute_claimed_run(run, _DiesAfterFirstPage(service, run, "first-worker"))
    hub.sandbox.control.clear_faults()
    # The first worker's heartbeat is stale at once for this one: it takes the run over.
    assert Worker(service, worker_id="second-worker", stale_after_s=0).run_by_id(run.id)
    done = service.syncs.get_run(ORG, run.id)
    assert done.state.value == "succeeded", done.error
    assert done.attempt == 2
    for entity in hub.case.objects:
        stored = len(hub.stored(entity))
        assert stored == len(hub.truth(entity))
        assert done.counts[entity].created == stored, entity
