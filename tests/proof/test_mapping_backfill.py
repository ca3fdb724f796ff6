"""Mapping changes (issue 15, point 3): mapping a field fills it on every stored record by a
listing of that field alone, unmapping it clears it with no vendor call, and a change made
while a run is in flight is backfilled after that run, never lost.

Proved on every system, against the sandbox over HTTP, to the exact truth under the new
mapping; the listing of the one field alone on three CRMs (HubSpot: `properties`;
Salesforce: the SOQL select list; Zoho: `fields`) and an ERP (Odoo: `fields`).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from adapters import convert
from core.models import ChangeKind, Entity, FieldOverride, RunState, SyncRun
from core.schemas import ConnectionUpdate
from core.store.queries import LogFilter
from core.worker import Worker
from tests.proof.conftest import ORG, Hub
from tests.proof.test_sync_proofs import _assert_exact


def _text_field(hub: Hub, entity: Entity) -> str:
    """A vendor field the default map reads as text: mapped again onto a custom field."""
    adapter = hub.adapter()
    try:
        rules = adapter.field_map(entity).rules
        text = convert.TEXT.name
        return next(r.vendor for r in rules if r.custom_name is None and r.convert.name == text)
    finally:
        adapter.close()


def _map(hub: Hub, overrides: list[FieldOverride]) -> None:
    hub.service.connections.update_connection(
        ORG, hub.connection.id, ConnectionUpdate(field_overrides=overrides)
    )


def _queued(hub: Hub) -> list[SyncRun]:
    runs = hub.service.syncs.list_runs(ORG, connection_id=hub.connection.id).items
    return [r for r in runs if r.state is RunState.QUEUED]


def _run_backfill(hub: Hub, entity: Entity) -> SyncRun:
    """Run the one queued run the product started by itself (the backfill)."""
    [run] = _queued(hub)
    assert run.options.backfill and run.options.entities == [entity], run.options
    Worker(hub.service, worker_id="proof-worker").run_by_id(run.id)
    done = hub.service.syncs.get_run(ORG, run.id)
    assert done.state is RunState.SUCCEEDED, done.error
    return done


def _said(hub: Hub, text: str) -> list[str]:
    logs = hub.service.monitoring.logs(ORG, LogFilter(text=text), limit=200).items
    return [e.message for e in logs]


def _asked(hub: Hub, read: Any) -> set[str]:
    """The words of what a read sends the vendor up to its first page (parameters, body)."""
    adapter = hub.adapter()
    sent: list[Any] = []
    request_json = adapter.session.request_json

    def recording(method: str, url: str, **kwargs: Any) -> Any:
        sent.append((kwargs.get("params"), kwargs.get("json")))
        return request_json(method, url, **kwargs)

    send_page = adapter.send_page

    def sending(spec: Any, request: Any) -> Any:  # Odoo's RPC does not pass request_json
        sent.append((request.params, request.json))
        return send_page(spec, request)

    adapter.session.request_json = recording  # type: ignore[method-assign]
    adapter.send_page = sending  # type: ignore[method-assign]
    try:
        pages: Iterator[Any] = read(adapter)
        next(pages)
        del pages
    finally:
        adapter.close()
    return set(re.split(r"[^A-Za-z0-9_]+", repr(sent)))


# SAP, Oracle and Pipedrive list whole records for a backfill (their adapters name no
# fields in a listing yet): the backfill is still exact, with more bytes.
@pytest.mark.systems("hubspot", "salesforce", "zoho", "odoo")
def test_the_listing_asks_the_vendor_for_the_chosen_field_alone(hub: Hub) -> None:
    entity = hub.case.first_entity
    probe = hub.adapter()
    try:
        rules = probe.field_map(entity).rules
    finally:
        probe.close()
    bare = _asked(hub, lambda a: a.read_fields(entity, []))  # key, stamp: the adapter's own
    whole = _asked(hub, lambda a: a.read(entity, since=None, resume=None))
    rule = next(r for r in rules if r.custom_name is None and r.vendor.split(".")[-1] not in bare)
    part = _asked(hub, lambda a: a.read_fields(entity, [rule.canonical]))
    assert part - bare == {rule.vendor.split(".")[-1]}, part - bare
    assert len(whole - bare) > 3, whole - bare


def test_mapping_a_field_reads_it_alone_and_unmapping_clears_it_without_a_call(
    hub: Hub,
) -> None:
    entity = hub.case.first_entity
    assert hub.sync(full=True).state is RunState.SUCCEEDED
    vendor = _text_field(hub, entity)
    mapped = FieldOverride(entity=entity, canonical_field="custom.backfilled", vendor_field=vendor)

    _map(hub, [mapped])
    run = _run_backfill(hub, entity)
    c = run.counts[entity]
    _assert_exact(hub)
    held = hub.stored(entity)
    filled = [k for k, v in held.items() if "backfilled" in (v.get("custom") or {})]
    assert filled and c.updated == len(filled) and c.created == 0, c
    assert c.read == len(held), c  # one listing (its calls: compared with whole records below)
    assert any(
        "custom.backfilled mapped: read for every record (only" in m
        for m in _said(hub, "backfill for the new field mapping")
    )
    # Field-level: the other fields of a record are as stored; the history shows the field.
    [change, *_] = hub.service.review.record_history(ORG, hub.connection.id, entity, filled[0])
    assert change.kind is ChangeKind.UPDATED
    assert set(change.after or {}) == {"custom"} and set(change.before or {}) <= {"custom"}

    # Today's way for comparison: every whole record listed again (no fields named).
    whole = hub.sync(backfill=True, direction="pull", entities=[entity])
    assert whole.state is RunState.SUCCEEDED, whole.error
    w = whole.counts[entity]
    assert w.updated == 0 and w.pages == c.pages and c.api_calls <= w.api_calls, (w, c)
    print(f"\n{hub.case.id}: {len(held)} records; field alone: {c.api_calls} calls, "
          f"{c.pages} pages; whole records: {w.api_calls} calls, {w.pages} pages")  # fmt: skip

    _map(hub, [])
    run = _run_backfill(hub, entity)
    c = run.counts[entity]
    assert c.api_calls == 0 and c.pages == 0, c  # cleared in the store alone
    assert c.updated == len(filled), c
    assert not any("backfilled" in (v.get("custom") or {}) for v in hub.stored(entity).values())
    _assert_exact(hub)
    [change, *_] = hub.service.review.record_history(ORG, hub.connection.id, entity, filled[0])
    assert change.kind is ChangeKind.UPDATED and "backfilled" in (change.before or {})["custom"]
    assert any(
        f"custom.backfilled unmapped: cleared in {len(filled):,} record(s) without a vendor call"
        in m
        for m in _said(hub, "unmapped: cleared")
    )


def test_a_mapping_change_during_a_running_sync_is_backfilled_after_it(hub: Hub) -> None:
    """The run in flight keeps the mapping it started with; the change's backfill is queued
    when it ends and brings every record to the new mapping."""
    case, control = hub.case, hub.sandbox.control
    entity = case.first_entity
    vendor = _text_field(hub, entity)
    mapped = FieldOverride(entity=entity, canonical_field="custom.backfilled", vendor_field=vendor)
    control.add_fault(
        {"system": case.system.value, "op": "list", "kind": "slow", "delay_s": 0.4, "times": 3}
    )
    run = hub.service.syncs.queue_sync(ORG, hub.connection.id)
    worker = threading.Thread(
        target=Worker(hub.service, worker_id="proof-worker").run_by_id, args=(run.id,)
    )
    worker.start()
    try:
        deadline = time.monotonic() + 20
        while hub.service.syncs.get_run(ORG, run.id).state is not RunState.RUNNING:
            assert time.monotonic() < deadline, "the sync never started"
            time.sleep(0.02)
        _map(hub, [mapped])
        assert not _queued(hub)  # refused while the run is active: recorded as pending
    finally:
        worker.join(timeout=60)
    assert hub.service.syncs.get_run(ORG, run.id).state is RunState.SUCCEEDED
    said = _said(hub, "Field mapping changed")
    assert any(f"a run is in progress (run {run.id})" in m for m in said), said
    assert any(f"during run {run.id}" in m and "backfill queued after it" in m for m in said)

    _run_backfill(hub, entity)
    _assert_exact(hub)
    assert all("backfilled" in (v.get("custom") or {}) for v in hub.stored(entity).values())
    # Covered now: the next run's end queues nothing more.
    assert hub.sync().state is RunState.SUCCEEDED and not _queued(hub)
