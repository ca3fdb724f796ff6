"""Notification channels per organisation, and the outbox that carries alert transitions.

The alerts area hands each transition to `enqueue` (a store insert: a sync
never waits on a receiver); `deliver_due`, called by the processes' dispatcher
thread, sends what is due with the retry policy of core.notify.delivery and
records each outcome. A notification is one alert transition for one channel:
one message each, never one per run.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from typing import Any

from pydantic import SecretStr

from core.clock import utcnow
from core.errors import InvalidInputError, NotFoundError, ToothpickError
from core.models import ChannelKind, DeliveryState, Notification, NotificationChannel
from core.notify.delivery import MAX_DELIVERIES, deliver, next_delay
from core.notify.senders import DeliveryError, Message
from core.schemas import AlertTransition, ChannelCreate, ChannelPublic, CheckResult
from core.services.alerts import AlertService
from core.settings import Settings
from core.store.base import Store
from core.vault import Vault

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)  # a dispatcher that dies mid-send lets another retry after this


def _http_url(value: object, field: str) -> str:
    text = str(value or "").strip()
    if not text.startswith(("http://", "https://")):
        raise InvalidInputError(f"{field}: give an http:// or https:// URL", field=field)
    return text


def _addresses(value: object, field: str) -> str:
    items = [a.strip() for a in str(value or "").split(",") if a.strip()]
    if not items or any("@" not in a for a in items):
        raise InvalidInputError(f"{field}: give one or more e-mail addresses", field=field)
    return ", ".join(items)


def _checked(form: ChannelCreate) -> tuple[dict[str, Any], dict[str, SecretStr]]:
    """Normalised config and secrets for the kind.

    A webhook's signing secret is given, not generated: secrets never leave the hub,
    so the admin sets the same one here and at the receiver.
    """
    config, secrets = dict(form.config), dict(form.secrets)
    if form.kind is ChannelKind.WEBHOOK:
        from standardwebhooks.webhooks import Webhook  # here: a worker never checks a form

        config = {"url": _http_url(config.get("url"), "url")}
        signing = secrets.get("signing_secret", SecretStr("")).get_secret_value().strip()
        try:
            valid = signing.startswith("whsec_") and bool(Webhook(signing))
        except Exception:  # not base64 after the prefix, or empty
            valid = False
        if not valid:
            raise InvalidInputError(
                "signing_secret: give the receiver's secret, whsec_ and base64 (Standard Webhooks)",
                field="signing_secret",
            )
        secrets = {"signing_secret": SecretStr(signing)}
    elif form.kind is ChannelKind.SLACK:
        url = _http_url(secrets.get("webhook_url", SecretStr("")).get_secret_value(), "webhook_url")
        config, secrets = {}, {"webhook_url": SecretStr(url)}
    else:
        port = config.get("port", 587)
        if not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536:
            raise InvalidInputError("port: give a port number from 1 to 65535", field="port")
        if not str(config.get("host", "")).strip():
            raise InvalidInputError("host: give the SMTP server's host name", field="host")
        config = {
            "host": str(config["host"]).strip(),
            "port": port,
            "sender": _addresses(config.get("sender"), "sender"),
            "recipients": _addresses(config.get("recipients"), "recipients"),
            "username": str(config.get("username", "")).strip(),
            "starttls": bool(config.get("starttls", True)),
        }
        secrets = {k: v for k, v in secrets.items() if k == "password"}
    return config, secrets


def render(transition: AlertTransition, message_id: str) -> Message:
    alert = transition.alert
    subject = (
        f"[ToothPick] {alert.severity.value} alert {transition.transition.value}: "
        f"{alert.kind.value}"
    )
    lines = [transition.summary, f"Opened: {alert.created_at.isoformat(timespec='seconds')}"]
    if alert.acknowledged_at:
        lines.append(f"Acknowledged: {alert.acknowledged_at.isoformat(timespec='seconds')}")
    if alert.resolved_at:
        lines.append(f"Resolved: {alert.resolved_at.isoformat(timespec='seconds')}")
    body = {
        "type": f"alert.{transition.transition.value}",
        "timestamp": utcnow().isoformat(),
        "data": {"alert": alert.model_dump(mode="json"), "transition": transition.transition},
    }
    return Message(id=message_id, subject=subject, text="\n".join(lines), body=body)


class NotificationService:
    def __init__(
        self, *, settings: Settings, store: Store, vault: Vault, alerts: AlertService
    ) -> None:
        self._store = store
        self._vault = vault
        self._ca_file = str(settings.ca_bundle) if settings.ca_bundle else None
        alerts.subscribe(self.enqueue)

    # -- channels --------------------------------------------------------------------------

    def add_channel(self, organisation_id: str, form: ChannelCreate) -> ChannelPublic:
        config, secrets = _checked(form)
        channel = NotificationChannel(
            organisation_id=organisation_id,
            kind=form.kind,
            name=form.name.strip(),
            config=config,
            sealed_secret="pending",
            enabled=form.enabled,
        )
        sealed = self._vault.seal(
            secrets, organisation_id=organisation_id, connection_id=channel.vault_scope
        )
        stored = self._store.save_channel(channel.model_copy(update={"sealed_secret": sealed}))
        return self._public(stored)

    def list_channels(self, organisation_id: str) -> list[ChannelPublic]:
        return [self._public(c) for c in self._store.list_channels(organisation_id)]

    def set_enabled(self, organisation_id: str, channel_id: str, enabled: bool) -> ChannelPublic:
        channel = self._channel(organisation_id, channel_id)
        return self._public(
            self._store.save_channel(channel.model_copy(update={"enabled": enabled}))
        )

    def delete_channel(self, organisation_id: str, channel_id: str) -> None:
        if not self._store.delete_channel(organisation_id, channel_id):
            raise NotFoundError(f"No notification channel {channel_id!r} in this organisation.")

    def test_channel(self, organisation_id: str, channel_id: str) -> CheckResult:
        """Send one test message now (one attempt: the button shows the real answer)."""
        channel = self._channel(organisation_id, channel_id)
        message = Message(
            id=f"test-{utcnow().strftime('%Y%m%d%H%M%S%f')}",
            subject="[ToothPick] test notification",
            text=f"This is a test of the notification channel {channel.name!r}.",
            body={"type": "test", "timestamp": utcnow().isoformat(), "data": {}},
        )
        started = time.perf_counter()
        try:
            deliver(
                channel.kind,
                channel.config,
                self._secret(channel),
                message,
                attempts=1,
                ca_file=self._ca_file,
            )
        except DeliveryError as exc:
            ok, text = False, f"Not delivered: {exc}"
        else:
            ok, text = True, f"Delivered a test message to {channel.name!r}."
        return CheckResult(ok=ok, message=text, duration_ms=(time.perf_counter() - started) * 1000)

    def deliveries(self, organisation_id: str, *, limit: int = 50) -> list[Notification]:
        return self._store.list_notifications(organisation_id, limit=min(max(limit, 1), 500))

    # -- the outbox --------------------------------------------------------------------------

    def enqueue(self, transitions: list[AlertTransition]) -> int:
        """Queue each transition for each enabled channel of its organisation."""
        queued: list[Notification] = []
        channels: dict[str, list[NotificationChannel]] = {}
        for transition in transitions:
            org = transition.alert.organisation_id
            if org not in channels:
                channels[org] = [c for c in self._store.list_channels(org) if c.enabled]
            queued.extend(
                Notification(
                    organisation_id=org,
                    channel_id=channel.id,
                    alert_id=transition.alert.id,
                    transition=transition.transition.value,
                    payload=transition.model_dump(mode="json"),
                )
                for channel in channels[org]
            )
        return self._store.enqueue_notifications(queued) if queued else 0

    def deliver_due(self, *, limit: int = 20, initial_wait_s: float = 0.5) -> int:
        """Send the due notifications; returns how many were delivered."""
        now = utcnow()
        delivered = 0
        for note in self._store.claim_notifications(now=now, lease_until=now + LEASE, limit=limit):
            delivered += self._deliver_one(note, initial_wait_s=initial_wait_s)
        return delivered

    def _deliver_one(self, note: Notification, *, initial_wait_s: float) -> int:
        attempts = note.attempts + 1
        channel = self._store.get_channel(note.organisation_id, note.channel_id)
        try:
            if channel is None:
                raise DeliveryError("the channel was deleted", retriable=False)
            transition = AlertTransition.model_validate(note.payload)
            message = render(transition, note.id)
            deliver(
                channel.kind,
                channel.config,
                self._secret(channel),
                message,
                initial_wait_s=initial_wait_s,
                ca_file=self._ca_file,
            )
        except (DeliveryError, ToothpickError) as exc:
            retriable = isinstance(exc, DeliveryError) and exc.retriable
            give_up = not retriable or attempts >= MAX_DELIVERIES
            log.warning("notification %s not delivered (attempt %d): %s", note.id, attempts, exc)
            self._store.save_notification(
                note.model_copy(
                    update={
                        "attempts": attempts,
                        "last_error": str(exc)[:2000],
                        "state": DeliveryState.FAILED if give_up else DeliveryState.PENDING,
                        "next_attempt_at": utcnow() + next_delay(attempts),
                    }
                )
            )
            return 0
        self._store.save_notification(
            note.model_copy(
                update={
                    "attempts": attempts,
                    "state": DeliveryState.DELIVERED,
                    "delivered_at": utcnow(),
                    "last_error": None,
                }
            )
        )
        return 1

    # -- helpers -----------------------------------------------------------------------------

    def _channel(self, organisation_id: str, channel_id: str) -> NotificationChannel:
        channel = self._store.get_channel(organisation_id, channel_id)
        if channel is None:
            raise NotFoundError(f"No notification channel {channel_id!r} in this organisation.")
        return channel

    def _secret(self, channel: NotificationChannel) -> dict[str, str]:
        fields = self._vault.open(
            channel.sealed_secret,
            organisation_id=channel.organisation_id,
            connection_id=channel.vault_scope,
        )
        return {name: value.get_secret_value() for name, value in fields.items()}

    def _public(self, channel: NotificationChannel) -> ChannelPublic:
        secret_fields = {
            ChannelKind.WEBHOOK: ["signing_secret"],
            ChannelKind.SLACK: ["webhook_url"],
            ChannelKind.EMAIL: ["password"],
        }[channel.kind]
        return ChannelPublic(
            id=channel.id,
            kind=channel.kind,
            name=channel.name,
            config=channel.config,
            secret_fields=secret_fields,
            enabled=channel.enabled,
            created_at=channel.created_at,
        )
