"""Numbers, durations and times in words an analyst reads at a glance."""

from __future__ import annotations

from datetime import datetime

from core.clock import as_utc, utcnow


def number(value: float | int | None) -> str:
    if value is None:
        return "—"
    if abs(value) >= 1_000_000:
        return f"{value / 1_000_000:.1f} M"
    if abs(value) >= 10_000:
        return f"{value / 1_000:.1f} k"
    return f"{value:,.0f}"


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f} %"


def duration_ms(value: float | None) -> str:
    if value is None:
        return "—"
    if value < 1000:
        return f"{value:.0f} ms"
    seconds = value / 1000
    if seconds < 120:
        return f"{seconds:.1f} s"
    minutes = seconds / 60
    if minutes < 120:
        return f"{minutes:.0f} min"
    return f"{minutes / 60:.1f} h"


def _span(seconds: float) -> str:
    seconds = abs(seconds)
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 86400 * 2:
        return f"{seconds / 3600:.0f} h"
    return f"{seconds / 86400:.0f} days"


def relative(when: datetime | None, *, now: datetime | None = None) -> str:
    """ "5 min ago", "in 2 h", "now" or "never"."""
    if when is None:
        return "never"
    delta = (as_utc(when) - (now or utcnow())).total_seconds()
    if abs(delta) < 30:
        return "now"
    return f"in {_span(delta)}" if delta > 0 else f"{_span(delta)} ago"


def timestamp(when: datetime | None) -> str:
    return "—" if when is None else as_utc(when).strftime("%Y-%m-%d %H:%M UTC")


def change(current: float | None, previous: float | None, *, kind: str = "count") -> str | None:
    """The delta text of a KPI tile against the previous period (None hides it)."""
    if current is None or previous is None:
        return None
    diff = current - previous
    if kind == "rate":
        return f"{diff * 100:+.1f} pts"
    if kind == "ms":
        sign = "+" if diff >= 0 else "-"
        return f"{sign}{duration_ms(abs(diff))}"
    if previous == 0:
        return f"{diff:+,.0f}"
    return f"{diff:+,.0f} ({diff / previous * 100:+.0f} %)"
