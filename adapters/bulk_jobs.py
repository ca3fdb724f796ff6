"""What the vendors' bulk read paths share: when to use one, and waiting for a job.

Salesforce's Bulk API 2.0 and Zoho's Bulk Read API both run a read as an
asynchronous job that is created, polled until complete and then downloaded.
A job costs seconds of fixed latency and saves one call per REST page, so it pays
only for full reads of large objects: each connection has a `bulk_threshold`
(records; 0 turns bulk reads off) and the adapter counts before choosing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from adapters.base import FieldKind, FormField, RemotePage
from adapters.timing import Clock
from core.errors import InvalidInputError, VendorError

DEFAULT_BULK_THRESHOLD = 10_000
POLL_DELAYS_S = (0.5, 1.0, 2.0, 4.0, 8.0)  # then every POLL_CAP_S
POLL_CAP_S = 15.0
JOB_TIMEOUT_S = 3 * 3600.0  # both vendors give up on a read job within hours
T = TypeVar("T")


def threshold_field(what: str) -> FormField:
    return FormField(
        "bulk_threshold",
        "Bulk reads from (records)",
        FieldKind.INTEGER,
        required=False,
        default=DEFAULT_BULK_THRESHOLD,
        help=f"Full syncs of objects with at least this many records read them with {what} "
        "(far fewer API calls); 0 turns it off",
    )


def bulk_threshold(value: Any) -> int:
    try:
        size = int(value if value not in (None, "") else DEFAULT_BULK_THRESHOLD)
    except (TypeError, ValueError):
        size = -1
    if size < 0:
        raise InvalidInputError(
            f"Bulk reads from: {value!r} must be a whole number of records (0 turns them off)",
            field="bulk_threshold",
        )
    return size


def wait_for_job(poll: Callable[[], T | None], clock: Clock, *, what: str) -> T:
    """Call `poll` until it returns the finished job's answer, backing off between polls."""
    waited, polls = 0.0, 0
    while True:
        done = poll()
        if done is not None:
            return done
        if waited >= JOB_TIMEOUT_S:
            raise VendorError(f"{what} was not complete after {JOB_TIMEOUT_S / 3600:.0f} hours")
        delay = POLL_DELAYS_S[polls] if polls < len(POLL_DELAYS_S) else POLL_CAP_S
        clock.sleep(delay)
        waited, polls = waited + delay, polls + 1


Answer = tuple[list[dict[str, Any]], dict[str, Any] | None]  # rows, the position after them


def engine_pages(
    answers: Iterator[Answer],
    to_page: Callable[[list[dict[str, Any]]], RemotePage],
    total: Callable[[], int | None] | None,
) -> Iterator[RemotePage]:
    """A bulk read's rows as the engine's pages, each with the position after it; the
    first with the job's `total` (None: a resumed read, whose first page is not the
    read's first). A map, not a loop: a suspended loop keeps its last page, and the
    stream waits suspended for the worker's page budget (core.page_budget)."""
    first = [total]

    def page_of(answer: Answer) -> RemotePage:
        page = to_page(answer[0])
        page.resume = answer[1]
        counted = first.pop() if first else None
        if counted is not None:
            page.total = counted()
        return page

    return map(page_of, answers)


def rows_in_pages(
    rows: Iterable[list[str]],
    to_record: Callable[[list[str]], dict[str, Any]],
    *,
    skip: int,
    size: int,
) -> Iterator[tuple[list[dict[str, Any]], int, bool]]:
    """A downloaded chunk's rows after the first `skip`, as records in engine pages of
    `size`: (records, rows handed over once they are stored, whether the chunk ends
    there). The chunk's last page may be short or empty; a resume position keeps the
    count, so a killed run starts again at the next row of the same chunk."""
    handed, batch = 0, []
    for row in rows:
        handed += 1
        if handed <= skip:
            continue
        batch.append(to_record(row))
        if len(batch) == size:
            yield batch, handed, False
            batch = []
    yield batch, handed, True
