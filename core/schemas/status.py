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


class SystemStatus(BaseModel):
    scheduler: SchedulerView | None  # None: no scheduler holds the lease
    workers: list[WorkerView]
    runs_by_state: dict[str, int]  # queued / running / paused, every organisation
    queue_depth: int | None  # messages waiting in Redis; None in embedded mode
    open_alerts: list[Alert]
