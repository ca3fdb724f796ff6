"""Redaction of secrets before anything reaches a log line or an exception message.

Two layers, both applied by `Redactor.text`:
- known values: every secret of the connection (and every token refreshed since)
  is replaced wherever it appears, also URL-encoded;
- shapes: query or form parameters, JSON fields and auth schemes that carry
  secrets by name (`api_token=...`, `"password": "..."`, `Bearer ...`), so that a
  secret we were never told about is still hidden.

    >>> r = Redactor(["s3cr3t-value"])
    >>> r.text("GET /v1/deals?api_token=abc&start=0 failed for s3cr3t-value")
    'GET /v1/deals?api_token=***&start=0 failed for ***'
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Mapping
from urllib.parse import quote, quote_plus

MASK = "***"

_SECRET_NAMES = (
    "access_token|refresh_token|id_token|api_token|apitoken|api_key|apikey|hapikey|"
    "client_secret|client_assertion|assertion|password|passwd|pwd|secret|token|"
    "session_id|sessionid|signature|code|key"
)
_QUERY_PARAM = re.compile(rf"(?i)(^|[?&;\s])({_SECRET_NAMES})=([^&#\s\"']*)")
_JSON_FIELD = re.compile(rf"(?i)(\"(?:{_SECRET_NAMES})\"\s*:\s*)\"[^\"]*\"")
# a credential after an auth scheme has a digit, one of _~+/= or a lower-upper case
# change in it; plain words ("basic authentication.") do not, so messages stay readable
_AUTH_SCHEME = re.compile(
    r"\b((?i:bearer|basic|zoho-oauthtoken))\s+"
    r"(?=[A-Za-z.-]*(?:[0-9_~+/=]|[a-z][A-Z]))[A-Za-z0-9._~+/=-]{6,}"
)
_XMLRPC_PASSWORD = re.compile(
    r"(?i)(<name>\s*(?:password|api_key|token)\s*</name>\s*<value>).*?(</value>)"
)

SECRET_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "x-api-token",
        "x-api-key",
        "apikey",
        "x-csrf-token",
        "x-odoo-session",
    }
)

_MIN_SECRET_LENGTH = 4  # shorter values would mask ordinary words and numbers


def redact_shapes(text: str) -> str:
    """Mask secrets recognisable by their name or scheme, whatever their value."""
    text = _QUERY_PARAM.sub(lambda m: f"{m.group(1)}{m.group(2)}={MASK}", text)
    text = _JSON_FIELD.sub(lambda m: f'{m.group(1)}"{MASK}"', text)
    text = _XMLRPC_PASSWORD.sub(lambda m: f"{m.group(1)}{MASK}{m.group(2)}", text)
    return _AUTH_SCHEME.sub(lambda m: f"{m.group(1)} {MASK}", text)


class Redactor:
    """Knows the live secret values of one connection; thread-safe."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._lock = threading.Lock()
        self._values: set[str] = set()
        for value in secrets:
            self.add(value)

    def add(self, value: str | None) -> None:
        """Remember a secret (e.g. a freshly refreshed access token)."""
        if not value or len(value) < _MIN_SECRET_LENGTH:
            return
        with self._lock:
            self._values.update({value, quote(value, safe=""), quote_plus(value)})

    def text(self, text: str) -> str:
        with self._lock:
            values = sorted(self._values, key=len, reverse=True)
        for value in values:
            text = text.replace(value, MASK)
        return redact_shapes(text)

    def headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        return {
            name: MASK if name.lower() in SECRET_HEADERS else self.text(value)
            for name, value in headers.items()
        }


class ShapeRedactingFilter(logging.Filter):
    """Masks secret-shaped query parameters in third-party log records.

    urllib3 logs every request line (`"GET /v1/deals?api_token=... HTTP/1.1" 200`)
    at DEBUG; this filter rewrites such records before any handler sees them.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return True
        redacted = redact_shapes(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


_installed = False
_install_lock = threading.Lock()


def install_log_filters() -> None:
    """Attach `ShapeRedactingFilter` to the loggers of the HTTP stack (once)."""
    global _installed
    with _install_lock:
        if _installed:
            return
        for name in ("urllib3.connectionpool", "urllib3.util.retry", "requests"):
            logging.getLogger(name).addFilter(ShapeRedactingFilter())
        _installed = True
