"""One table that says what each failed call means and what to do about it.

`classify_status` and `classify_exception` read the table; a vendor adds its
own readings of bodies and headers with a small `Classifier` hook, consulted
before the table for every non-2xx answer:

    def classify(response: requests.Response) -> Resolution | None:
        body = json_body(response)
        if response.status_code == 403 and error_code(body) == "REQUEST_LIMIT_EXCEEDED":
            return Resolution.quota("Salesforce's daily API allowance is spent", resets_at=...)
        return None  # the table decides
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

import orjson
import requests

from core.errors import (
    FailureCategory,
    MalformedResponseError,
    QuotaExhaustedError,
    TransientVendorError,
    VendorAuthError,
    VendorError,
)
from core.redaction import redact

T = FailureCategory.TRANSIENT


class Action(StrEnum):
    RETRY = "retry"  # back off and try again
    RATE_LIMITED = "rate_limited"  # wait as the vendor asks (Retry-After), then try again
    REFRESH_AUTH = "refresh_auth_then_retry"  # refresh the credentials once, then try again
    QUOTA_EXHAUSTED = "quota_exhausted"  # stop: the run pauses until the quota resets
    FAIL = "fail"  # stop: retrying cannot help


@dataclass(frozen=True)
class Resolution:
    action: Action
    category: FailureCategory
    message: str  # what happened, in words (no secrets, no vendor body)
    connectivity: bool = False  # counts towards the circuit breaker
    unsent: bool = False  # the vendor surely did not act on it: safe to retry a create
    retry_after: float | None = None  # seconds the vendor asked us to wait
    resets_at: datetime | None = None  # when a spent quota comes back

    @classmethod
    def quota(cls, message: str, *, resets_at: datetime | None = None) -> Resolution:
        return cls(Action.QUOTA_EXHAUSTED, T, message, resets_at=resets_at)

    @classmethod
    def refresh(cls, message: str = "the access token was refused") -> Resolution:
        return cls(Action.REFRESH_AUTH, FailureCategory.CONFIG, message, unsent=True)

    @classmethod
    def rate_limited(cls, message: str, *, retry_after: float | None = None) -> Resolution:
        return cls(Action.RATE_LIMITED, T, message, unsent=True, retry_after=retry_after)

    @classmethod
    def fail(cls, message: str, category: FailureCategory = FailureCategory.VENDOR) -> Resolution:
        return cls(Action.FAIL, category, message)


Classifier = Callable[[requests.Response], "Resolution | None"]

_C, _V = FailureCategory.CONFIG, FailureCategory.VENDOR
_RETRY, _FAIL = Action.RETRY, Action.FAIL

# status -> resolution. Statuses not listed fall back to their class (4xx fail, 5xx retry).
STATUS_TABLE: Mapping[int, Resolution] = {
    400: Resolution(_FAIL, _V, "the vendor rejected the request as invalid"),
    401: Resolution(Action.REFRESH_AUTH, _C, "the vendor refused the credentials", unsent=True),
    403: Resolution(_FAIL, _C, "the vendor refused access (missing permission or scope)"),
    404: Resolution(_FAIL, _V, "the vendor has no such resource"),
    405: Resolution(_FAIL, _V, "the vendor does not allow this method here"),
    408: Resolution(_RETRY, T, "the vendor timed out waiting for the request", connectivity=True),
    409: Resolution(_FAIL, _V, "the vendor reported a conflicting change"),
    412: Resolution(_FAIL, _V, "the record changed at the vendor since it was read"),
    413: Resolution(_FAIL, _V, "the request was too large for the vendor"),
    415: Resolution(_FAIL, _V, "the vendor does not accept this content type"),
    422: Resolution(_FAIL, _V, "the vendor could not process the data sent"),
    429: Resolution(Action.RATE_LIMITED, T, "the vendor's rate limit was reached", unsent=True),
    500: Resolution(_RETRY, T, "the vendor had an internal error", connectivity=True),
    502: Resolution(_RETRY, T, "a gateway in front of the vendor failed", connectivity=True),
    503: Resolution(_RETRY, T, "the vendor is unavailable", connectivity=True),
    504: Resolution(_RETRY, T, "a gateway timed out waiting for the vendor", connectivity=True),
}

# exception type -> resolution; the most specific class in the exception's MRO wins.
EXCEPTION_TABLE: Mapping[type[BaseException], Resolution] = {
    requests.exceptions.ConnectTimeout: Resolution(
        _RETRY, T, "the vendor did not accept the connection in time", True, unsent=True
    ),
    requests.exceptions.ReadTimeout: Resolution(
        _RETRY, T, "the vendor did not answer in time", connectivity=True
    ),
    requests.exceptions.SSLError: Resolution(
        _FAIL,
        _C,
        "the TLS handshake with the vendor failed (its certificate is not trusted, "
        "or it does not speak TLS there)",
    ),
    requests.exceptions.ConnectionError: Resolution(
        _RETRY, T, "the connection to the vendor failed or was dropped", connectivity=True
    ),
    requests.exceptions.ChunkedEncodingError: Resolution(
        _RETRY, T, "the vendor's answer was cut off", connectivity=True
    ),
    requests.exceptions.ContentDecodingError: Resolution(
        _RETRY, T, "the vendor's answer could not be decoded", connectivity=True
    ),
    requests.exceptions.InvalidURL: Resolution(_FAIL, _C, "the vendor URL is not valid"),
    requests.exceptions.InvalidSchema: Resolution(_FAIL, _C, "the vendor URL is not valid"),
    requests.exceptions.MissingSchema: Resolution(_FAIL, _C, "the vendor URL is not valid"),
    requests.exceptions.TooManyRedirects: Resolution(_FAIL, _V, "the vendor redirected endlessly"),
    requests.exceptions.RequestException: Resolution(
        _RETRY, T, "the request to the vendor failed", connectivity=True
    ),
}


DEFAULT_QUOTA_PAUSE = timedelta(hours=1)  # when the vendor does not say when its quota resets


def as_exception(
    resolution: Resolution, message: str, *, status: int | None, now: datetime, malformed: bool
) -> VendorError:
    """The core.errors exception a final resolution stands for."""
    if resolution.action is Action.QUOTA_EXHAUSTED:
        resets_at = resolution.resets_at or now + DEFAULT_QUOTA_PAUSE
        return QuotaExhaustedError(message, resets_at=resets_at, status=status)
    if resolution.action is Action.RETRY and malformed:
        return MalformedResponseError(message, status=status)
    if resolution.action is Action.REFRESH_AUTH or (
        resolution.category is FailureCategory.CONFIG and status in (401, 403)
    ):
        return VendorAuthError(message, status=status)
    if resolution.action is Action.RETRY or resolution.category is T:
        return TransientVendorError(message, status=status)
    return VendorError(message, status=status)


def is_success(status: int) -> bool:
    """2xx, and 304 (Zoho's "nothing modified since") which carries no body."""
    return 200 <= status < 300 or status == 304


def classify_status(status: int) -> Resolution:
    if status in STATUS_TABLE:
        return STATUS_TABLE[status]
    if status >= 500:
        return Resolution(_RETRY, T, f"the vendor failed ({status})", connectivity=True)
    return Resolution(_FAIL, _V, f"the vendor refused the request ({status})")


def classify_exception(exc: BaseException) -> Resolution:
    for cls in type(exc).__mro__:
        if cls in EXCEPTION_TABLE:
            resolution = EXCEPTION_TABLE[cls]
            unreached = _unreached_reason(exc)
            if not resolution.unsent and unreached is not None:
                return Resolution(
                    resolution.action,
                    resolution.category,
                    unreached,
                    connectivity=True,
                    unsent=True,
                )
            return resolution
    return Resolution(_FAIL, FailureCategory.INTERNAL, f"unexpected {type(exc).__name__}")


# Why a connection never reached the vendor (nothing was sent, so even a create may retry),
# by the most specific class of the connect error's cause. A person fixing a connection
# needs to tell a typo in the host (DNS) from a host that is down (refused) or a network
# that does not lead there (unreachable).
UNREACHED_TABLE: Mapping[type[BaseException], str] = {
    socket.gaierror: "the vendor's host name could not be found (DNS lookup failed)",
    ConnectionRefusedError: "the vendor's host refused the connection (nothing listens there)",
    OSError: "the vendor's host could not be reached (no network route to it)",
}


def _unreached_reason(exc: BaseException) -> str | None:
    """Words for a refused or unresolvable connection; None when the vendor may have acted."""
    from urllib3.exceptions import MaxRetryError, NameResolutionError, NewConnectionError

    reason = exc.args[0] if isinstance(exc, requests.ConnectionError) and exc.args else None
    if isinstance(reason, MaxRetryError):
        reason = reason.reason
    if not isinstance(reason, NewConnectionError):
        return None
    if isinstance(reason, NameResolutionError):
        return UNREACHED_TABLE[socket.gaierror]
    cause = reason.__cause__ or reason.__context__
    for cls in type(cause).__mro__ if cause is not None else ():
        if cls in UNREACHED_TABLE:
            return UNREACHED_TABLE[cls]
    return "the vendor could not be reached"


# --- reading error bodies (for vendor hooks and for messages) ------------------------------


def json_body(response: requests.Response) -> Any:
    """The decoded JSON body, or None when there is none or it is not JSON."""
    try:
        return orjson.loads(response.content) if response.content else None
    except (orjson.JSONDecodeError, requests.RequestException):
        return None


def error_code(body: Any) -> str | None:
    """The vendor's machine-readable error code, from the shapes our seven vendors use."""
    item = body[0] if isinstance(body, list) and body else body
    if not isinstance(item, dict):
        return None
    for key in ("errorCode", "error_code", "code", "errorType", "category", "o:errorCode"):
        value = item.get(key)
        if isinstance(value, str | int) and not isinstance(value, bool):
            return str(value)
    error = item.get("error")
    if isinstance(error, dict):
        return error_code(error)
    return error if isinstance(error, str) else None


def error_detail(response: requests.Response, *, limit: int = 160) -> str:
    """The vendor's error code and its own short message about a failure, redacted whole
    and only then shortened (a secret the vendor echoes near the cut must not survive as a
    prefix). Never the body itself: only the fields vendors use for their error text."""
    body = json_body(response)
    parts: list[str] = []
    item = body[0] if isinstance(body, list) and body else body
    if isinstance(item, dict):
        error = item.get("error")
        if isinstance(error, dict):  # SAP OData: {"error": {"code", "message": {"value"}}}
            message = error.get("message")
            text = message.get("value") if isinstance(message, dict) else message
            parts = [str(error.get("code") or ""), str(text or "")]
        else:
            code = error_code(item)
            if code == str(response.status_code):
                code = None  # Pipedrive repeats the status as its code
            keys = ("message", "error_description", "detail", "title", "faultString", "error")
            text = next((str(item[k]) for k in keys if item.get(k) and item[k] != code), "")
            parts = [code or "", text]
    elif "text/plain" in response.headers.get("Content-Type", "") and response.text.strip():
        parts = [response.text.strip().splitlines()[0]]  # Oracle's older framework versions
    detail = " ".join(redact(": ".join(p for p in parts if p)).split())
    return detail if len(detail) <= limit else detail[: limit - 1] + "…"
