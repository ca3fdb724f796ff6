"""Fast timestamp formatting for the simulators' hottest loops.

Every listed record carries two or three timestamps, and `datetime.isoformat` or
`time.strftime` per value would cost more than generating the record. These
formatters split epoch milliseconds into (day, second of day, millisecond) and
join precomputed strings.

>>> iso_z(1_700_000_000_123)
'2023-11-14T22:13:20.123Z'
"""

from __future__ import annotations

import time
from collections.abc import Callable

_TIMES = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86_400)]
_DAYS: dict[int, str] = {}


def _date(days: int) -> str:
    found = _DAYS.get(days)
    if found is None:
        t = time.gmtime(days * 86_400)
        found = f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}"
        if len(_DAYS) < 100_000:
            _DAYS[days] = found
    return found


def formatter(
    *, separator: str = "T", millis: bool = True, suffix: str = "Z"
) -> Callable[[int], str]:
    """A formatter of epoch ms, e.g. separator=" ", millis=False, suffix="" gives
    '2024-01-31 10:00:00' (Pipedrive, Odoo); suffix="+0000" gives Salesforce's."""
    fractions = [f".{m:03d}{suffix}" for m in range(1000)] if millis else [suffix] * 1000
    times = [separator + t for t in _TIMES]
    days_cache = _DAYS

    def format_ms(ms: int) -> str:
        days, rest = divmod(ms, 86_400_000)
        seconds, milli = divmod(rest, 1000)
        return (days_cache.get(days) or _date(days)) + times[seconds] + fractions[milli]

    return format_ms


def date_only(ms: int) -> str:
    return _date(ms // 86_400_000)


iso_z = formatter()
