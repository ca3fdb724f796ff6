"""One vendor refusal of one record, in the words RecordIssues read.

Batch endpoints answer record by record (Salesforce's collection results, HubSpot's
207 `errors[]`, Zoho's `data[i]`); each refusal becomes that record's WriteResult
error: the vendor's code and message in parentheses (`core.sync.issues` reads the
code as the issue's code), then the fields it names in brackets (the issue's field),
redacted whole before it is shortened, as `failures.error_detail` does for a call.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

LIMIT = 300


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
