"""How a running sync talks to whoever runs it: progress out, cancel and takeover in.

The engine calls `RunControl.checkpoint` after every page (after the page's
writes are stored). A worker's implementation beats the run's heartbeat there
and raises when the run was cancelled or taken over by another worker, so the
engine stops only at points where everything before is durable.
"""

from __future__ import annotations

from typing import Protocol

from core.errors import RunCancelledError, RunHandedBackError, RunLostError
from core.models import Entity, EntityCounts, RunProgress


class RunControl(Protocol):
    def checkpoint(self, progress: RunProgress, counts: dict[Entity, EntityCounts]) -> None: ...


class NoControl:
    """For callers that run a sync inline (tests, `toothpick sync --inline`)."""

    def checkpoint(self, progress: RunProgress, counts: dict[Entity, EntityCounts]) -> None:
        return None


class RunHaltedError(Exception):
    """Another entity of the same run stopped it (a cancel, a spent quota, refused
    credentials...): this entity stops at its checkpoint too, its work so far stored."""


__all__ = [
    "NoControl",
    "RunCancelledError",
    "RunControl",
    "RunHaltedError",
    "RunHandedBackError",
    "RunLostError",
]
