"""IntegrationService: the one facade of the product.

The dashboard, the REST API, the CLI, the scheduler and the workers call this
and nothing below it. Every call that touches tenant data takes the
organisation id and refuses another organisation's objects (NotFoundError, so
existence is not revealed). The facade composes one object per area; each area
is a small class in core/services/ built from what it needs (keyword-only),
and reaches another area only through that area's public methods:

- connections: systems, connect / test / update / enable / delete;
- syncs: queue a run, runs, cancel; workers claim, beat, execute and finish runs
  here, and the scheduler reads its list of scheduled connections;
- alerts: open once, acknowledge, auto-resolve; thresholds; the standing-condition sweep;
- notifications: channels per organisation (signed webhook, Slack, e-mail) and the
  outbox that carries each alert transition to them;
- monitoring: status cards, logs, exports, KPIs, retention;
- review: local records and edits, conflicts and their resolution;
- admin: demo seeding, key rotation, credential and log imports;
- issues: per-record failures grouped by cause, retry, dismiss;
- access: API keys and authenticating the REST API's callers;
- webhooks: inbound vendor notifications, verified, queueing coalesced syncs.

    service = IntegrationService.open()
    service.connections.list_connections("acme")
    service.syncs.queue_sync("acme", connection_id)

The REST API's routers mirror these areas one to one. An area to come is
added the same way: one class, one attribute, one line in AREAS.
"""

from __future__ import annotations

from datetime import timedelta

from core.marks import StoreMarks
from core.runtime import Runtime
from core.services.access import AccessService
from core.services.admin import AdminService
from core.services.alerts import AlertService
from core.services.backfill import MappingBackfill
from core.services.connections import ConnectionService
from core.services.issues import IssuesService
from core.services.monitoring import MonitoringService
from core.services.notifications import NotificationService
from core.services.review import ReviewService
from core.services.syncs import SyncService
from core.services.webhooks import WebhookService
from core.settings import Settings

AREAS = (
    "connections",
    "syncs",
    "monitoring",
    "review",
    "admin",
    "issues",
    "access",
    "webhooks",
    "alerts",
    "notifications",
)


class IntegrationService:
    connections: ConnectionService
    syncs: SyncService
    monitoring: MonitoringService
    review: ReviewService
    admin: AdminService
    issues: IssuesService
    access: AccessService
    webhooks: WebhookService
    alerts: AlertService
    notifications: NotificationService

    def __init__(self, runtime: Runtime) -> None:
        # Tests and process wiring may read `runtime`; products call the areas.
        self.runtime = runtime
        settings, store, vault = runtime.settings, runtime.store, runtime.vault
        self.connections = ConnectionService(
            settings=settings, store=store, vault=vault, budgets=runtime.budgets
        )
        self.alerts = AlertService(settings=settings, store=store, connections=self.connections)
        self.notifications = NotificationService(
            settings=settings, store=store, vault=vault, alerts=self.alerts
        )
        self.monitoring = MonitoringService(
            settings=settings,
            store=store,
            connections=self.connections,
            alerts=self.alerts,
            queue=runtime.queue,
            budgets=runtime.budgets,
        )
        self.syncs = SyncService(
            settings=settings,
            store=store,
            connections=self.connections,
            alerts=self.alerts,
            queue=runtime.queue,
        )
        self.review = ReviewService(store=store, connections=self.connections)
        self.admin = AdminService(
            settings=settings,
            store=store,
            vault=vault,
            connections=self.connections,
            syncs=self.syncs,
        )
        self.issues = IssuesService(store=store, queue_sync=self.syncs.queue_sync)
        backfill = MappingBackfill(store=store, queue_sync=self.syncs.queue_sync)
        self.connections.on_mapping_change(backfill)
        self.syncs.on_run_end(backfill.queue_pending)  # a change made during a run
        marks = runtime.marks or StoreMarks(store)
        self.access = AccessService(
            store=store,
            marks=marks,
            session_key=vault.derive_key("toothpick-sessions-v1"),
            session_ttl=timedelta(minutes=settings.session_ttl_minutes),
        )
        self.webhooks = WebhookService(
            store=store, connections=self.connections, syncs=self.syncs, marks=marks
        )

    @classmethod
    def open(cls, settings: Settings | None = None) -> IntegrationService:
        return cls(Runtime.open(settings))

    @property
    def settings(self) -> Settings:
        return self.runtime.settings

    def close(self) -> None:
        self.runtime.close()
