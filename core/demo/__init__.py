"""The demo organisation: sandbox connections for the seven systems, and 30 days
of plausible history so the dashboard is alive on a fresh machine.

Seeding is idempotent per connection: a demo connection that already exists
(by name) is left as it is, history included. Only connections created by this
call get history, their share of conflicts and alerts, and a first real sync
queued against the local sandbox. Nothing here calls a vendor: the worker runs
the queued syncs. Reached through `service.admin.seed_demo`.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from core.clock import utcnow
from core.demo.history import History, history
from core.demo.profiles import DEMO_CONNECTIONS, DemoConnection
from core.demo.sandbox import refuse_in_production, sandbox_fields
from core.errors import ToothpickError
from core.models import Alert, AlertKind, AlertSeverity, ConnectionStatus, RunState
from core.schemas import ConnectionCreate, ConnectionPublic, DemoReport

if TYPE_CHECKING:
    from core.services.connections import ConnectionService
    from core.services.syncs import SyncService
    from core.settings import Settings
    from core.store.base import Store

log = logging.getLogger(__name__)


def demo_names() -> list[str]:
    return [demo.name for demo in DEMO_CONNECTIONS]


def _connect(
    connections: ConnectionService, settings: Settings, organisation_id: str, demo: DemoConnection
) -> ConnectionPublic:
    supported = connections.system(demo.system).supported_entities
    return connections.connect(
        organisation_id,
        ConnectionCreate(
            system=demo.system,
            name=demo.name,
            fields=sandbox_fields(demo.system, settings),
            entities=[entity for entity in demo.volumes if entity in supported],
            conflict_policy=demo.conflict_policy,
        ),
        test_first=False,
    )


def seed_demo(
    *,
    connections: ConnectionService,
    syncs: SyncService,
    store: Store,
    settings: Settings,
    organisation_id: str,
    days: int = 30,
    seed: int = 7,
    queue_syncs: bool = True,
    now: datetime | None = None,
) -> DemoReport:
    refuse_in_production(settings, "The demo organisation")
    now = now or utcnow()
    report = DemoReport()
    for demo in DEMO_CONNECTIONS:
        if store.get_connection_by_name(organisation_id, demo.name) is not None:
            report.already_present.append(demo.name)
            continue
        try:
            connection = _connect(connections, settings, organisation_id, demo)
        except ToothpickError as exc:
            report.skipped[demo.name] = str(exc)
            continue
        except Exception as exc:  # a broken adapter must not stop the rest of the demo
            log.exception("demo connection %s could not be created", demo.name)
            report.skipped[demo.name] = f"its adapter failed to load ({type(exc).__name__})"
            continue
        report.created.append(demo.name)
        past = history(connection, demo, now=now, days=days, seed=seed)
        for run in past.runs:
            store.create_run(run)
        report.runs += len(past.runs)
        report.log_entries += store.append_logs(past.logs)
        for conflict in demo.conflicts(connection, now):
            store.add_conflict(conflict)
            report.conflicts += 1
        for alert in _alerts(connection, demo, past, now):
            store.raise_alert(alert)
            report.alerts += 1
        if queue_syncs and not demo.failing_tail and connection.status is ConnectionStatus.ACTIVE:
            syncs.queue_sync(organisation_id, connection.id)
            report.queued += 1
    return report


# fmt: off
def _alerts(
    connection: ConnectionPublic, demo: DemoConnection, past: History, now: datetime
) -> list[Alert]:
    found = []
    tail = past.runs[-3:]
    if len(tail) == 3 and all(run.state is RunState.FAILED for run in tail):
        found.append(
            Alert(
                organisation_id=connection.organisation_id, connection_id=connection.id,
                system=connection.system, kind=AlertKind.CONSECUTIVE_FAILURES,
                severity=AlertSeverity.CRITICAL, created_at=tail[0].finished_at or now,
                last_seen_at=tail[-1].finished_at or now, count=3,
                message=f"{connection.name}: the last 3 syncs failed; latest: {tail[-1].error}",
            )
        )
    waited = max((sum(c.rate_limit_wait_s for c in r.counts.values()) for r in past.runs[-8:]),
                 default=0.0)
    if waited >= 60:
        found.append(
            Alert(
                organisation_id=connection.organisation_id, connection_id=connection.id,
                system=connection.system, kind=AlertKind.RATE_LIMIT,
                severity=AlertSeverity.INFO, created_at=now - timedelta(hours=5),
                last_seen_at=now - timedelta(hours=5),
                message=f"{connection.name}: waited {waited:.0f} s on {demo.label}'s rate "
                "limits in one sync",
            )
        )
    return found
# fmt: on
