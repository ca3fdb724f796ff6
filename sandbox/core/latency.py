"""Realistic vendor timing: how long each vendor takes to answer, and how many at once.

Off by default (tests want loopback speed). Switched on, every authenticated
request waits `fixed_ms` plus a uniform `jitter_ms` plus `per_record_ms` for
each record it serves, and a vendor's documented concurrency limit is
enforced with that vendor's own refusal (the `rate_limited` rendering of each
simulator: Zoho's 429 TOO_MANY_REQUESTS, Salesforce's 403
REQUEST_LIMIT_EXCEEDED "ConcurrentPerOrgLongTxn"...). The tenants' interval
and daily budgets (sandbox.core.limits) are enforced as well, and Pipedrive
counts its daily token budget (each call costs tokens by kind). Sources for
every figure: sandbox/README.md, "Realistic timing".

    >>> gate = LatencyGate()
    >>> gate.configure({"enabled": True, "scale": 0.5})   # half the real latencies
    >>> gate.profile("hubspot").fixed_ms
    120.0

Everything here runs on the server's event loop, so the in-flight counts need no lock.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from sandbox.core.clock import now_ms


@dataclass(frozen=True)
class LatencyProfile:
    fixed_ms: float
    jitter_ms: float
    per_record_ms: float
    # In-flight requests one account may have; the next one is refused (None: no limit).
    max_concurrent: int | None = None
    # Salesforce counts only requests running at least this long (its "long-running" rule).
    long_running_s: float = 0.0


PROFILES: dict[str, LatencyProfile] = {
    "salesforce": LatencyProfile(150, 100, 0.15, max_concurrent=25, long_running_s=20.0),
    "hubspot": LatencyProfile(120, 80, 0.5),
    "zoho": LatencyProfile(200, 150, 0.5, max_concurrent=20),
    "pipedrive": LatencyProfile(150, 100, 0.3),
    "sap": LatencyProfile(300, 200, 0.2),
    "oracle": LatencyProfile(400, 300, 0.4),
    "odoo": LatencyProfile(100, 80, 0.2),
}
# Zoho's concurrency by edition (tenant setting "edition").
ZOHO_CONCURRENCY = {"Free": 5, "Standard": 10, "Professional": 15, "Enterprise": 20, "Ultimate": 25}
# Pipedrive's token-based limits: daily budget = 30,000 x plan multiplier x seats.
PIPEDRIVE_MULTIPLIER = {"essential": 1, "advanced": 2, "professional": 4, "enterprise": 7}
PIPEDRIVE_COSTS = {"list": 20, "search": 40, "read": 2, "create": 10, "update": 10, "delete": 6}
PIPEDRIVE_SEATS = 5


class LatencyError(ValueError):
    """A latency setting the control API cannot accept; the message names the field."""


@dataclass
class Ticket:
    """One admitted request: who to release, how long to wait once answered."""

    key: tuple[str, str]
    started_ms: int


@dataclass
class LatencyGate:
    enabled: bool = False
    scale: float = 1.0  # multiplies every wait (a bench may run at half speed, say)
    overrides: dict[str, LatencyProfile] = field(default_factory=dict)
    seed: int = 0
    _rng: random.Random = field(default_factory=random.Random, repr=False)
    _in_flight: dict[tuple[str, str], list[int]] = field(default_factory=dict, repr=False)
    _tokens: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict, repr=False)

    def profile(self, system: str) -> LatencyProfile:
        return self.overrides.get(system) or PROFILES.get(system) or LatencyProfile(0, 0, 0)

    def configure(self, body: Any) -> dict[str, Any]:
        """Apply `{"enabled": bool, "scale": float, "seed": int, "profiles": {system: {...}}}`."""
        if not isinstance(body, dict):
            raise LatencyError("body must be a JSON object")
        unknown = sorted(set(body) - {"enabled", "scale", "seed", "profiles"})
        if unknown:
            raise LatencyError(f"unknown field(s): {', '.join(unknown)}")
        if "enabled" in body:
            if not isinstance(body["enabled"], bool):
                raise LatencyError("enabled: must be true or false")
            self.enabled = body["enabled"]
        if "scale" in body:
            scale = body["scale"]
            number = isinstance(scale, int | float) and not isinstance(scale, bool)
            if not number or not 0 <= scale <= 100:
                raise LatencyError("scale: must be a number between 0 and 100")
            self.scale = float(scale)
        if "seed" in body:
            self.seed = int(body["seed"])
            self._rng = random.Random(self.seed)
        for system, values in (body.get("profiles") or {}).items():
            if not isinstance(values, dict):
                raise LatencyError(f"profiles.{system}: must be an object")
            try:
                self.overrides[system] = replace(self.profile(system), **values)
            except TypeError as exc:
                raise LatencyError(f"profiles.{system}: {exc}") from None
        return self.describe()

    def describe(self) -> dict[str, Any]:
        systems = sorted(set(PROFILES) | set(self.overrides))
        return {
            "enabled": self.enabled,
            "scale": self.scale,
            "seed": self.seed,
            "profiles": {s: asdict(self.profile(s)) for s in systems},
        }

    # --- per request -------------------------------------------------------------------

    def reset(self, *, enabled: bool = False) -> None:
        """Back to the published profiles, at scale 1."""
        self.enabled, self.scale, self.overrides = enabled, 1.0, {}
        self._rng = random.Random(self.seed)

    def limit(self, system: str, settings: dict[str, Any]) -> int | None:
        if system in self.overrides:
            return self.overrides[system].max_concurrent
        if system == "zoho":
            edition = str(settings.get("edition", "")).split()[0] if settings.get("edition") else ""
            return ZOHO_CONCURRENCY.get(edition, self.profile(system).max_concurrent)
        return self.profile(system).max_concurrent

    def admit(self, system: str, tenant: str, settings: dict[str, Any]) -> Ticket | None:
        """A ticket for a request the account may start now; None: over its concurrency."""
        key, now = (system, tenant), now_ms()
        running = self._in_flight.setdefault(key, [])
        limit = self.limit(system, settings)
        if limit is not None:
            long_ms = self.profile(system).long_running_s * 1000
            counted = sum(1 for started in running if now - started >= long_ms)
            if counted >= limit:
                return None
        running.append(now)
        return Ticket(key, now)

    def release(self, ticket: Ticket) -> None:
        running = self._in_flight.get(ticket.key, [])
        if ticket.started_ms in running:
            running.remove(ticket.started_ms)

    def delay_s(self, system: str, records: int) -> float:
        p = self.profile(system)
        ms = p.fixed_ms + self._rng.uniform(0, p.jitter_ms) + p.per_record_ms * records
        return ms * self.scale / 1000

    def spend_tokens(self, system: str, tenant: str, op: str, settings: dict[str, Any]) -> bool:
        """Pipedrive's daily token budget; False when this call would overspend it."""
        if system != "pipedrive":
            return True
        day = now_ms() // 86_400_000
        key = (system, tenant)
        used_day, used = self._tokens.get(key, (day, 0))
        if used_day != day:
            used = 0
        plan = str(settings.get("plan", "essential"))
        budget = 30_000 * PIPEDRIVE_MULTIPLIER.get(plan, 1) * PIPEDRIVE_SEATS
        cost = PIPEDRIVE_COSTS.get(op, 2)
        if used + cost > budget:
            return False
        self._tokens[key] = (day, used + cost)
        return True

    def tokens_used(self, system: str, tenant: str) -> int:
        return self._tokens.get((system, tenant), (0, 0))[1]
