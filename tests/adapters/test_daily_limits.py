"""A spent daily allowance, met at every hour: the seven adapters agree.

The rule (adapters/http.py `_wait_or_pause`, README "Vendor limits"): when the
vendor says its allowance comes back within the wait we allow in place
(`RetryPolicy.max_retry_after_s`, 120 s), the call waits and goes on; later than
that, the run pauses until the reset. Vendors that do not say when (SAP API
Management's quota fault, Salesforce's rolling 24-hour allowance) pause until our
own recheck time. The time decides, never the hour the suite happens to run: the
sandbox's clock and the adapter's are the same controlled clock here, set to
fixed instants around midnight, across a month end and a year end, and at noon.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import SecretStr

from adapters.base import AdapterContext
from adapters.failures import DEFAULT_QUOTA_PAUSE
from adapters.registry import adapter_class, system_info
from adapters.salesforce import ROLLING_RECHECK
from core.demo.sandbox import TENANT, sandbox_fields
from core.errors import QuotaExhaustedError
from core.models import Connection, System
from core.settings import Settings
from sandbox.testing import RunningSandbox, run_sandbox

ALL = tuple(System)
# Vendors whose daily-limit answer says when it resets (Retry-After or its own field).
TELLS_RESET = {System.HUBSPOT, System.ZOHO, System.PIPEDRIVE, System.ODOO, System.ORACLE}
NO_RESET_TOLD = {System.SAP: DEFAULT_QUOTA_PAUSE, System.SALESFORCE: ROLLING_RECHECK}

INSTANTS = {
    "noon": datetime(2026, 6, 15, 12, 0, tzinfo=UTC),
    "90 s before midnight": datetime(2026, 6, 15, 23, 58, 30, tzinfo=UTC),
    "10 min before midnight": datetime(2026, 6, 15, 23, 50, tzinfo=UTC),
    "just after midnight": datetime(2026, 6, 16, 0, 0, 30, tzinfo=UTC),
    "month end": datetime(2027, 1, 31, 23, 59, 30, tzinfo=UTC),
    "year end": datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC),
    "leap day": datetime(2028, 2, 29, 23, 59, tzinfo=UTC),
}
WAIT_IN_PLACE_S = 120.0  # RetryPolicy.max_retry_after_s


class SharedClock:
    """The adapter's clock and the sandbox's, moved together: a sleep by the adapter
    advances the sandbox too (so a wait for a reset meets the reset)."""

    def __init__(self, sandbox: RunningSandbox, start: datetime) -> None:
        self._sandbox = sandbox
        self._now = start
        self._lock = threading.Lock()
        self.sleeps: list[float] = []
        sandbox.control.set_clock(start, frozen=True)

    def monotonic(self) -> float:
        return self._now.timestamp()

    def now(self) -> datetime:
        return self._now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self._now += timedelta(seconds=max(seconds, 0.0))
        self._sandbox.control.advance_clock(max(seconds, 0.0))


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSandbox]:
    with run_sandbox(data_dir=tmp_path_factory.mktemp("sb"), webhooks=False) as running:
        yield running


@pytest.fixture(autouse=True)
def released_clock(sandbox: RunningSandbox) -> Iterator[None]:
    yield
    sandbox.control.clear_faults()
    sandbox.control.release_clock()
    for system in ALL:  # a spent allowance must not reach into the next test
        sandbox.control.set_limits(system.value, TENANT)


def _adapter(sandbox: RunningSandbox, system: System, clock: SharedClock) -> object:
    settings = Settings(
        sandbox_port=int(sandbox.url.rsplit(":", 1)[1]),
        sandbox_tls_port=int(str(sandbox.tls_url).rsplit(":", 1)[1]),
    )
    fields = sandbox_fields(system, settings)
    info = system_info(system)
    secret = {k: SecretStr(str(v)) for k, v in fields.items() if k in info.secret_fields}
    config = {k: v for k, v in fields.items() if k not in info.secret_fields}
    entity = next(e.entity for e in info.entities if e.supported)
    connection = Connection(
        organisation_id="org", system=system, name=system.value, config=config,
        sealed_secret="sealed", entities=[entity],
    )  # fmt: skip
    context = AdapterContext(
        connection=connection, secret=secret, read_timeout_s=10.0, ca_bundle=sandbox.ca_path
    )
    return adapter_class(system)(context, clock=clock, rand=lambda: 0.0)  # type: ignore[call-arg]


def _first_page(adapter: object) -> None:
    entity = adapter.context.connection.entities[0]  # type: ignore[attr-defined]
    pages = adapter.read(entity, since=None, resume=None)  # type: ignore[attr-defined]
    next(iter(pages))


def _next_midnight(now: datetime) -> datetime:
    return (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)


@pytest.mark.parametrize("instant", list(INSTANTS), ids=list(INSTANTS))
@pytest.mark.parametrize("system", ALL, ids=[s.value for s in ALL])
def test_a_spent_daily_allowance_waits_or_pauses_by_its_reset(
    sandbox: RunningSandbox, system: System, instant: str
) -> None:
    start = INSTANTS[instant]
    clock = SharedClock(sandbox, start)
    adapter = _adapter(sandbox, system, clock)
    resets = _sandbox_reset(sandbox, system)  # midnight UTC, or 24 h after the window began
    sandbox.control.add_fault({"system": system.value, "tenant": TENANT, "times": 1,
                               "kind": "daily_limit"})  # fmt: skip
    left = (resets - start).total_seconds()
    if system in TELLS_RESET and left <= WAIT_IN_PLACE_S:
        _first_page(adapter)  # waited for the reset, then read
        assert clock.now() >= resets, clock.sleeps
        assert max(clock.sleeps) == pytest.approx(left + 1.0, abs=1.5), clock.sleeps
        return
    with pytest.raises(QuotaExhaustedError) as paused:
        _first_page(adapter)
    assert all(wait <= WAIT_IN_PLACE_S for wait in clock.sleeps), clock.sleeps
    if system in TELLS_RESET:
        assert abs(paused.value.resets_at - resets) <= timedelta(seconds=2)
    else:
        assert paused.value.resets_at - clock.now() == NO_RESET_TOLD[system]


def _sandbox_reset(sandbox: RunningSandbox, system: System) -> datetime:
    usage = sandbox.control.limits(system.value, TENANT)["usage"]
    return datetime.fromtimestamp(usage["resets_at_ms"] / 1000, UTC)


def test_midnight_allowances_reset_at_midnight_whatever_the_day(sandbox: RunningSandbox) -> None:
    """The sandbox's own reset, read at the same instants (the test above relies on it)."""
    for start in INSTANTS.values():
        sandbox.control.set_clock(start)
        assert _sandbox_reset(sandbox, System.HUBSPOT) == _next_midnight(start)
