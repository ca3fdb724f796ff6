"""Notification channels of an organisation, and the outbox of messages to them.

A channel's secret (webhook signing secret, Slack URL, SMTP password) is sealed
like a connection's, bound to the organisation and to `channel:<id>`. One
`Notification` per (channel, alert, transition) is queued in the store and
delivered by the processes' dispatcher, never inside a sync.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import Field

from core.clock import new_id, utcnow
from core.models.common import Identifier, Model, UtcDatetime

ConfigValue = str | int | float | bool


class ChannelKind(StrEnum):
    WEBHOOK = "webhook"  # generic, signed per the Standard Webhooks specification
    SLACK = "slack"  # Slack-compatible incoming webhook
    EMAIL = "email"  # SMTP with STARTTLS and login


class NotificationChannel(Model):
    id: Identifier = Field(default_factory=new_id)
    organisation_id: Identifier
    kind: ChannelKind
    name: str = Field(min_length=1, max_length=100)
    config: dict[str, ConfigValue] = Field(default_factory=dict)
    sealed_secret: str = Field(repr=False, min_length=1)
    enabled: bool = True
    created_at: UtcDatetime = Field(default_factory=utcnow)

    @property
    def vault_scope(self) -> str:
        """The `connection_id` its secret is sealed under."""
        return f"channel:{self.id}"


class DeliveryState(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"  # gave up: the error says why


class Notification(Model):
    id: Identifier = Field(default_factory=new_id)
    organisation_id: Identifier
    channel_id: Identifier
    alert_id: Identifier
    transition: str = Field(max_length=40)
    payload: dict[str, Any] = Field(default_factory=dict)
    state: DeliveryState = DeliveryState.PENDING
    attempts: int = 0
    next_attempt_at: UtcDatetime = Field(default_factory=utcnow)
    last_error: str | None = Field(default=None, max_length=2000)
    created_at: UtcDatetime = Field(default_factory=utcnow)
    delivered_at: UtcDatetime | None = None
