"""Keeps secrets out of logs, exceptions, exports and pages.

Two nets, because either alone leaks: (1) patterns that catch credentials by
their shape wherever they appear (Authorization headers, `api_token=` in a
query string, `"refresh_token": "..."` in a JSON body), and (2) the exact
values of every secret this process has opened from the vault, so even a
vendor echoing a password back in an error body is scrubbed.

The registry of opened values is process-wide on purpose: any thread's log
line must be scrubbed of any connection's secret. It only ever holds values
this process already holds in memory.
"""

from __future__ import annotations

import base64
import binascii
import logging
import re
import threading
from collections.abc import Iterable, Mapping
from typing import Any

MASK = "***"
_MIN_SECRET_LENGTH = 4  # shorter values would mask ordinary words

_SECRET_KEYS = (
    r"access[_-]?token|refresh[_-]?token|id[_-]?token|api[_-]?token|api[_-]?key|apikey|"
    r"client[_-]?secret|password|passwd|secret|session[_-]?id|sessionid|signature|"
    r"x-csrf-token|hapikey|authtoken"
)
_PATTERNS = (
    # Authorization: Bearer abc / Zoho-oauthtoken abc / Basic abc
    re.compile(r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?)(?:[\w-]+\s+)?[^\s'\",}]+"),
    re.compile(r"(?i)\b(bearer\s+|zoho-oauthtoken\s+)[A-Za-z0-9._~+/=-]{6,}"),
    # key=value in query strings and form bodies
    # (an OAuth `code=` too; in JSON bodies "code" is an error code worth keeping)
    re.compile(rf"(?i)((?:{_SECRET_KEYS}|(?<![\w-])code)=)[^&\s'\"]+"),
    # "key": "value" in JSON, 'key': 'value' in reprs
    re.compile(rf"(?i)(['\"](?:{_SECRET_KEYS})['\"]\s*:\s*['\"])[^'\"]*"),
    # credentials inside URLs: scheme://user:password@host
    re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*://[^/\s:@]+:)[^@\s/]+(?=@)"),
)

NOT_SECRET_FIELDS = frozenset(
    {
        "token_expires_at",
        "instance_url",
        "api_instance_url",
        "api_domain",
        "id",
        "token_type",
        "token_format",
        "issued_at",
        "expires_in",
        "scope",
        "sfdc_community_url",
        "sfdc_community_id",
    }
)
"""Fields an OAuth token endpoint returns that are kept in the sealed secret but are not
secret: never registered for masking (masking an instance URL or "Bearer" everywhere
would make every message unreadable)."""

SHORT_LIVED_FIELDS = frozenset({"access_token", "id_token"})
"""Secret fields that expire within hours (OAuth access tokens): the only ones ever forgotten."""

# Two tiers. Lasting secrets (passwords, API keys, client secrets, refresh tokens) are never
# forgotten: a bounded registry let a long-lived worker drop them after 4,096 newer values,
# and the next vendor echo of one went out unmasked. Short-lived access tokens, which a
# worker refreshes every hour for years, are kept in an insertion-ordered window of the
# newest _MAX_SHORT_LIVED: a token that old has long expired.
_MAX_SHORT_LIVED = 4096
_lasting: set[str] = set()
_short_lived: dict[str, None] = {}
_by_length: list[str] = []  # both tiers, longest first; rebuilt on change, read lock-free
_lock = threading.Lock()


def register_secrets(values: Iterable[str], *, short_lived: bool = False) -> None:
    """Remember secret values so that `redact` masks them wherever they appear."""
    global _by_length
    with _lock:
        changed = False
        for value in values:
            if not value or len(value) < _MIN_SECRET_LENGTH or value in _lasting:
                continue
            if short_lived:
                changed |= value not in _short_lived
                _short_lived.pop(value, None)
                _short_lived[value] = None
            else:
                _short_lived.pop(value, None)
                _lasting.add(value)
                changed = True
        while len(_short_lived) > _MAX_SHORT_LIVED:
            del _short_lived[next(iter(_short_lived))]
            changed = True
        if changed:
            _by_length = sorted({*_lasting, *_short_lived}, key=len, reverse=True)


def register_fields(fields: Mapping[str, str]) -> None:
    """A sealed secret's fields: metadata skipped, access tokens short-lived, the rest lasting."""
    register_secrets(
        v for k, v in fields.items() if k not in NOT_SECRET_FIELDS | SHORT_LIVED_FIELDS
    )
    register_secrets((v for k, v in fields.items() if k in SHORT_LIVED_FIELDS), short_lived=True)


# Basic credentials are base64 of "user:password"; prose ("basic authentication") is not.
_BASIC = re.compile(r"\b([Bb]asic\s+)([A-Za-z0-9+/]{6,}={0,2})")


def _mask_basic(match: re.Match[str]) -> str:
    token = match.group(2)
    try:
        decoded = base64.b64decode(token + "=" * (-len(token) % 4), validate=True)
    except (binascii.Error, ValueError):
        return match.group(0)
    return match.group(1) + MASK if b":" in decoded else match.group(0)


def redact(text: str) -> str:
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + MASK, text)
    text = _BASIC.sub(_mask_basic, text)
    for value in _by_length:
        if value in text:
            text = text.replace(value, MASK)
    return text


def redact_value(value: Any) -> Any:
    """Redact strings inside nested dicts/lists (log metadata, exported rows)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {key: redact_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [redact_value(item) for item in value]
    return value


class RedactingFilter(logging.Filter):
    """Attached to every handler: formats the record once, redacted, before output."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        record.msg = redact(message)
        record.args = None
        return True


def configure_logging(level: str = "INFO") -> None:
    """Root logging for every entry point, with redaction on every handler."""
    root = logging.getLogger()
    if not any(isinstance(f, RedactingFilter) for h in root.handlers for f in h.filters):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler.addFilter(RedactingFilter())
        root.addHandler(handler)
    root.setLevel(level)
