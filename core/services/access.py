"""Access: API keys (created, listed, revoked) and authenticating a presented token.

A token reads `tpk_<key id>_<secret>`: the id finds the stored key in one
indexed lookup, the secret is checked against its keyed hash in constant time.
Every failure (malformed, unknown id, wrong secret, revoked) answers None
alike, so a caller learns nothing about which part was wrong.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from core.clock import utcnow
from core.errors import NotFoundError
from core.models import ApiKey, Organisation
from core.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyPublic, Caller
from core.store.base import Store

TOKEN_PREFIX = "tpk_"


def _digest(salt: str, secret: str) -> str:
    return hmac.new(bytes.fromhex(salt), secret.encode(), hashlib.sha256).hexdigest()


def _split(token: str) -> tuple[str, str] | None:
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    key_id, sep, secret = token[len(TOKEN_PREFIX) :].partition("_")
    if not sep or not key_id or not secret:
        return None
    return key_id, secret


class AccessService:
    def __init__(self, *, store: Store) -> None:
        self._store = store

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

    def authenticate(self, token: str) -> Caller | None:
        """The caller a token stands for, or None (for every kind of failure alike)."""
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
