"""API keys in and out, and the authenticated caller every API route is scoped to."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from core.models import ApiKey, Role, User


class ApiKeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    role: Role = Role.VIEWER


class ApiKeyPublic(BaseModel):
    """A key as listed: never its secret nor its hash."""

    id: str
    organisation_id: str
    name: str
    role: Role
    created_at: datetime
    revoked_at: datetime | None

    @classmethod
    def from_key(cls, key: ApiKey) -> ApiKeyPublic:
        return cls.model_validate(key.model_dump(exclude={"salt", "secret_hash"}))


class ApiKeyCreated(BaseModel):
    """The only answer that carries the token; it cannot be shown again."""

    key: ApiKeyPublic
    token: str


class Caller(BaseModel):
    """Who is calling: one organisation, one role (from an API key)."""

    organisation_id: str
    role: Role
    key_id: str
    name: str
    session_id: str | None = None  # signed in with a session token (not an API key)

    def can(self, needed: Role) -> bool:
        return self.role.allows(needed)


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=100, pattern=r"^[\w.@+-]+$")
    password: SecretStr = Field(min_length=12, max_length=200)
    role: Role = Role.VIEWER


class UserPublic(BaseModel):
    id: str
    organisation_id: str
    username: str
    role: Role
    created_at: datetime
    disabled_at: datetime | None

    @classmethod
    def from_user(cls, user: User) -> UserPublic:
        return cls.model_validate(user.model_dump(exclude={"password_hash"}))


class SessionCreate(BaseModel):
    """Sign in with a built-in user's name and password."""

    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=100)
    password: SecretStr = Field(min_length=1, max_length=200)


class SessionIssued(BaseModel):
    """A bearer token that expires by itself (the session TTL)."""

    token: str
    expires_at: datetime
    organisation_id: str
    role: Role
    username: str
    session_id: str


class SessionPublic(BaseModel):
    """A live session as admins see it: never its token."""

    id: str
    user_id: str
    username: str
    created_at: datetime
    expires_at: datetime
    via: str
