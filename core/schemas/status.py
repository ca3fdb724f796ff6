"""One view of the processes' health: `toothpick status` and the dashboard read it."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from core.models import Alert


class SchedulerView(BaseModel):
    holder: str  # host:pid of the leader
    since: datetime
    last_tick: datetime
    expires_at: datetime


class WorkerView(BaseModel):
    worker: str  # host:pid
    last_heartbeat: datetime
    alive: bool  # its lease has not expired
    current_runs: list[str]


class VendorBudgetView(BaseModel):
    """One vendor account in use: what its connections spent today, and its limits."""

    system: str
    label: str  # the vendor's name
    account: str  # system:host:digest (no secret)
    calls_today: int
    daily_allowance: int | None  # None: the vendor publishes none
    share_used: float | None  # calls_today / daily_allowance
    limiter: str  # "100 per 10 s", or "paused until 12:00:05 UTC"
    breaker: str  # closed, open, half_open


class SystemStatus(BaseModel):
    scheduler: SchedulerView | None  # None: no scheduler holds the lease
    workers: list[WorkerView]
    runs_by_state: dict[str, int]  # queued / running / paused, every organisation
    queue_depth: int | None  # messages waiting in Redis; None in embedded mode
    open_alerts: list[Alert]
    vendor_budgets: list[VendorBudgetView] = []
