"""Id-range counts and listings (Adapter.count_range, list_range) against the sandbox's
truth, on every system and entity that has them: the vendor's filtered count of a range
is the number of live records whose id falls in it in the vendor's own id order, and the
listing names exactly those; a vendor that cannot count a range says so (None)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from typing import Any

from core.models import Entity, System
from sandbox.control import SandboxControlError
from tests.proof.conftest import Hub

NO_RANGES = {System.PIPEDRIVE, System.ZOHO}  # why: their adapters' id_order docstrings


def _live_ids(hub: Hub, entity: Entity) -> set[str]:
    return set(hub.truth(entity))


def test_range_counts_and_listings_match_the_sandbox_truth(hub: Hub) -> None:
    case, control = hub.case, hub.sandbox.control
    system, tenant = case.system.value, case.tenant
    entity = case.first_entity
    object_name = case.objects[entity]
    live = [t for t in control.iter_records(system, tenant, object_name) if not t.deleted]
    control.delete(system, tenant, object_name, live[3].id)  # a deleted one is not counted
    with suppress(SandboxControlError):  # nor a purged one (unless referenced: then kept)
        control.delete(system, tenant, object_name, live[len(live) // 2 + 1].id, hard=True)
    required = control.required_fields(system, tenant, object_name)
    control.create(system, tenant, object_name, {f: live[0].fields.get(f) for f in required})
    control.update(system, tenant, object_name, live[5].id, case.remote_edit(entity, live[5]))
    adapter = hub.adapter()
    try:
        order = adapter.id_order(entity)
        if case.system in NO_RANGES:
            assert order is None
            return
        assert order in ("number", "text")
        key: Callable[[str], Any] = int if order == "number" else str
        truth = sorted(_live_ids(hub, entity), key=key)
        assert len(truth) >= 8
        cuts = [truth[1], truth[len(truth) // 2], truth[-2]]
        ranges = [(None, None), (None, cuts[0]), (cuts[0], cuts[1]), (cuts[1], cuts[2])]
        ranges += [(cuts[2], None), (cuts[1], cuts[1])]
        for lo, hi in ranges:
            inside = [
                i
                for i in truth
                if (lo is None or key(i) >= key(lo)) and (hi is None or key(i) < key(hi))
            ]
            assert adapter.count_range(entity, lo, hi) == len(inside), (lo, hi)
            assert sorted(adapter.list_range(entity, lo, hi), key=key) == inside, (lo, hi)
        assert adapter.count_range(entity, None, None) == adapter.count(entity)
    finally:
        adapter.close()
