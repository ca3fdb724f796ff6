"""How a Salesforce read's SOQL is paged and restarted: locators, dateTime literals.

Kept apart from the adapter because each is a Salesforce rule with its own edge:
SOQL takes a dateTime unquoted in UTC (floored to the millisecond, so `>=` keeps the
edge record); `nextRecordsUrl` locators page a query, and a locator left idle some
minutes expires (400 INVALID_QUERY_LOCATOR), so the resume position also keeps the
last SystemModstamp read and an expired read queries again from there.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from adapters import convert
from adapters.paging import NextUrlPaginator
from adapters.paths import dig
from adapters.payload import Reply
from core.errors import VendorError

LOCATOR_EXPIRED = "INVALID_QUERY_LOCATOR"


class SoqlPaginator(NextUrlPaginator):
    """nextRecordsUrl locators; the position also keeps the page's last SystemModstamp.

    >>> SoqlPaginator()  # resume: {"next_url": "/services/data/v60.0/query/01g...-2000",
    ...                  #          "since": "2024-05-01T10:00:00.000+0000"}
    """

    def __init__(self) -> None:
        super().__init__(next_path="nextRecordsUrl")

    def _next_state(self, reply: Reply, records: Sequence[Any]) -> dict[str, Any] | None:
        state = super()._next_state(reply, records)
        if state is not None and records:
            state["since"] = dig(records[-1], "SystemModstamp")
        return state


def soql_datetime(value: datetime) -> str:
    """A SOQL dateTime literal (unquoted, UTC, milliseconds floored so `>=` keeps the edge)."""
    moment = value.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def restart_point(exc: VendorError, resume: dict[str, Any] | None) -> datetime | None:
    """Where to query again when a locator expired: the last SystemModstamp read."""
    if exc.status != 400 or LOCATOR_EXPIRED not in str(exc) or not resume:
        return None
    try:
        return convert.read_datetime(resume.get("since"))
    except (convert.ConversionError, ValueError, TypeError):
        return None
