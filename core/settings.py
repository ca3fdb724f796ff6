"""Process configuration, read from the environment and an optional `.env` file.

The seed's variable names (`INTEGRATION_ENCRYPTION_KEY`, `MONGODB_URI`,
`REDIS_URL`) are kept as they are; everything else is `TOOTHPICK_*`.
`load_settings()` turns any invalid value into one `ConfigError` line naming
the variable, so every entry point (CLI, dashboard, API, scheduler, worker)
fails the same readable way instead of with a traceback.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.errors import ConfigError


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="TOOTHPICK_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        validate_default=True,
        populate_by_name=True,
    )

    environment: Environment = Field(default=Environment.DEVELOPMENT, alias="TOOTHPICK_ENV")
    encryption_key: SecretStr | None = Field(default=None, alias="INTEGRATION_ENCRYPTION_KEY")
    retired_encryption_keys: SecretStr | None = Field(
        default=None,
        alias="INTEGRATION_ENCRYPTION_RETIRED_KEYS",
        description="Comma-separated keys that still open old secrets after a rotation.",
    )
    mongodb_uri: SecretStr | None = Field(default=None, alias="MONGODB_URI")
    mongodb_database: str = Field(default="toothpick", min_length=1, max_length=63)
    redis_url: SecretStr | None = Field(default=None, alias="REDIS_URL")
    queue_namespace: str = Field(
        default="toothpick",
        pattern=r"^[A-Za-z0-9_.:-]{1,64}$",
        description="Prefix of the Redis keys of the run queue (one per deployment).",
    )
    data_dir: Path = Path("data")
    log_retention_days: int = Field(default=90, ge=1, le=3650)
    sqlite_cache_mib: int = Field(
        default=32,
        ge=1,
        le=4096,
        description="Page cache of each SQLite connection; the dashboard's readers share one.",
    )
    sqlite_worker_heap_mib: int = Field(
        default=16,
        ge=0,
        le=65536,
        description="SQLite's page caches together in a worker process (soft; 0: no bound).",
    )
    sync_interval_hours: float = Field(default=6.0, gt=0, le=24 * 31)
    # Every connection is reconciled with its vendor this often (core.sync.reconcile);
    # 0 turns the scheduled reconciliation off (full syncs still reconcile).
    reconcile_interval_hours: float = Field(default=24.0, ge=0, le=24 * 31)
    # Alert thresholds; each connection may override the first three (dashboard, service).
    alert_consecutive_failures: int = Field(default=3, ge=1, le=100)
    alert_p95_response_ms: float = Field(
        default=300_000,
        gt=0,
        description="Slow-responses alert: p95 duration of a connection's syncs over 24 hours.",
    )
    alert_rate_limit_wait_s: float = Field(default=60.0, gt=0)
    alert_stuck_after_s: float = Field(
        default=300.0, gt=0, description="A running run whose heartbeat is older is stuck."
    )
    # Failed runs are retried with backoff and jitter; a connection may set its own limit.
    run_max_retries: int = Field(default=3, ge=0, le=20)
    run_retry_base_s: float = Field(default=30.0, gt=0, le=24 * 3600)
    run_retry_max_s: float = Field(default=1800.0, gt=0, le=7 * 24 * 3600)
    # Vendor budgets: each connection may spend this share of its vendor's daily allowance
    # (the rest belongs to the customer's other integrations); a connection may override it.
    vendor_daily_share: float = Field(default=0.5, gt=0, le=1)
    vendor_budget_day_s: int = Field(
        default=86_400,
        ge=1,
        le=86_400,
        description="Length of the allowance's day (UTC midnight to midnight by default).",
    )
    # Work in flight (issue 16): a run waits on its vendor almost all the time, so one
    # worker process keeps several runs, entities and pages going at once; the vendor
    # account's rate limiter and concurrency slots bound all of it.
    worker_runs_in_flight: int = Field(default=16, ge=1, le=64)
    entities_in_flight: int = Field(default=4, ge=1, le=16)
    pages_in_flight: int = Field(default=4, ge=1, le=16)
    # Records fetched and not yet stored, across every stream of a worker process: memory
    # stays flat however many runs and entities are in flight (core.page_budget).
    # Pages of at most 250 records (HubSpot's, Zoho's) have half as many again of their own.
    records_buffered: int = Field(default=12_000, ge=1_000, le=1_000_000)
    # Its name before it counted records: refused rather than ignored, so a deployment
    # that set it learns its setting no longer applies.
    pages_buffered: str | None = Field(default=None, alias="TOOTHPICK_PAGES_BUFFERED", exclude=True)
    # Pages stored at once across a worker process's runs, the smallest first
    # (core.store_turns); 0: every stream stores when its page is ready.
    store_turns: int = Field(default=1, ge=0, le=64)
    vendor_connect_timeout_s: float = Field(default=5.0, gt=0, le=120)
    vendor_read_timeout_s: float = Field(default=30.0, gt=0, le=600)
    ca_bundle: Path | None = Field(
        default=None,
        description="PEM file of extra CA certificates to trust for vendor calls (on top of "
        "the standard ones), e.g. the sandbox's local CA or a corporate proxy's.",
    )
    outbound_hosts: str = Field(
        default="",
        description="Extra vendor hosts the hub may call, as system=host entries (a host "
        "starting with a dot allows its subdomains), e.g. 'sap=erp.acme.example "
        "odoo=.odoo.acme.example'. Each system's own vendor domains are always allowed "
        "(adapters.outbound.VENDOR_DOMAINS).",
    )
    outbound_allow_networks: str = Field(
        default="",
        description="CIDR networks the hub may call although they are private or otherwise "
        "special (e.g. '10.20.0.0/16' for an on-premise SAP); comma or space separated.",
    )
    organisation: str = Field(
        default="toothpick",
        pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$",
        description="Organisation the local dashboard and CLI act for.",
    )
    log_level: str = Field(default="INFO", pattern=r"^(DEBUG|INFO|WARNING|ERROR)$")
    dashboard_port: int = Field(default=8501, ge=1, le=65535)
    # Loopback by default: the embedded dashboard has no login of its own; put it behind
    # your SSO proxy before listening on other interfaces.
    dashboard_host: str = Field(default="127.0.0.1", pattern=r"^[\w.:-]+$")
    # The REST API (api/), started by `toothpick up` beside the dashboard.
    api_port: int = Field(default=8000, ge=1, le=65535)
    api_host: str = Field(default="127.0.0.1", pattern=r"^[\w.:-]+$")
    api_rate_limit_per_minute: int = Field(
        default=600, ge=1, le=1_000_000, description="Requests per minute allowed to one API key."
    )
    session_ttl_minutes: int = Field(
        default=60, ge=1, le=7 * 24 * 60, description="Sign-in sessions expire after this."
    )
    api_max_body_bytes: int = Field(default=1_048_576, ge=1024, le=64 * 1_048_576)
    sandbox_port: int = Field(default=8765, ge=0, le=65535)
    sandbox_tls_port: int = Field(default=8766, ge=0, le=65535)

    @field_validator("mongodb_uri", "redis_url", "encryption_key", "ca_bundle", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("pages_buffered")
    @classmethod
    def _retired_pages_buffered(cls, value: str | None) -> None:
        if value is not None:
            raise ValueError(
                "no longer read: set TOOTHPICK_RECORDS_BUFFERED instead, which counts records "
                "fetched and not yet stored (12000 by default), not pages"
            )

    @field_validator("mongodb_uri")
    @classmethod
    def _mongodb_scheme(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith(
            ("mongodb://", "mongodb+srv://")
        ):
            raise ValueError("must start with mongodb:// or mongodb+srv://")
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith(
            ("redis://", "rediss://", "unix://")
        ):
            raise ValueError("must start with redis://, rediss:// or unix://")
        return value

    @field_validator("ca_bundle")
    @classmethod
    def _ca_bundle_exists(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(f"no such file: {value}")
        return value

    @field_validator("outbound_hosts")
    @classmethod
    def _outbound_hosts(cls, value: str) -> str:
        from adapters.outbound import parse_vendor_hosts

        parse_vendor_hosts(value)
        return value

    @field_validator("outbound_allow_networks")
    @classmethod
    def _outbound_networks(cls, value: str) -> str:
        from adapters.outbound import parse_networks

        parse_networks(value)
        return value

    @property
    def database_path(self) -> Path:
        """The embedded SQLite store, used whenever MONGODB_URI is unset."""
        return self.data_dir / "toothpick.db"

    @property
    def development_key_path(self) -> Path:
        return self.data_dir / "encryption.key"

    @property
    def is_production(self) -> bool:
        return self.environment is Environment.PRODUCTION


def _variable_name(field_name: str) -> str:
    field = Settings.model_fields.get(field_name)
    if field is not None and field.alias:
        return field.alias
    return f"TOOTHPICK_{field_name.upper()}"


def load_settings(**overrides: Any) -> Settings:
    """Read settings once; raise a one-line `ConfigError` naming the bad variable."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            location = error.get("loc") or ("?",)
            name = str(location[0])
            if name not in Settings.model_fields:
                name = next(
                    (f for f, info in Settings.model_fields.items() if info.alias == name), name
                )
            problems.append(f"{_variable_name(name)}: {error['msg']}")
        raise ConfigError("Invalid setting " + "; ".join(problems)) from None
