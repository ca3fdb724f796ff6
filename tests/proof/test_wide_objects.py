"""Objects wider than a URL (issue 15, point 2): 1,100 custom fields, every one mapped.

For every system the sandbox gives the first entity's object 1,100 more custom fields
(named the vendor's way, in its metadata API, with values in every record); the test
finds them the way a user does (the connection's field discovery, which reads the
vendor's metadata API), maps all of them, and runs a full sync and an incremental one
through the real service, worker and adapter against the sandbox over HTTP. The hub
must hold exactly the truth in every mapped field, and the sandbox's own statistics
must show that no request URL was over the vendor's limit (a real vendor answers 414,
or Zoho's LIMIT_EXCEEDED past 50 `fields`).
"""

from __future__ import annotations

from typing import Any

from core.models import Entity, FieldOverride, RunState, SyncRun
from core.schemas import ConnectionUpdate
from core.worker import Worker
from tests.proof.conftest import ORG, Hub

WIDE = 1_100
RECORDS = 120  # the wide object's records: two pages or more where pages hold 100 or fewer


def _widen(hub: Hub) -> dict[str, str]:
    """The wide fields added, found and mapped: {canonical custom name: vendor field}."""
    case, control = hub.case, hub.sandbox.control
    entity, system = case.first_entity, case.system.value
    object_name = case.objects[entity]
    control.reset(system, case.tenant, scale={**case.scale, object_name: RECORDS})
    added = control.add_custom_fields(system, case.tenant, object_name, WIDE)
    adapter = hub.adapter()
    try:
        offered = adapter.discover_fields(entity)
    finally:
        adapter.close()
    wide = [f for f in offered if f.custom and f.label.lower().startswith("wide field")]
    assert len(wide) == WIDE, (len(wide), len(added), [f.name for f in offered][:20])
    mapped = {f"custom.w{n:04d}": f.name for n, f in enumerate(wide, start=1)}
    overrides = [
        FieldOverride(entity=entity, canonical_field=canonical, vendor_field=vendor)
        for canonical, vendor in mapped.items()
    ]
    hub.service.connections.update_connection(
        ORG, hub.connection.id, ConnectionUpdate(field_overrides=overrides)
    )
    return mapped


def _run_queued(hub: Hub) -> list[SyncRun]:
    """Run what the product queued by itself (a mapping change queues a backfill)."""
    runs = hub.service.syncs.list_runs(ORG, connection_id=hub.connection.id).items
    done = []
    for run in runs:
        if run.state is RunState.QUEUED:
            Worker(hub.service, worker_id="proof-worker").run_by_id(run.id)
            done.append(hub.service.syncs.get_run(ORG, run.id))
    return done


def _assert_exact(hub: Hub, mapped: dict[str, str]) -> None:
    """Every wide field as the sandbox holds it (text, so the vendor renders it as stored),
    the other mapped fields as the adapter's own map reads the sandbox's records."""
    case = hub.case
    entity = case.first_entity
    stored, truth = hub.stored(entity), hub.truth(entity)
    raw = {
        t.id: t.fields
        for t in hub.sandbox.control.iter_records(
            case.system.value, case.tenant, case.objects[entity]
        )
        if not t.deleted
    }
    assert stored.keys() == truth.keys() and len(stored) >= RECORDS, (len(stored), len(truth))
    wrong: list[tuple[str, str, Any, Any]] = []
    for key, record in stored.items():
        custom = record.get("custom") or {}
        for canonical, vendor in mapped.items():
            name = canonical.removeprefix("custom.")
            expected = raw[key].get(vendor.split(".")[-1])
            if custom.get(name) != expected:
                wrong.append((key, canonical, custom.get(name), expected))
        plain = {k: v for k, v in record.items() if k != "custom"}
        expected_plain = {k: v for k, v in truth[key].items() if k != "custom"}
        if plain != expected_plain:
            wrong.append((key, "standard fields", plain, expected_plain))
    assert not wrong, (len(wrong), wrong[:3])


def _no_long_urls(hub: Hub) -> int:
    """The longest request URL the sandbox saw for the tenant; none was refused."""
    case = hub.case
    stats = hub.sandbox.control.stats(system=case.system.value, tenant=case.tenant)
    [uris] = stats["uris"]
    refused = [s for s in stats["statuses"] if s["status"] == 414]
    assert uris["refused"] == 0 and not refused, (uris, refused)
    return int(uris["longest"])


def _per_page(run: SyncRun, entity: Entity) -> str:
    counts = run.counts[entity]
    return f"{counts.api_calls} calls / {counts.pages} pages"


def test_a_wide_object_syncs_exactly_without_a_url_over_the_limit(hub: Hub) -> None:
    case, control = hub.case, hub.sandbox.control
    entity, system = case.first_entity, case.system.value
    mapped = _widen(hub)
    control.reset_stats(system=system, tenant=case.tenant)
    for run in _run_queued(hub):
        assert run.state is RunState.SUCCEEDED, run.error

    full = hub.sync(full=True, entities=[entity])
    assert full.state is RunState.SUCCEEDED, full.error
    _assert_exact(hub, mapped)
    longest = _no_long_urls(hub)

    edited = []
    vendor = mapped["custom.w0777"].split(".")[-1]
    for record in control.iter_records(system, case.tenant, case.objects[entity]):
        if record.deleted:
            continue
        edit = {**case.remote_edit(entity, record), vendor: f"Edited {record.id[-4:]}"}
        control.update(system, case.tenant, case.objects[entity], record.id, edit)
        edited.append(record.id)
        if len(edited) == 3:
            break
    incremental = hub.sync(entities=[entity])
    assert incremental.state is RunState.SUCCEEDED, incremental.error
    assert incremental.counts[entity].updated == len(edited), incremental.counts[entity]
    _assert_exact(hub, mapped)
    longest = max(longest, _no_long_urls(hub))
    figures = f"full: {_per_page(full, entity)}, incremental: {_per_page(incremental, entity)}"

    if "bulk_threshold" in hub.connection.config:  # the full read above was a bulk job
        # Bulk reads off: the REST list pages, with their field lists in the URL.
        fields = {**case.connection_fields(hub.sandbox), "bulk_threshold": 0}
        hub.service.connections.update_connection(
            ORG, hub.connection.id, ConnectionUpdate(fields=fields)
        )
        control.update(system, case.tenant, case.objects[entity], edited[0], {vendor: "Again"})
        listed = hub.sync(full=True, entities=[entity])
        assert listed.state is RunState.SUCCEEDED, listed.error
        assert listed.counts[entity].updated == 1, listed.counts[entity]
        _assert_exact(hub, mapped)
        longest = max(longest, _no_long_urls(hub))
        figures += f", full without bulk: {_per_page(listed, entity)}"
    print(f"\n{case.id}: {WIDE:,} custom fields mapped; {figures}; longest URL {longest:,}")
