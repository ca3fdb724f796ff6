"""Access and refresh tokens the simulators issue, with real expiry.

Vendors call `issue` from their OAuth token endpoints and `lookup` from their
`authenticate`. A looked-up token that has expired is returned with
`expired=True` so the vendor can answer with its own "session expired" body
rather than a generic "unknown token" one. Static credentials (private-app
tokens, API keys, Basic auth) never pass through here: vendors resolve those
with `Sandbox.find_tenant`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from sandbox.core.clock import now_ms


@dataclass(slots=True)
class IssuedToken:
    access_token: str
    system: str
    tenant: str
    expires_at_ms: int
    refresh_token: str | None = None
    scope: str = ""
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def expires_in_s(self) -> int:
        return max(0, (self.expires_at_ms - _now_ms()) // 1000)

    @property
    def expired(self) -> bool:
        return _now_ms() >= self.expires_at_ms


@dataclass(frozen=True, slots=True)
class RefreshGrant:
    system: str
    tenant: str
    scope: str
    data: dict[str, Any]


def _now_ms() -> int:
    return now_ms()


class TokenStore:
    _MAX_TOKENS = 20_000

    def __init__(self) -> None:
        self._access: dict[str, IssuedToken] = {}
        self._refresh: dict[str, RefreshGrant] = {}

    def issue(
        self,
        system: str,
        tenant: str,
        *,
        ttl_s: int,
        prefix: str = "",
        refresh: bool | str = False,
        scope: str = "",
        data: dict[str, Any] | None = None,
    ) -> IssuedToken:
        """A new access token; `refresh=True` mints a refresh token, a str reuses one."""
        if len(self._access) >= self._MAX_TOKENS:
            self._prune()
        token = IssuedToken(
            access_token=prefix + secrets.token_urlsafe(32),
            system=system,
            tenant=tenant,
            expires_at_ms=_now_ms() + ttl_s * 1000,
            scope=scope,
            data=dict(data or {}),
        )
        if refresh is True:
            token.refresh_token = prefix + "r." + secrets.token_urlsafe(32)
        elif isinstance(refresh, str):
            token.refresh_token = refresh
        if token.refresh_token:
            self._refresh[token.refresh_token] = RefreshGrant(system, tenant, scope, token.data)
        self._access[token.access_token] = token
        return token

    def lookup(self, system: str, access_token: str) -> IssuedToken | None:
        found = self._access.get(access_token)
        return found if found is not None and found.system == system else None

    def refresh_grant(self, system: str, refresh_token: str) -> RefreshGrant | None:
        found = self._refresh.get(refresh_token)
        return found if found is not None and found.system == system else None

    def revoke(self, token: str) -> bool:
        """Revoke an access or refresh token (a revoked refresh token's grant ends)."""
        return (self._access.pop(token, None) or self._refresh.pop(token, None)) is not None

    def expire(self, access_token: str) -> None:
        found = self._access.get(access_token)
        if found is not None:
            found.expires_at_ms = min(found.expires_at_ms, _now_ms() - 1)

    def expire_tenant(self, system: str, tenant: str) -> int:
        count = 0
        for token in self._access.values():
            if token.system == system and token.tenant == tenant and not token.expired:
                token.expires_at_ms = _now_ms() - 1
                count += 1
        return count

    def _prune(self) -> None:
        now = _now_ms()
        for key in [k for k, t in self._access.items() if t.expires_at_ms < now]:
            del self._access[key]
