"""Inbound vendor webhooks: set up per connection, verified the vendor's way, coalesced.

A verified delivery is logged (operation `webhook`, with the entities it touched)
and queues an incremental sync of those entities. A burst coalesces: while the
connection has a run queued, later deliveries ride on it (the store refuses a
second active run); a delivery that lands after that run started reading is
picked up when it finishes (`SyncService.record_outcome` queues a follow-up
from the `webhook` log entries), so one follow-up covers every delivery that came
during a run: a burst becomes one run per run's length of deliveries (1,000 changes
spread over two seconds became 3 runs in bench/freshness_bench.py).

Replays are refused by fingerprint (signature, notification id or body hash)
for ten minutes, in marks every API process shares (the store, or Redis when
REDIS_URL is set; core/marks.py), so a delivery replayed to a sibling process
is refused too.
"""

from __future__ import annotations

import logging
import secrets
from collections import Counter

from core.clock import utcnow
from core.errors import InvalidInputError, RunAlreadyActiveError
from core.marks import Marks
from core.models import (
    Connection,
    Entity,
    LogEntry,
    LogLevel,
    LogStatus,
    Operation,
    RunTrigger,
    SyncOptions,
    System,
)
from core.schemas import InboundWebhook, WebhookEndpoint, WebhookReceipt, WebhookSetup
from core.services.connections import ConnectionService
from core.services.syncs import SyncService
from core.services.webhook_verify import HOW, VERIFIERS, Material, Rejected
from core.store.base import Store

log = logging.getLogger(__name__)
REPLAY_WINDOW_S = 600.0
_URL_TOKEN = {System.SALESFORCE, System.ODOO}
_BASIC = {System.PIPEDRIVE, System.SAP}


def _word(name: str) -> str:
    """A vendor object name folded for comparison: "A_BusinessPartner" -> "businesspartner",
    "companies" -> "company", "Contacts" -> "contact"."""
    name = name.lower().removeprefix("a_")
    if name.endswith("ies"):
        return name[:-3] + "y"
    return name[:-1] if name.endswith("s") else name


class WebhookService:
    def __init__(
        self, *, store: Store, connections: ConnectionService, syncs: SyncService, marks: Marks
    ) -> None:
        self._store = store
        self._connections = connections
        self._syncs = syncs
        self._marks = marks
        self.rejected: Counter[str] = Counter()

    def configure(
        self, organisation_id: str, connection_id: str, setup: WebhookSetup
    ) -> WebhookEndpoint:
        """Set up (or renew) a connection's webhook credentials; the answer shows them once."""
        connection = self._connections.stored_connection(organisation_id, connection_id)
        system = connection.system
        config: dict[str, str] = {}
        secret = secrets.token_urlsafe(24)
        if system is System.HUBSPOT:
            if not setup.secret:
                raise InvalidInputError(
                    "secret: HubSpot signs with your app's client secret", field="secret"
                )
            secret = setup.secret
        if system is System.SALESFORCE:
            if not setup.org_id:
                raise InvalidInputError(
                    "org_id: the Salesforce organisation id is required", field="org_id"
                )
            config["webhook_org_id"] = setup.org_id
        if system is System.ZOHO:
            config["webhook_channel_id"] = setup.channel_id or str(secrets.randbelow(10**15))
        if system in _BASIC:
            config["webhook_user"] = f"toothpick-{connection.id[-8:]}"
        self._connections.save_webhook(connection, config, secret)
        path = f"/api/webhooks/{system.value}/{connection.id}"
        return WebhookEndpoint(
            path=f"{path}?token={secret}" if system in _URL_TOKEN else path,
            how=HOW[system],
            secret=None if system is System.HUBSPOT else secret,
            user=config.get("webhook_user"),
            channel_id=config.get("webhook_channel_id"),
        )

    def receive(
        self, system: System, connection_id: str, hook: InboundWebhook
    ) -> WebhookReceipt | None:
        """Verify and act on one delivery; None means "answer 401" (the reason is logged)."""
        connection = self._store.locate_connection(connection_id)
        if connection is None or connection.system is not system:
            self._reject(system, None, "no such connection for this system")
            return None
        secret = self._connections.webhook_secret(connection)
        if secret is None:
            self._reject(system, connection, "webhooks are not set up")
            return None
        config = connection.config
        material = Material(
            secret=secret,
            user=_text(config.get("webhook_user")),
            org_id=_text(config.get("webhook_org_id")),
            channel_id=_text(config.get("webhook_channel_id")),
        )
        now_ms = int(utcnow().timestamp() * 1000)
        try:
            verified = VERIFIERS[system](hook, material, now_ms)
        except Rejected as exc:
            self._reject(system, connection, str(exc))
            return None
        seen = [f"replay:{connection.id}:{f}" for f in verified.fingerprints]
        if not self._marks.first_time(seen, REPLAY_WINDOW_S):
            self._reject(system, connection, "replayed delivery")
            return None
        entities = self._entities(connection, verified.objects)
        run_id, coalesced = self._queue(connection, entities, verified.notifications)
        return WebhookReceipt(
            notifications=verified.notifications,
            entities=[e.value for e in entities],
            run_id=run_id,
            coalesced=coalesced,
            reply=verified.reply,
            reply_type=verified.reply_type,
        )

    def _entities(self, connection: Connection, objects: list[str]) -> list[Entity]:
        """The connection's entities a delivery touched (all of them when it does not say)."""
        info = self._connections.system(connection.system)
        words = {_word(o) for o in objects if o} | {o.lower() for o in objects if o}
        touched = [
            s.entity
            for s in info.entities
            if s.entity in connection.entities
            and s.vendor_object
            and (_word(s.vendor_object) in words or s.vendor_object.lower() in words)
        ]
        return touched or list(connection.entities)

    def _queue(
        self, connection: Connection, entities: list[Entity], notifications: int
    ) -> tuple[str | None, bool]:
        self._store.append_logs(
            [
                LogEntry(
                    organisation_id=connection.organisation_id,
                    connection_id=connection.id,
                    system=connection.system,
                    operation=Operation.WEBHOOK,
                    message=f"{notifications} change notification(s): "
                    + ", ".join(e.value for e in entities),
                    records_processed=notifications,
                    metadata={"entities": [e.value for e in entities]},
                )
            ]
        )
        try:
            run = self._syncs.queue_sync(
                connection.organisation_id,
                connection.id,
                SyncOptions(entities=entities),
                trigger=RunTrigger.WEBHOOK,
            )
        except RunAlreadyActiveError as exc:
            return exc.run_id, True
        except InvalidInputError:  # disabled: noted in the log, nothing to run
            return None, False
        return run.id, False

    def _reject(self, system: System, connection: Connection | None, reason: str) -> None:
        self.rejected[system.value] += 1
        log.warning("webhook rejected (%s): %s", system.value, reason)
        if connection is not None:
            self._store.append_logs(
                [
                    LogEntry(
                        organisation_id=connection.organisation_id,
                        connection_id=connection.id,
                        system=connection.system,
                        operation=Operation.WEBHOOK,
                        level=LogLevel.WARNING,
                        status=LogStatus.ERROR,
                        message=f"Webhook rejected: {reason}",
                    )
                ]
            )
        return


def _text(value: object) -> str | None:
    return None if value is None else str(value)
