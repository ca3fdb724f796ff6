"""Per-tenant request budgets: a rolling interval window and a daily allowance.

Every authenticated request is counted so vendors can report honest rate-limit
headers. Only when a tenant's `RateLimitConfig.enforce` is on does an exhausted
budget turn into the vendor's 429 (interval) or daily-quota error; the
`daily_limit` fault exhausts the daily allowance regardless, until it resets.

The same per-tenant knob carries the longest request URL the vendor's front door
accepts (`uri_max`; None: the vendor's published figure, `Vendor.uri_max`), which
is always enforced (sandbox.core.pipeline), as a real front door does.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from sandbox.core.clock import now_ms

Verdict = Literal["ok", "interval", "daily"]


@dataclass(frozen=True, slots=True)
class RateLimitConfig:
    """The vendor's published limits for one tenant (defaults are HubSpot-like)."""

    interval_max: int = 100
    interval_ms: int = 10_000
    daily_max: int = 250_000
    daily_reset: Literal["midnight", "rolling"] = "midnight"
    enforce: bool = False
    uri_max: int | None = None  # characters of path and query; None: the vendor's own


@dataclass(frozen=True, slots=True)
class RateUsage:
    """A snapshot for rendering headers; `retry_after_s` is set when refused."""

    interval_max: int
    interval_ms: int
    interval_remaining: int
    daily_max: int
    daily_used: int
    daily_remaining: int
    resets_at_ms: int
    retry_after_s: int = 0

    @property
    def resets_at(self) -> datetime:
        return datetime.fromtimestamp(self.resets_at_ms / 1000, UTC)


class RateBudget:
    def __init__(self, config: RateLimitConfig) -> None:
        self.config = config
        self._window: deque[int] = deque()
        self._daily_used = 0
        self._day_began_ms = 0
        self._day_ends_ms = 0
        self._exhausted_until_ms = 0

    def consume(self, *, enforce: bool = False) -> tuple[Verdict, RateUsage]:
        """Count one request, unless the budget refuses it (`enforce`: as if the tenant's
        `enforce` were on; realistic timing turns it on for every tenant)."""
        now = now_ms()
        self._roll(now)
        cfg = self.config
        enforce = enforce or cfg.enforce
        if self._exhausted_until_ms > now or (enforce and self._daily_used >= cfg.daily_max):
            retry = max(1, (self._day_ends_ms - now + 999) // 1000)
            return "daily", self._usage(now, retry)
        if enforce and len(self._window) >= cfg.interval_max:
            retry = max(1, (self._window[0] + cfg.interval_ms - now + 999) // 1000)
            return "interval", self._usage(now, retry)
        self._window.append(now)
        self._daily_used += 1
        return "ok", self._usage(now)

    def exhaust_daily(self) -> RateUsage:
        now = now_ms()
        self._roll(now)
        self._exhausted_until_ms = self._day_ends_ms
        self._daily_used = max(self._daily_used, self.config.daily_max)
        return self._usage(now, max(1, (self._day_ends_ms - now + 999) // 1000))

    def usage(self) -> RateUsage:
        now = now_ms()
        self._roll(now)
        return self._usage(now)

    def reset(self) -> None:
        self._window.clear()
        self._daily_used = 0
        self._day_began_ms = 0
        self._day_ends_ms = 0
        self._exhausted_until_ms = 0

    def _roll(self, now: int) -> None:
        horizon = now - self.config.interval_ms
        window = self._window
        while window and window[0] <= horizon:
            window.popleft()
        # Outside the current day (also before it: a test may set the sandbox's clock back).
        if not self._day_began_ms <= now < self._day_ends_ms:
            self._daily_used = 0
            self._exhausted_until_ms = 0
            self._day_ends_ms = self._next_day_end(now)
            rolling = self.config.daily_reset == "rolling"
            self._day_began_ms = now if rolling else self._day_ends_ms - 86_400_000

    def _next_day_end(self, now: int) -> int:
        if self.config.daily_reset == "rolling":
            return now + 86_400_000
        today = datetime.fromtimestamp(now / 1000, UTC).replace(
            hour=0, minute=0, second=0, microsecond=0
        )
        return int((today + timedelta(days=1)).timestamp() * 1000)

    def _usage(self, now: int, retry_after_s: int = 0) -> RateUsage:
        cfg = self.config
        return RateUsage(
            interval_max=cfg.interval_max,
            interval_ms=cfg.interval_ms,
            interval_remaining=max(0, cfg.interval_max - len(self._window)),
            daily_max=cfg.daily_max,
            daily_used=self._daily_used,
            daily_remaining=max(0, cfg.daily_max - self._daily_used),
            resets_at_ms=self._day_ends_ms,
            retry_after_s=retry_after_s,
        )
