"""Access: API keys, built-in users and their sessions, and authenticating a bearer token.

Two kinds of bearer token, told apart by their prefix:

- `tpk_<key id>_<secret>`: an API key. The id finds the stored key in one
  indexed lookup; the secret is checked against its keyed hash in constant time.
- `tps_<payload>.<signature>`: a session, issued at sign-in for
  `session_ttl_minutes`. The payload (session id, expiry) is signed with
  HMAC-SHA256 under a key derived from the encryption key, so a forged or
  expired token is refused before the store is asked. The session row (listed
  for admins) is what lets one session be revoked, or all of a user's ("sign out
  everywhere"); disabling the user ends its sessions too (checked on every use).
  Dashboard sign-ins through OpenID Connect get a row as well (`open_session`),
  so an admin sees and revokes them the same way.

Every failure (malformed, unknown, wrong secret, revoked, expired, disabled)
answers None alike, so a caller learns nothing about which part was wrong.
Passwords are hashed with argon2id (argon2-cffi), never stored.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import json
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING

from core.clock import utcnow
from core.errors import NotFoundError
from core.marks import Marks, SlidingWindowLimit
from core.models import ApiKey, Organisation, Role, Session, User
from core.schemas import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyPublic,
    Caller,
    SessionCreate,
    SessionIssued,
    SessionPublic,
    UserCreate,
    UserPublic,
)
from core.store.base import Store

if TYPE_CHECKING:
    from argon2 import PasswordHasher

TOKEN_PREFIX = "tpk_"
SESSION_PREFIX = "tps_"


def _digest(salt: str, secret: str) -> str:
    return hmac.new(bytes.fromhex(salt), secret.encode(), hashlib.sha256).hexdigest()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _split(token: str) -> tuple[str, str] | None:
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    key_id, sep, secret = token[len(TOKEN_PREFIX) :].partition("_")
    if not sep or not key_id or not secret:
        return None
    return key_id, secret


class AccessService:
    def __init__(
        self, *, store: Store, session_key: bytes, session_ttl: timedelta, marks: Marks
    ) -> None:
        self._store = store
        self._limit = SlidingWindowLimit(marks)
        self._session_key = session_key
        self._session_ttl = session_ttl

    @functools.cached_property
    def _hasher(self) -> PasswordHasher:
        """Made on first use: workers and the scheduler never sign anyone in, and
        argon2-cffi costs each of them ~2.5 MB resident."""
        from argon2 import PasswordHasher

        return PasswordHasher()

    @functools.cached_property
    def _dummy_hash(self) -> str:
        """Verified against when no such user exists, so that a wrong name costs what a wrong
        password costs. Made on first use: argon2id takes 64 MiB to hash, which every
        process (workers, the scheduler) paid at start-up and kept as peak memory."""
        return self._hasher.hash(secrets.token_hex(16))

    # -- API keys ---------------------------------------------------------------------------

    def create_key(self, organisation_id: str, form: ApiKeyCreate) -> ApiKeyCreated:
        """A new key; its token is in this answer only (the store keeps a hash)."""
        self._store.ensure_organisation(Organisation(id=organisation_id, name=organisation_id))
        secret = secrets.token_urlsafe(32).replace("_", "-")
        salt = secrets.token_hex(16)
        key = ApiKey(
            organisation_id=organisation_id,
            name=form.name,
            role=form.role,
            salt=salt,
            secret_hash=_digest(salt, secret),
        )
        stored = self._store.create_api_key(key)
        return ApiKeyCreated(
            key=ApiKeyPublic.from_key(stored), token=f"{TOKEN_PREFIX}{stored.id}_{secret}"
        )

    def list_keys(self, organisation_id: str) -> list[ApiKeyPublic]:
        return [ApiKeyPublic.from_key(k) for k in self._store.list_api_keys(organisation_id)]

    def revoke_key(self, organisation_id: str, key_id: str) -> None:
        if not self._store.revoke_api_key(organisation_id, key_id, at=utcnow()):
            raise NotFoundError(f"No active API key {key_id!r} in this organisation.")

    # -- users and sessions -------------------------------------------------------------------

    def create_user(self, organisation_id: str, form: UserCreate) -> UserPublic:
        self._store.ensure_organisation(Organisation(id=organisation_id, name=organisation_id))
        user = User(
            organisation_id=organisation_id,
            username=form.username,
            role=form.role,
            password_hash=self._hasher.hash(form.password.get_secret_value()),
        )
        return UserPublic.from_user(self._store.create_user(user))

    def list_users(self, organisation_id: str) -> list[UserPublic]:
        return [UserPublic.from_user(u) for u in self._store.list_users(organisation_id)]

    def disable_user(self, organisation_id: str, user_id: str) -> None:
        """The user can no longer sign in, and their open sessions stop working."""
        if not self._store.disable_user(organisation_id, user_id, at=utcnow()):
            raise NotFoundError(f"No active user {user_id!r} in this organisation.")

    def sign_in(self, form: SessionCreate) -> SessionIssued | None:
        """A session for a right name and password; None for anything else (alike)."""
        from argon2.exceptions import InvalidHashError, VerificationError

        user = self._store.find_user(form.username)
        password = form.password.get_secret_value()
        try:
            self._hasher.verify(user.password_hash if user else self._dummy_hash, password)
        except (VerificationError, InvalidHashError):
            return None
        if user is None or user.disabled_at is not None:
            return None
        return self.open_session(user.organisation_id, user.id, user.username, user.role)

    def open_session(
        self,
        organisation_id: str,
        user_id: str,
        username: str,
        role: Role,
        *,
        via: str = "password",
    ) -> SessionIssued:
        """A session row and its token; the OIDC sign-in calls this for the provider's user."""
        session = self._store.create_session(
            Session(
                organisation_id=organisation_id,
                user_id=user_id,
                username=username,
                expires_at=(utcnow() + self._session_ttl).replace(microsecond=0),
                via=via,
            )
        )
        payload = _b64(
            json.dumps({"s": session.id, "e": int(session.expires_at.timestamp())}).encode()
        )
        return SessionIssued(
            token=f"{SESSION_PREFIX}{payload}.{self._sign(payload)}",
            expires_at=session.expires_at,
            organisation_id=organisation_id,
            role=role,
            username=username,
            session_id=session.id,
        )

    def list_sessions(
        self, organisation_id: str, user_id: str | None = None
    ) -> list[SessionPublic]:
        """The organisation's live sessions (admins), newest first."""
        found = self._store.list_sessions(organisation_id, active_at=utcnow(), user_id=user_id)
        return [SessionPublic.model_validate(s.model_dump()) for s in found]

    def revoke_session(self, organisation_id: str, session_id: str) -> None:
        """End one session at once (its token stops working on the next request)."""
        if not self._store.revoke_sessions(organisation_id, at=utcnow(), session_id=session_id):
            raise NotFoundError(f"No live session {session_id!r} in this organisation.")

    def sign_out_everywhere(self, organisation_id: str, user_id: str) -> int:
        """End every session of one user; how many were live."""
        return self._store.revoke_sessions(organisation_id, at=utcnow(), user_id=user_id)

    def session_of(self, token: str) -> Session | None:
        """The live session a token stands for (its user may still be disabled)."""
        if not token.startswith(SESSION_PREFIX) or len(token) > 500:
            return None
        payload, _, signature = token[len(SESSION_PREFIX) :].partition(".")
        if not hmac.compare_digest(self._sign(payload), signature):
            return None
        try:
            data = json.loads(_unb64(payload))
            session_id, expires = str(data["s"]), int(data["e"])
        except (ValueError, KeyError, TypeError, binascii.Error):
            return None
        if expires <= utcnow().timestamp():
            return None
        session = self._store.get_session(session_id)
        return session if session is not None and session.is_active else None

    def _sign(self, payload: str) -> str:
        return _b64(hmac.new(self._session_key, payload.encode(), hashlib.sha256).digest())

    def _session(self, token: str) -> Caller | None:
        session = self.session_of(token)
        if session is None or session.via != "password":
            return None  # an OIDC session's role lives with the provider, not in a user row
        user = self._store.get_user(session.user_id)
        if user is None or user.disabled_at is not None:
            return None
        return Caller(
            organisation_id=user.organisation_id,
            role=user.role,
            key_id=f"user:{user.id}",
            name=user.username,
            session_id=session.id,
        )

    def throttle(self, key_id: str, per_minute: int) -> float | None:
        """None if this caller may make one more request now; else seconds to wait.
        Shared by every process using the same store (or Redis)."""
        return self._limit.acquire(key_id, per_minute)

    # -- authentication --------------------------------------------------------------------------

    def authenticate(self, token: str) -> Caller | None:
        """The caller a bearer token stands for, or None (for every kind of failure alike)."""
        if len(token) > 500:
            return None
        if token.startswith(SESSION_PREFIX):
            return self._session(token)
        parts = _split(token)
        if parts is None:
            return None
        key_id, secret = parts
        key = self._store.get_api_key(key_id)
        if key is None:
            # Spend the same work as a real check, so timing does not reveal unknown ids.
            hmac.compare_digest(_digest("00" * 16, secret), "0" * 64)
            return None
        if not hmac.compare_digest(_digest(key.salt, secret), key.secret_hash):
            return None
        if not key.is_active:
            return None
        return Caller(
            organisation_id=key.organisation_id, role=key.role, key_id=key.id, name=key.name
        )
