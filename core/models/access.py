"""Who may call the hub: API keys, each of one organisation and one role.

A key's secret is shown once, at creation; the store keeps only a keyed hash
of it (HMAC-SHA256 under a random per-key salt). The secret is 256 random
bits, so a slow password hash would add latency to every request and no
safety: nobody can guess 2^256 candidates, fast hash or not.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from core.clock import new_id, utcnow
from core.models.common import Identifier, Model, UtcDatetime


class Role(StrEnum):
    """viewer reads; operator also syncs, resolves conflicts, acknowledges alerts;
    admin also manages connections and keys."""

    VIEWER = "viewer"
    OPERATOR = "operator"
    ADMIN = "admin"

    def allows(self, needed: Role) -> bool:
        order = (Role.VIEWER, Role.OPERATOR, Role.ADMIN)
        return order.index(self) >= order.index(needed)


class ApiKey(Model):
    id: Identifier = Field(default_factory=new_id)
    organisation_id: Identifier
    name: str = Field(min_length=1, max_length=100)
    role: Role
    salt: str = Field(min_length=32, max_length=64)
    secret_hash: str = Field(min_length=64, max_length=64)
    created_at: UtcDatetime = Field(default_factory=utcnow)
    revoked_at: UtcDatetime | None = None

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class User(Model):
    """A person who signs in (dashboard in production, or the API's session endpoint).

    `password_hash` is argon2id (argon2-cffi), never the password."""

    id: Identifier = Field(default_factory=new_id)
    organisation_id: Identifier
    username: str = Field(min_length=1, max_length=100, pattern=r"^[\w.@+-]+$")
    role: Role
    password_hash: str = Field(min_length=20, max_length=500)
    created_at: UtcDatetime = Field(default_factory=utcnow)
    disabled_at: UtcDatetime | None = None


class Session(Model):
    """One sign-in of a user (dashboard or API): listed for admins, revocable one by one.

    The bearer token carries the session id under the hub's signature; the row is what
    makes one session revocable without touching the user's others."""

    id: Identifier = Field(default_factory=new_id)
    organisation_id: Identifier
    user_id: Identifier
    username: str = Field(min_length=1, max_length=100)
    created_at: UtcDatetime = Field(default_factory=utcnow)
    expires_at: UtcDatetime
    revoked_at: UtcDatetime | None = None
    via: str = Field(default="password", max_length=20)  # "password" | "oidc"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > utcnow()
