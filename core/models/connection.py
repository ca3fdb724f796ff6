"""A connection: one organisation's configured link to one system (the seed's
IntegrationCredential). Its secret is stored only sealed (see core.vault)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Self

from pydantic import Field, StringConstraints, field_validator, model_validator

from core.clock import new_id, utcnow
from core.models.common import Entity, Identifier, Model, System, Text2000, UtcDatetime


class Direction(StrEnum):
    PULL = "pull"  # vendor -> ToothPick
    PUSH = "push"  # ToothPick -> vendor
    BOTH = "both"


class ConflictPolicy(StrEnum):
    TIMESTAMP = "timestamp"  # the most recent change wins
    MANUAL = "manual"  # held for review, both versions kept
    SKIP = "skip"  # neither side touched, logged


class ConnectionStatus(StrEnum):
    ACTIVE = "active"
    DISABLED = "disabled"
    NEEDS_RECONNECT = "needs_reconnect"  # the vendor refused our credentials or refresh
    ERROR = "error"


class Schedule(Model):
    """Every `interval_hours` (default: the settings' 6 hours) or a 5-field cron line."""

    enabled: bool = True
    interval_hours: float | None = Field(default=None, gt=0, le=24 * 31)
    cron: str | None = Field(default=None, max_length=120)

    @field_validator("cron")
    @classmethod
    def _cron_is_valid(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        from apscheduler.triggers.cron import CronTrigger

        try:
            CronTrigger.from_crontab(value.strip())
        except ValueError as exc:
            raise ValueError(f"not a valid cron expression ({exc})") from None
        return value.strip()

    @model_validator(mode="after")
    def _one_rule(self) -> Self:
        if self.interval_hours is not None and self.cron is not None:
            raise ValueError("give either interval_hours or cron, not both")
        return self


class AlertThresholds(Model):
    """Per-connection alert thresholds; None takes the settings' default."""

    consecutive_failures: int | None = Field(default=None, ge=1, le=100)
    p95_response_ms: float | None = Field(default=None, gt=0, le=24 * 3600 * 1000)
    rate_limit_wait_s: float | None = Field(default=None, gt=0, le=24 * 3600)


class RunLimits(Model):
    """Per-connection limits on retries and vendor budget; None takes the settings' default."""

    max_retries: int | None = Field(default=None, ge=0, le=20)
    # share of the vendor's daily allowance this connection may spend (0.5: half)
    daily_share: float | None = Field(default=None, gt=0, le=1)
    # the account's own daily allowance when it differs from the vendor's default (edition,
    # licences, add-ons); None: the adapter's documented default
    daily_allowance: int | None = Field(default=None, ge=1, le=1_000_000_000)


FieldPath = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=120, pattern=r"^[A-Za-z_][\w.]*$"
    ),
]
"""A canonical field name (`email`) or a custom one (`custom.loyalty_tier`)."""

VendorField = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=r"^[^\s]+$")
]


class FieldOverride(Model):
    """One per-connection mapping change: carry `vendor_field` as `canonical_field`.

    Renames a default mapping when `canonical_field` is a standard field, adds a
    mapped custom field when it starts with `custom.`.
    """

    entity: Entity
    canonical_field: FieldPath
    vendor_field: VendorField
    direction: Direction = Direction.BOTH


ConfigValue = str | int | float | bool


class Connection(Model):
    id: Identifier = Field(default_factory=new_id)
    organisation_id: Identifier
    system: System
    name: str = Field(min_length=1, max_length=100)
    config: dict[str, ConfigValue] = Field(default_factory=dict)
    sealed_secret: str = Field(repr=False, min_length=1)
    status: ConnectionStatus = ConnectionStatus.ACTIVE
    status_detail: Text2000 | None = None
    entities: list[Entity] = Field(default_factory=list)
    direction: Direction = Direction.PULL
    conflict_policy: ConflictPolicy = ConflictPolicy.TIMESTAMP
    approve_deletes: bool = False
    schedule: Schedule = Field(default_factory=Schedule)
    field_overrides: list[FieldOverride] = Field(default_factory=list)
    alert_thresholds: AlertThresholds = Field(default_factory=AlertThresholds)
    run_limits: RunLimits = Field(default_factory=RunLimits)
    created_at: UtcDatetime = Field(default_factory=utcnow)
    updated_at: UtcDatetime = Field(default_factory=utcnow)

    @field_validator("name")
    @classmethod
    def _name_is_printable(cls, value: str) -> str:
        value = value.strip()
        if not value or not value.isprintable():
            raise ValueError("must be printable text")
        return value

    @field_validator("entities")
    @classmethod
    def _entities_unique(cls, value: list[Entity]) -> list[Entity]:
        return list(dict.fromkeys(value))
