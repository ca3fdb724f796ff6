"""Budgets: the shared limiter, breaker and daily meter of each vendor account.

One `Budgets` per process (the runtime holds it). `for_connection` gives an
adapter its `AccountBudget` (adapters.budget): the account's limiter (one
pyrate-limiter `Limiter` per account and limit set in this process, over a
bucket every process shares), its breaker, and `charge`, which counts each
call for the connection and the account and refuses, with QuotaExhaustedError
(the run pauses at its checkpoint until the reset), a call past the
connection's share of the daily allowance.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from pydantic import SecretStr
from pyrate_limiter import Limiter

from adapters.budget import CallKind
from adapters.circuit import CircuitBreaker
from adapters.ratelimit import RateLimit, RateLimiter
from adapters.timing import Clock
from core.budgets.accounts import account_key, daily_allowance, daily_cap
from core.budgets.backend import BudgetBackend, FileBackend, RedisBackend
from core.budgets.shared import SharedCircuitBreaker, SharedRateLimiter, bucket_name, rates
from core.errors import QuotaExhaustedError
from core.models import Connection
from core.schemas import SystemInfo, VendorBudgetView
from core.settings import Settings

ACCOUNTS = "accounts"  # the index of accounts in use, for `toothpick status`
_TTL_S = 3 * 86_400


@dataclass(frozen=True)
class AccountInfo:
    key: str
    organisation_id: str
    system: str
    label: str
    allowance: int | None
    limits: str  # "100 per 10 s"


class Budgets:
    def __init__(self, backend: BudgetBackend, *, settings: Settings) -> None:
        self.backend = backend
        self._settings = settings
        self._limiters: dict[str, Limiter] = {}
        self._known: set[str] = set()
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> Budgets:
        if settings.redis_url is not None:
            backend: BudgetBackend = RedisBackend(
                settings.redis_url.get_secret_value(), namespace=settings.queue_namespace
            )
        else:
            backend = FileBackend(settings.data_dir / "vendor-budgets.sqlite")
        return cls(backend, settings=settings)

    def for_connection(
        self, info: SystemInfo, connection: Connection, secret: Mapping[str, SecretStr]
    ) -> ConnectionBudget:
        return ConnectionBudget(
            key=account_key(info, connection, secret),
            label=info.label,
            connection=connection,
            cap=daily_cap(connection, self._settings),
            budgets=self,
        )

    # --- what ConnectionBudget delegates ---------------------------------------------------

    def limiter(
        self,
        budget: ConnectionBudget,
        limits: Sequence[RateLimit],
        *,
        max_concurrent: int | None,
        clock: Clock,
    ) -> RateLimiter:
        self._register(budget, limits)
        name = bucket_name(budget.key, limits)
        shared: Limiter | None = None
        if limits:
            with self._lock:
                if name not in self._limiters:
                    self._limiters[name] = Limiter(self.backend.bucket(name, rates(limits)))
                shared = self._limiters[name]
        return SharedRateLimiter(
            account=budget.key,
            limits=limits,
            limiter=shared,
            backend=self.backend,
            clock=clock,
            max_concurrent=max_concurrent,
        )

    def charge(self, budget: ConnectionBudget, kind: CallKind) -> None:
        day_s = self._settings.vendor_budget_day_s
        day = int(time.time() // day_s)
        counters = {  # the connection's share, the account's total and its total by kind
            f"conn:{budget.connection.id}:{day}": 1,
            f"acct:{budget.key}:{day}": 1,
            f"acct:{budget.key}:{day}:{kind.value}": 1,
        }
        used, *_ = self.backend.add(counters, ttl_s=_TTL_S)
        if budget.cap is not None and used > budget.cap:
            # This call is not made: taken back at once (others may see it for that instant).
            self.backend.add(dict.fromkeys(counters, -1), ttl_s=_TTL_S)
            resets = datetime.fromtimestamp((day + 1) * day_s, UTC)
            allowance = daily_allowance(budget.connection)
            raise QuotaExhaustedError(
                f"This connection has made {budget.cap} {budget.label} calls today, its share "
                f"of the account's daily allowance of {allowance}; it resumes after the reset "
                f"at {resets:%Y-%m-%d %H:%M:%S} UTC",
                resets_at=resets,
            )

    # --- what `toothpick status` and the dashboard show ------------------------------------

    def accounts(self, organisation_id: str) -> list[AccountInfo]:
        index = self.backend.load(ACCOUNTS) or {}
        found = [AccountInfo(**value) for value in index.values()]
        return [a for a in found if a.organisation_id == organisation_id]

    def used_today(self, keys: Sequence[str]) -> list[int]:
        day = int(time.time() // self._settings.vendor_budget_day_s)
        return self.backend.counters([f"acct:{key}:{day}" for key in keys])

    def close(self) -> None:
        self.backend.close()

    def _register(self, budget: ConnectionBudget, limits: Sequence[RateLimit]) -> None:
        """Name the account in the index once per process (read-modify-write: a lost
        update is redone by the next process that uses the account)."""
        if budget.key in self._known:
            return
        shape = ", ".join(f"{limit.calls} per {limit.per_s:g} s" for limit in limits)
        info = AccountInfo(
            key=budget.key,
            organisation_id=budget.connection.organisation_id,
            system=budget.connection.system.value,
            label=budget.label,
            allowance=daily_allowance(budget.connection),
            limits=shape,
        )
        index = self.backend.load(ACCOUNTS) or {}
        index[budget.key] = info.__dict__
        self.backend.save(ACCOUNTS, index, ttl_s=30 * 86_400)
        if limits:  # the first limits named are the account's main ones (not HubSpot search)
            self._known.add(budget.key)


@dataclass
class ConnectionBudget:
    """adapters.budget.AccountBudget for one connection on its vendor account."""

    key: str
    label: str
    connection: Connection
    cap: int | None
    budgets: Budgets

    def limiter(
        self, limits: Sequence[RateLimit], *, max_concurrent: int | None, clock: Clock
    ) -> RateLimiter:
        return self.budgets.limiter(self, limits, max_concurrent=max_concurrent, clock=clock)

    def breaker(self, vendor: str, *, clock: Clock) -> CircuitBreaker:
        return SharedCircuitBreaker(
            vendor, account=self.key, backend=self.budgets.backend, clock=clock
        )

    def charge(self, kind: CallKind) -> None:
        self.budgets.charge(self, kind)


def budget_views(budgets: Budgets, organisation_id: str) -> list[VendorBudgetView]:
    """The organisation's vendor accounts in use, for `toothpick status` and the dashboard."""
    accounts = budgets.accounts(organisation_id)
    used = budgets.used_today([a.key for a in accounts])
    views = []
    for account, calls in zip(accounts, used, strict=True):
        paused = budgets.backend.paused_until(account.key)
        limiter = account.limits or "no published rate"
        if paused > time.time():
            limiter = f"paused until {datetime.fromtimestamp(paused, UTC):%H:%M:%S} UTC"
        breaker = budgets.backend.load(f"breaker:{account.key}") or {}
        views.append(
            VendorBudgetView(
                system=account.system,
                label=account.label,
                account=account.key,
                calls_today=calls,
                daily_allowance=account.allowance,
                share_used=calls / account.allowance if account.allowance else None,
                limiter=limiter,
                breaker=str(breaker.get("state", "closed")),
            )
        )
    return views
