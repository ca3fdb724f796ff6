"""Who an OpenID Connect sign-in is, in the hub's terms: an organisation and a role.

Streamlit's `st.login` does the protocol (authorisation code flow, the provider's
keys, the identity cookie) from `.streamlit/secrets.toml`'s `[auth]` section; it
answers *who* signed in (`st.user`: the ID token's claims), never *what they may
do*. This module decides that from a `[toothpick_access]` section beside it:

    [toothpick_access]
    organisation_claim = "toothpick_org"   # optional: claims the provider adds
    role_claim = "toothpick_role"
    [toothpick_access.users]                # one address -> "organisation:role"
    "ana@acme.example" = "acme:admin"
    [toothpick_access.domains]              # everyone verified at a domain
    "acme.example" = "acme:viewer"

An exact address wins over its domain, and both over the claims. An address the
provider says is unverified (`email_verified = false`) is matched by neither, since
anyone can type any address into some providers' sign-up forms. Anyone matched by
nothing is refused; so is a user of another organisation than the dashboard's.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlparse

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from core.models import Role

ORGANISATION = r"^[a-z0-9][a-z0-9_-]{0,62}$"
_AUTH_KEYS = ("redirect_uri", "cookie_secret")
_PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")


class Grant(BaseModel):
    """An organisation and a role, written "organisation:role" in the secrets file."""

    organisation_id: str = Field(pattern=ORGANISATION)
    role: Role

    @classmethod
    def parse(cls, text: str) -> Grant:
        organisation, sep, role = str(text).partition(":")
        if not sep:
            raise ValueError(f"{text!r} is not 'organisation:role'")
        return cls(organisation_id=organisation.strip(), role=role.strip())


class AccessRules(BaseModel):
    model_config = ConfigDict(extra="forbid")

    organisation_claim: str | None = Field(default=None, min_length=1, max_length=100)
    role_claim: str | None = Field(default=None, min_length=1, max_length=100)
    users: dict[str, Grant] = Field(default_factory=dict)
    domains: dict[str, Grant] = Field(default_factory=dict)

    @field_validator("users", "domains", mode="before")
    @classmethod
    def _grants(cls, value: Any) -> Any:
        if not isinstance(value, Mapping):
            return value
        return {str(k).strip().casefold(): Grant.parse(v) for k, v in value.items()}


class Identity(BaseModel):
    """A provider's user, mapped: `user_id` is stable per provider subject (for sessions)."""

    user_id: str
    email: str
    organisation_id: str
    role: Role


def _claim(claims: Mapping[str, Any], name: str | None) -> str | None:
    value = claims.get(name) if name else None
    return value.strip() if isinstance(value, str) and value.strip() else None


def map_identity(claims: Mapping[str, Any], rules: AccessRules) -> Identity | None:
    """The organisation and role of a signed-in provider user, or None (refused)."""
    email = _claim(claims, "email")
    subject = _claim(claims, "sub") or email
    if subject is None:
        return None
    verified = claims.get("email_verified") is not False
    grant: Grant | None = None
    if email and verified:
        folded = email.casefold()
        grant = rules.users.get(folded) or rules.domains.get(folded.rpartition("@")[2])
    if grant is None:
        organisation, role = (
            _claim(claims, rules.organisation_claim),
            _claim(claims, rules.role_claim),
        )
        if organisation and role:
            try:
                grant = Grant(organisation_id=organisation, role=role)
            except ValidationError:
                return None
    if grant is None:
        return None
    issuer = _claim(claims, "iss") or ""
    user_id = "oidc-" + hashlib.sha256(f"{issuer}|{subject}".encode()).hexdigest()[:32]
    return Identity(
        user_id=user_id,
        email=email or subject,
        organisation_id=grant.organisation_id,
        role=grant.role,
    )


def check_config(secrets: Mapping[str, Any]) -> tuple[AccessRules | None, list[str]]:
    """The access rules and every problem found in the `[auth]` and `[toothpick_access]`
    sections (none of the secrets' values appear in the problems)."""
    problems: list[str] = []
    auth = secrets.get("auth")
    if not isinstance(auth, Mapping):
        return None, ["[auth] is missing"]
    problems += [f"[auth] {key} is missing" for key in _AUTH_KEYS if not auth.get(key)]
    redirect = str(auth.get("redirect_uri") or "")
    if redirect and not urlparse(redirect).path.endswith("/oauth2callback"):
        problems.append("[auth] redirect_uri must end with /oauth2callback")
    if auth.get("cookie_secret") and len(str(auth["cookie_secret"])) < 32:
        problems.append("[auth] cookie_secret must be at least 32 characters")
    providers = {k: v for k, v in auth.items() if isinstance(v, Mapping)}
    targets = providers or {"auth": auth}
    for name, provider in targets.items():
        where = "[auth]" if name == "auth" else f"[auth.{name}]"
        problems += [f"{where} {key} is missing" for key in _PROVIDER_KEYS if not provider.get(key)]
        url = urlparse(str(provider.get("server_metadata_url") or ""))
        if url.scheme and url.scheme != "https" and url.hostname not in ("localhost", "127.0.0.1"):
            problems.append(f"{where} server_metadata_url must use https")
    section = secrets.get("toothpick_access")
    if not isinstance(section, Mapping):
        return None, [*problems, "[toothpick_access] is missing: nobody could be given a role"]
    try:
        rules = AccessRules.model_validate(dict(section))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return None, [*problems, f"[toothpick_access] {where}: {first['msg']}"]
    if not (rules.users or rules.domains or (rules.organisation_claim and rules.role_claim)):
        problems.append(
            "[toothpick_access] names no users, no domains and no claim pair: nobody could sign in"
        )
    return (rules if not problems else None), problems
