"""OAuth2 with refresh: Salesforce, HubSpot, Zoho, Pipedrive apps; client credentials for SAP.

The token endpoint's answer is kept whole (Salesforce's `instance_url`,
`issued_at` and `signature`, Zoho's `api_domain`, whatever else comes), as
text, plus one field of ours, `token_expires_at` (epoch seconds). After each
refresh the complete token set goes to `on_refresh`, which the adapter wires to
`AdapterContext.save_secret` so that the service seals and stores it.

Refresh happens before expiry (from `expires_in`, or `issued_at` plus a known
lifetime) and once after a 401. A refusal (`invalid_grant`, a revoked app)
raises NeedsReconnectError in words; a failure to reach the token endpoint is
transient like any other call.

    >>> oauth = OAuth2(vendor="Salesforce", token_url="https://login.salesforce.com/services/oauth2/token",
    ...                client_id=cid, client_secret=secret, tokens={"refresh_token": rt},
    ...                on_refresh=save)
    >>> session = VendorSession(vendor="Salesforce", auth=oauth,
    ...                         base_url=lambda: oauth.tokens["instance_url"])
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Literal

import orjson
import requests

from adapters.auth import Authenticator
from adapters.failures import error_code, json_body
from adapters.timing import SYSTEM_CLOCK, Clock
from core.errors import NeedsReconnectError, VendorAuthError
from core.redaction import NOT_SECRET_FIELDS, SHORT_LIVED_FIELDS

if TYPE_CHECKING:
    from adapters.http import VendorSession

Grant = Literal["refresh_token", "client_credentials", "password"]
EXPIRES_AT = "token_expires_at"
_SECRET_FIELDS = ("access_token", "refresh_token", "id_token", "signature")
TOKEN_METADATA = NOT_SECRET_FIELDS
"""Token-endpoint fields kept in the secret that are not secret (see core.redaction)."""


class OAuth2(Authenticator):
    what = "access token"

    def __init__(
        self,
        *,
        vendor: str,
        token_url: str,
        client_id: str,
        client_secret: str | None = None,
        grant: Grant = "refresh_token",
        tokens: Mapping[str, str] | None = None,
        extra: Mapping[str, str] | None = None,  # username/password/scope for other grants
        scheme: str = "Bearer",  # Zoho: "Zoho-oauthtoken"
        client_auth: Literal["body", "basic"] = "body",  # Pipedrive: HTTP Basic
        refresh_margin_s: float = 300.0,
        lifetime_s: float | None = None,  # when the vendor sends no expires_in
        on_refresh: Callable[[dict[str, str]], None] = lambda _tokens: None,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self.vendor = vendor
        self.token_url = token_url
        self._client_id = client_id
        self._client_secret = client_secret
        self.grant = grant
        self._tokens = dict(tokens or {})
        self._extra = dict(extra or {})
        self.scheme = scheme
        self._client_auth = client_auth
        self._margin = refresh_margin_s
        self._lifetime = lifetime_s
        self._on_refresh = on_refresh
        self._clock = clock
        self._lock = threading.RLock()  # base_url callables read `tokens` during a refresh

    @property
    def tokens(self) -> dict[str, str]:
        """Every field the token endpoint returned (a copy)."""
        with self._lock:
            return dict(self._tokens)

    def apply(self, request: requests.Request, session: VendorSession) -> None:
        token = self._tokens.get("access_token")
        if not token or self._expiring():
            self._refresh(session, stale=token)
            token = self._tokens["access_token"]
        request.headers["Authorization"] = f"{self.scheme} {token}"

    def refresh(self, session: VendorSession, response: requests.Response) -> None:
        stale = response.request.headers.get("Authorization", "") if response.request else ""
        self._refresh(session, stale=stale.removeprefix(f"{self.scheme} ") or None)

    def secrets(self) -> list[str]:
        values = [self._tokens.get(name, "") for name in _SECRET_FIELDS]
        values += [self._client_secret or "", self._extra.get("password", "")]
        return [value for value in values if value]

    # --- the token endpoint ---------------------------------------------------------------

    def _expiring(self) -> bool:
        expires_at = _float(self._tokens.get(EXPIRES_AT))
        if expires_at is None:
            return False
        return self._clock.now().timestamp() >= expires_at - self._margin

    def _refresh(self, session: VendorSession, *, stale: str | None) -> None:
        with self._lock:
            current = self._tokens.get("access_token")
            if current is not None and current != stale and not self._expiring():
                # another caller fetched one while we waited for the lock (entities in
                # flight all start without a token: one login serves them all)
                return
            headers = {"Accept": "application/json"}
            if self._client_auth == "basic":
                pair = f"{self._client_id}:{self._client_secret or ''}".encode()
                headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
            response = session.request(
                "POST",
                self.token_url,
                data=self._form(),
                headers=headers,
                authenticate=False,
                idempotent=True,
                accept_errors=True,
                rate_limited=False,
            )
            body = json_body(response)
            if not (200 <= response.status_code < 300 and isinstance(body, dict)):
                raise self._refusal(session, response.status_code, body)
            if not body.get("access_token"):
                raise self._refusal(session, response.status_code, body)  # Zoho: 200 + error
            fresh = {key: _text(value) for key, value in body.items() if value is not None}
            self._tokens.update(fresh)
            self._tokens[EXPIRES_AT] = self._expires_at(fresh)
            for name in _SECRET_FIELDS:
                session.redactor.add(self._tokens.get(name), short_lived=name in SHORT_LIVED_FIELDS)
            tokens = dict(self._tokens)
        self._on_refresh(tokens)

    def _form(self) -> dict[str, str]:
        form = {"grant_type": self.grant, **self._extra}
        if self.grant == "refresh_token":
            refresh_token = self._tokens.get("refresh_token")
            if not refresh_token:
                raise NeedsReconnectError(
                    f"{self.vendor} gave no refresh token for this connection, so its access "
                    "cannot be renewed: reconnect this connection"
                )
            form["refresh_token"] = refresh_token
        if self._client_auth == "body":
            form["client_id"] = self._client_id
            if self._client_secret:
                form["client_secret"] = self._client_secret
        return form

    def _expires_at(self, fresh: Mapping[str, str]) -> str:
        now = self._clock.now().timestamp()
        expires_in = _float(fresh.get("expires_in"))
        if expires_in is not None:
            return str(now + expires_in)
        issued_ms = _float(fresh.get("issued_at"))
        if self._lifetime is not None:
            start = issued_ms / 1000 if issued_ms is not None else now
            return str(start + self._lifetime)
        return ""

    def _refusal(self, session: VendorSession, status: int, body: Any) -> VendorAuthError:
        code = error_code(body) or f"HTTP {status}"
        description = body.get("error_description") if isinstance(body, dict) else None
        said = f"{code}: {description}" if description else code
        if self.grant == "refresh_token":
            return NeedsReconnectError(
                session.redact(
                    f"{self.vendor} refused to refresh the access token ({said}): "
                    "reconnect this connection"
                ),
                status=status,
            )
        return VendorAuthError(
            session.redact(
                f"{self.vendor} refused the {self.grant.replace('_', ' ')} grant ({said}): "
                "check the client id, secret and user in the connection settings"
            ),
            status=status,
        )


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return orjson.dumps(value).decode()  # numbers, booleans, nested objects


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None
