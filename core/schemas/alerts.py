"""What the alerts area gives: transitions (what notifications carry) and thresholds in force."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel

from core.models import Alert


class Transition(StrEnum):
    OPENED = "opened"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


class AlertTransition(BaseModel):
    """One step of one alert's lifecycle; each is notified exactly once."""

    alert: Alert
    transition: Transition

    @property
    def summary(self) -> str:
        who = self.alert.resolved_by if self.transition is Transition.RESOLVED else None
        if self.transition is Transition.ACKNOWLEDGED:
            who = self.alert.acknowledged_by
        by = f" by {who}" if who else ""
        return f"[{self.alert.severity.value}] {self.transition.value}{by}: {self.alert.message}"


class EffectiveThresholds(BaseModel):
    """A connection's thresholds: its own overrides over the settings' defaults."""

    consecutive_failures: int
    p95_response_ms: float
    rate_limit_wait_s: float
