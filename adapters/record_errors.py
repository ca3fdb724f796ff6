"""One vendor refusal of one record, in the words RecordIssues read.

Batch endpoints answer record by record (Salesforce's collection results, HubSpot's
207 `errors[]`, Zoho's `data[i]`); each refusal becomes that record's WriteResult
error: the vendor's code and message in parentheses (`core.sync.issues` reads the
code as the issue's code), then the fields it names in brackets (the issue's field),
redacted whole before it is shortened, as `failures.error_detail` does for a call.
A batch the vendor refuses whole for one record's sake is split by `halving`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from core.errors import (
    OutboundRefusedError,
    QuotaExhaustedError,
    TransientVendorError,
    VendorAuthError,
    VendorError,
)

LIMIT = 300


def is_record_level(exc: VendorError) -> bool:
    """A refusal of this one record (400/404/409/412/422), not of the whole connection."""
    return not isinstance(
        exc, VendorAuthError | TransientVendorError | QuotaExhaustedError | OutboundRefusedError
    )


def record_error(
    vendor: str,
    code: str | None,
    message: str | None,
    fields: Sequence[str] = (),
    *,
    redact: Callable[[str], str],
) -> str:
    """The code in parentheses, as the shared HTTP layer words a refused call.

    >>> record_error("HubSpot", "INVALID_EMAIL", "Email address x is invalid", ["email"],
    ...              redact=str)
    'HubSpot refused this record (INVALID_EMAIL: Email address x is invalid) [email]'
    """
    words = " ".join(str(message or "no reason given").split())
    text = f"{vendor} refused this record ({code or 'error'}: {words})"
    text += "".join(f" [{name}]" for name in fields if f"[{name}]" not in text)
    text = redact(text)
    return text if len(text) <= LIMIT else text[: LIMIT - 1] + "…"


T = TypeVar("T")
R = TypeVar("R")


def halving(
    send: Callable[[list[T]], dict[int, R | str]],
    batch: list[T],
    *,
    position: Callable[[T], int],
    refused: Callable[[VendorError], bool],
) -> dict[int, R | str]:
    """`send(batch)`; when the vendor refuses the whole batch for one bad record (a 400
    that names no record: HubSpot's batch update, a Salesforce collection whose one
    record cannot be parsed), send each half again until the refused record stands
    alone, so it fails by itself for about 2·log2(n) extra calls instead of n. Returns
    each record's answer or its refusal (words), by the record's `position`."""
    try:
        return send(batch)
    except VendorError as exc:
        if not refused(exc):
            raise
        if len(batch) == 1:
            return {position(batch[0]): str(exc)}
    half = len(batch) // 2
    return {
        **halving(send, batch[:half], position=position, refused=refused),
        **halving(send, batch[half:], position=position, refused=refused),
    }
