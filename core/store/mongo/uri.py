"""Describing a MongoDB URI without its credentials, and errors that never leak it.

The URI may carry a password (`mongodb://user:secret@host/`). Only the host
list and database name ever reach a message, a log line or `description`; the
host list is read from the text itself, so a `mongodb+srv://` URI is described
without a DNS lookup.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import unquote

from pymongo.errors import ConnectionFailure, OperationFailure, PyMongoError

from core.errors import StoreError, StoreUnavailableError

_AUTH_FAILED = {18, 13}  # AuthenticationFailed, Unauthorized


def _split(uri: str) -> tuple[str, str]:
    """(userinfo, hosts) of a URI. Split at the last `@` before the options, so a
    password whose `/` or `@` was not percent-escaped still never reads as a host."""
    _, sep, rest = uri.partition("://")
    if not sep:
        return "", "?"
    rest = rest.split("?", 1)[0]
    userinfo, _, after = rest.rpartition("@")
    return userinfo, after.split("/", 1)[0] or "?"


def hosts_of(uri: str) -> str:
    """`mongodb://u:p@a:1,b:2/db?x=y` -> `a:1,b:2` (`?` when unreadable)."""
    return _split(uri)[1]


def secrets_of(uri: str) -> list[str]:
    """The password (raw and percent-decoded) so messages can be scrubbed of it."""
    userinfo = _split(uri)[0]
    if ":" not in userinfo:
        return []
    password = userinfo.split(":", 1)[1]
    return [s for s in {password, unquote(password)} if s]


def scrub(text: str, uri: str) -> str:
    for secret in [uri, *secrets_of(uri)]:
        text = text.replace(secret, "***")
    return text


def translate(exc: PyMongoError, hosts: str, secrets: Sequence[str] = ()) -> StoreError:
    """One readable StoreError naming the host, whatever pymongo raised."""
    if isinstance(exc, ConnectionFailure):
        return StoreUnavailableError(
            f"MongoDB at {hosts} is unreachable ({type(exc).__name__}); "
            "check that the server is running and MONGODB_URI points at it."
        )
    if isinstance(exc, OperationFailure) and exc.code in _AUTH_FAILED:
        return StoreError(f"MongoDB at {hosts} refused the credentials in MONGODB_URI.")
    reason = _reason(exc)
    for secret in secrets:
        reason = reason.replace(secret, "***")
    reason = reason[:300]  # cut only after masking: a cut secret would leave its prefix
    return StoreError(f"MongoDB at {hosts} failed: {type(exc).__name__}: {reason}")


def _reason(exc: PyMongoError) -> str:
    if isinstance(exc, OperationFailure) and isinstance(exc.details, dict):
        return str(exc.details.get("errmsg") or exc)
    return str(exc)
