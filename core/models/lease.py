"""A lease: who holds a named role (the scheduler) or is alive (a worker) until when."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from core.models.common import Model, UtcDatetime


class Lease(Model):
    name: str = Field(min_length=1, max_length=200)  # "scheduler", "worker:<id>"
    holder: str = Field(min_length=1, max_length=200)
    acquired_at: UtcDatetime
    renewed_at: UtcDatetime
    expires_at: UtcDatetime
    info: dict[str, Any] = Field(default_factory=dict)
