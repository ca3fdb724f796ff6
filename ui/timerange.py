"""The time-range picker (24 h, 7 d, 30 d, custom) and the window it yields."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import streamlit as st

from core.clock import utcnow
from core.schemas import Bucket

PRESETS: dict[str, timedelta] = {
    "24 h": timedelta(hours=24),
    "7 d": timedelta(days=7),
    "30 d": timedelta(days=30),
}
CUSTOM = "Custom"


@dataclass(frozen=True)
class Window:
    since: datetime
    until: datetime
    label: str

    @property
    def length(self) -> timedelta:
        return self.until - self.since

    @property
    def bucket(self) -> Bucket:
        return Bucket.HOUR if self.length <= timedelta(days=2) else Bucket.DAY

    def previous(self) -> Window:
        label = self.label.removeprefix("last ")
        return Window(self.since - self.length, self.since, f"the {label} before")


def ending_now(length: timedelta, label: str) -> Window:
    """A window ending at the next whole minute, so cached loaders hit within a minute."""
    now = utcnow().replace(second=0, microsecond=0) + timedelta(minutes=1)
    return Window(now - length, now, label)


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def picker(prefix: str, *, default: str = "7 d") -> Window:
    """Preset buttons, plus a date range when "Custom" is chosen."""
    choice = st.segmented_control(
        "Time range",
        [*PRESETS, CUSTOM],
        default=default,
        required=True,
        key=f"{prefix}_range",
    )
    if choice not in PRESETS and choice != CUSTOM:
        choice = default
    if choice != CUSTOM:
        return ending_now(PRESETS[choice], f"last {choice}")
    today = utcnow().date()
    picked = st.date_input(
        "From – to (UTC days)",
        value=(today - timedelta(days=13), today),
        max_value=today,
        key=f"{prefix}_custom",
    )
    days = [d for d in (picked if isinstance(picked, tuple) else (picked,)) if d is not None]
    start = days[0] if days else today
    end = days[-1] if days else today
    return Window(
        _day_start(start), _day_start(end) + timedelta(days=1), f"{start:%d %b} – {end:%d %b}"
    )
