"""A vendor account's budget as an adapter sees it: shared limiter, shared breaker, a meter.

HubSpot counts its limits per portal, Salesforce per org, Zoho per organisation:
every run and every worker using one vendor account spends one budget. The
adapter cannot know who else spends it (adapters never touch the store), so the
service hands it an `AccountBudget` (core.budgets builds them, on Redis or on a
file beside the store). Without one, an adapter keeps a budget of its own.

Every call is metered by kind, so a run can say what it spent and a connection
can be held to its share of the vendor's daily allowance:

    >>> with counting_as(CallKind.METADATA):   # field discovery, describe calls
    ...     pass

and by the entity it was made for: entities of one run read together through one
adapter, so the engine names the entity where its thread starts, and the threads an
entity starts (read-ahead, pages fetched ahead) run in a copy of that context:

    >>> with counting_for("contact"):
    ...     call_entity()
    'contact'
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from enum import StrEnum
from typing import Protocol

from adapters.circuit import CircuitBreaker
from adapters.ratelimit import RateLimit, RateLimiter
from adapters.timing import Clock


class CallKind(StrEnum):
    READ = "read"
    WRITE = "write"
    AUTH = "auth"  # token endpoints: logins and refreshes
    METADATA = "metadata"  # describe calls, field discovery, counts


_KIND: ContextVar[CallKind | None] = ContextVar("call_kind", default=None)
_ENTITY: ContextVar[str | None] = ContextVar("call_entity", default=None)


@contextmanager
def counting_as(kind: CallKind) -> Iterator[None]:
    """Calls made inside the block are of `kind` (per thread and per task)."""
    token = _KIND.set(kind)
    try:
        yield
    finally:
        _KIND.reset(token)


@contextmanager
def counting_for(entity: str) -> Iterator[None]:
    """Calls made inside the block, and on threads started from it with its context
    (`contextvars.copy_context()`), are counted to `entity`."""
    token = _ENTITY.set(entity)
    try:
        yield
    finally:
        _ENTITY.reset(token)


def call_entity() -> str | None:
    """The entity the calling thread's calls are counted to (None: the run's own)."""
    return _ENTITY.get()


def call_kind(method: str, *, authenticate: bool, idempotent: bool | None) -> CallKind:
    """A call's kind: what the block says, else a token call, a read or a write."""
    declared = _KIND.get()
    if declared is not None:
        return declared
    if not authenticate:
        return CallKind.AUTH
    if idempotent or method.upper() in ("GET", "HEAD", "OPTIONS"):
        return CallKind.READ  # a search sent as POST is still a read
    return CallKind.WRITE


class AccountBudget(Protocol):
    """One vendor account's shared pieces, for one connection using it."""

    key: str  # the account, e.g. "hubspot:api.hubapi.com:3f2a…" (no secret in it)

    def limiter(
        self, limits: Sequence[RateLimit], *, max_concurrent: int | None, clock: Clock
    ) -> RateLimiter: ...

    def breaker(self, vendor: str, *, clock: Clock) -> CircuitBreaker: ...

    def charge(self, kind: CallKind) -> None:
        """Count one call before it is sent; QuotaExhaustedError when this connection's
        share of the vendor's daily allowance is spent (the run pauses until the reset)."""
        ...


def declared_kind() -> CallKind | None:
    """The kind an enclosing `counting_as` block declared, if any (an inner block that only
    knows a default keeps it)."""
    return _KIND.get()
