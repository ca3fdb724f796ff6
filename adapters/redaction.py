"""The adapters' face of core.redaction: one session's secrets, masked everywhere.

core.redaction holds the two nets (secret shapes such as `api_token=...`,
`"password": "..."`, `Bearer ...`, and the exact values of every secret this
process has opened). A `Redactor` feeds that process-wide registry with a
connection's secrets and with every token refreshed since, also URL-encoded as
they appear in query strings, so that log lines written anywhere (the engine,
the service) are scrubbed of them too.

    >>> r = Redactor(["s3cr3t-value"])
    >>> r.text("GET /v1/deals?api_token=abc&start=0 failed for s3cr3t-value")
    'GET /v1/deals?api_token=***&start=0 failed for ***'
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Mapping
from urllib.parse import quote, quote_plus

from core.redaction import MASK, RedactingFilter, redact, register_secrets

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
    }
)


class Redactor:
    """Masks one connection's secrets (and everything core.redaction knows)."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        for value in secrets:
            self.add(value)

    def add(self, value: str | None, *, short_lived: bool = False) -> None:
        """Remember a secret (e.g. a freshly refreshed access token), in all its spellings;
        `short_lived` for access tokens, the only secrets the registry may forget."""
        if value:
            spellings = {value, quote(value, safe=""), quote_plus(value)}
            register_secrets(spellings, short_lived=short_lived)

    def text(self, text: str) -> str:
        return redact(text)

    def headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        return {
            name: MASK if name.lower() in SECRET_HEADERS else self.text(value)
            for name, value in headers.items()
        }


_installed = False
_install_lock = threading.Lock()


def install_log_filters() -> None:
    """Scrub the HTTP stack's own log records at their source, whatever the handlers.

    urllib3 logs every request line (`"GET /v1/deals?api_token=... HTTP/1.1" 200`)
    at DEBUG; core.redaction's filter sits on the handlers that configure_logging
    installs, but a test's caplog or an embedding application may use others.
    """
    global _installed
    with _install_lock:
        if not _installed:
            for name in ("urllib3.connectionpool", "urllib3.util.retry", "requests"):
                logging.getLogger(name).addFilter(RedactingFilter())
            _installed = True


__all__ = ["MASK", "SECRET_HEADERS", "Redactor", "install_log_filters", "redact"]
