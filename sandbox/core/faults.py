"""Injectable faults: which requests misbehave, and how.

A rule matches requests by system, tenant, object, operation, method and path
prefix (all optional) and then either fails a seeded fraction of them (`rate`,
optionally capped by `times`) or plays a scripted `sequence` of outcomes, one
per matching request ("ok" lets one through), and retires when it runs out.
The core decides *whether* a request fails; the vendor decides what the failure
looks like (its own 429 body, 401 body, daily-quota body and headers).

Rule JSON, as the control API and `SandboxControl.add_fault` take it:

    {"system": "hubspot", "tenant": "acme", "object": "contacts", "op": "list",
     "sequence": ["rate_limited", "ok", {"kind": "server_error", "status": 503}]}
    {"system": "salesforce", "kind": "slow", "delay_s": 5, "rate": 0.1, "seed": 3}
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import count
from typing import Any


class FaultKind(StrEnum):
    RATE_LIMITED = "rate_limited"
    SERVER_ERROR = "server_error"
    SLOW = "slow"
    SLOW_ANSWER = "slow_answer"  # the vendor acts at once, then answers `delay_s` late
    DROP = "drop"
    MALFORMED = "malformed"
    TRUNCATED = "truncated"
    TOKEN_EXPIRED = "token_expired"
    DAILY_LIMIT = "daily_limit"
    # The vendor gave up on a long query: Salesforce's 400 QUERY_TIMEOUT, a gateway's 504
    # (in each vendor's own page) elsewhere.
    QUERY_TIMEOUT = "query_timeout"


OPS = ("auth", "list", "read", "search", "create", "update", "delete", "metadata", "other")
WRITE_OPS = frozenset({"create", "update", "delete"})


class FaultSpecError(ValueError):
    """A fault rule the control API cannot accept; the message names the field."""


@dataclass(frozen=True, slots=True)
class Fault:
    kind: FaultKind
    status: int = 500
    delay_s: float = 10.0
    retry_after_s: int = 10

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "status": self.status,
            "delay_s": self.delay_s,
            "retry_after_s": self.retry_after_s,
        }


@dataclass(frozen=True, slots=True)
class RequestFacts:
    system: str
    tenant: str | None
    object: str | None
    op: str
    method: str
    path: str


@dataclass
class FaultRule:
    id: str
    system: str | None = None
    tenant: str | None = None
    object: str | None = None
    op: str | None = None
    method: str | None = None
    path: str | None = None
    sequence: list[Fault | None] | None = None
    fault: Fault | None = None
    rate: float = 1.0
    times: int | None = None
    seed: int = 0
    hits: int = 0
    _rng: random.Random = field(default_factory=random.Random, repr=False)

    def matches(self, facts: RequestFacts) -> bool:
        if self.system is not None and self.system != facts.system:
            return False
        if self.tenant is not None and self.tenant != facts.tenant:
            return False
        if self.object is not None and self.object != facts.object:
            return False
        if self.op is not None and not (
            self.op == facts.op or (self.op == "write" and facts.op in WRITE_OPS)
        ):
            return False
        if self.method is not None and self.method != facts.method:
            return False
        return self.path is None or facts.path.startswith(self.path)

    @property
    def exhausted(self) -> bool:
        if self.sequence is not None:
            return self.hits >= len(self.sequence)
        return self.times is not None and self.hits >= self.times

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "hits": self.hits}
        for name in ("system", "tenant", "object", "op", "method", "path"):
            if getattr(self, name) is not None:
                data[name] = getattr(self, name)
        if self.sequence is not None:
            data["sequence"] = [f.as_dict() if f else "ok" for f in self.sequence]
        if self.fault is not None:
            data.update(self.fault.as_dict(), rate=self.rate, times=self.times, seed=self.seed)
        return data


def parse_fault(value: Any, where: str = "kind") -> Fault | None:
    """One fault from "kind" or {"kind": ..., "status": ...}; "ok" means no fault."""
    spec = {"kind": value} if isinstance(value, str) else value
    if not isinstance(spec, dict):
        raise FaultSpecError(f"{where}: expected a fault name or object, got {value!r}")
    kind = spec.get("kind")
    if kind == "ok":
        return None
    try:
        fault_kind = FaultKind(str(kind))
    except ValueError:
        names = ", ".join(k.value for k in FaultKind)
        raise FaultSpecError(
            f"{where}: unknown fault kind {kind!r} (one of: ok, {names})"
        ) from None
    default = {FaultKind.SERVER_ERROR: 503, FaultKind.QUERY_TIMEOUT: 504}.get(fault_kind, 500)
    status = int(spec.get("status", default))
    if fault_kind is FaultKind.SERVER_ERROR and status not in (500, 502, 503, 504):
        raise FaultSpecError(f"{where}.status: server_error status must be 500, 502, 503 or 504")
    delay = float(spec.get("delay_s", 10.0))
    retry_after = int(spec.get("retry_after_s", 10))
    if delay < 0 or retry_after < 0:
        raise FaultSpecError(f"{where}: delay_s and retry_after_s must not be negative")
    return Fault(fault_kind, status=status, delay_s=delay, retry_after_s=retry_after)


class FaultInjector:
    def __init__(self) -> None:
        self._rules: list[FaultRule] = []
        self._ids = count(1)

    def add(self, spec: dict[str, Any]) -> FaultRule:
        """Validate a rule's JSON and start applying it; FaultSpecError on bad input."""
        if not isinstance(spec, dict):
            raise FaultSpecError("a fault rule must be a JSON object")
        known = {"system", "tenant", "object", "op", "method", "path", "sequence", "rate"}
        known |= {"times", "seed", "kind", "status", "delay_s", "retry_after_s"}
        unknown = sorted(set(spec) - known)
        if unknown:
            raise FaultSpecError(f"unknown field(s) in fault rule: {', '.join(unknown)}")
        op = spec.get("op")
        if op is not None and op not in (*OPS, "write"):
            raise FaultSpecError(f"op: must be one of {', '.join((*OPS, 'write'))}")
        rule = FaultRule(id=f"f{next(self._ids)}")
        for name in ("system", "tenant", "object", "op", "path"):
            value = spec.get(name)
            if value is not None and not isinstance(value, str):
                raise FaultSpecError(f"{name}: must be a string")
            setattr(rule, name, value)
        rule.method = spec["method"].upper() if isinstance(spec.get("method"), str) else None
        if "sequence" in spec:
            steps = spec["sequence"]
            if not isinstance(steps, list) or not steps:
                raise FaultSpecError("sequence: must be a non-empty list")
            rule.sequence = [parse_fault(step, f"sequence[{i}]") for i, step in enumerate(steps)]
        elif "kind" in spec:
            rule.fault = parse_fault(spec)
            if rule.fault is None:
                raise FaultSpecError("kind: 'ok' only makes sense inside a sequence")
            rule.rate = float(spec.get("rate", 1.0))
            if not 0.0 <= rule.rate <= 1.0:
                raise FaultSpecError("rate: must be between 0 and 1")
            times = spec.get("times")
            rule.times = int(times) if times is not None else None
            rule.seed = int(spec.get("seed", 0))
            rule._rng = random.Random(rule.seed)
        else:
            raise FaultSpecError("a fault rule needs either 'sequence' or 'kind'")
        self._rules.append(rule)
        return rule

    def pick(self, facts: RequestFacts) -> Fault | None:
        """The fault for this request, if any: the first live rule that fires decides."""
        for rule in self._rules:
            if rule.exhausted or not rule.matches(facts):
                continue
            if rule.sequence is not None:
                step = rule.sequence[rule.hits]
                rule.hits += 1
                return step
            if rule.rate >= 1.0 or rule._rng.random() < rule.rate:
                rule.hits += 1
                return rule.fault
        return None

    def rules(self) -> list[FaultRule]:
        return list(self._rules)

    def remove(self, rule_id: str) -> bool:
        before = len(self._rules)
        self._rules = [r for r in self._rules if r.id != rule_id]
        return len(self._rules) != before

    def clear(self, *, system: str | None = None, tenant: str | None = None) -> int:
        keep = [
            r
            for r in self._rules
            if (system is not None and r.system != system)
            or (tenant is not None and r.tenant != tenant)
        ]
        removed = len(self._rules) - len(keep)
        self._rules = keep
        return removed
