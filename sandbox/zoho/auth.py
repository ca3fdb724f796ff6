"""Zoho's accounts server and the `Zoho-oauthtoken` check.

`/oauth/v2/token` takes its parameters in the query string (as Zoho's docs
show) or the form body: `refresh_token` grants mint one-hour access tokens and
return no new refresh token; `authorization_code` grants return one. Refusals
come back as HTTP 200 with `{"error": "invalid_code"}` and the like, which is
what the real accounts server does. `api_domain` in the answer is this
sandbox (Zoho answers with its regional `www.zohoapis.*` domain), and the
accounts server lives on the same host.
"""

from __future__ import annotations

import secrets
import time
from urllib.parse import parse_qsl, urlencode

from starlette.responses import RedirectResponse, Response

from sandbox.core import Call, Principal, Tenant, json_response
from sandbox.zoho.errors import AUTHENTICATION_FAILURE, INVALID_TOKEN, fail, oauth_error

SYSTEM = "zoho"
SCOPE = "ZohoCRM.modules.ALL,ZohoCRM.settings.ALL,ZohoCRM.users.READ,ZohoCRM.notifications.ALL"


async def authenticate(call: Call) -> Principal:
    header = call.request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if not token or scheme.lower() != "zoho-oauthtoken":
        code, message = AUTHENTICATION_FAILURE if token else INVALID_TOKEN
        raise fail(401, code, message)
    issued = call.sandbox.tokens.lookup(SYSTEM, token)
    if issued is None or issued.expired:
        raise fail(401, *INVALID_TOKEN)
    return Principal(call.sandbox.tenant(SYSTEM, issued.tenant), token=token, scopes=(SCOPE,))


async def _params(call: Call) -> dict[str, str]:
    params = dict(call.request.query_params)
    raw = (await call.request.body()).decode("utf-8", "replace")
    params.update(parse_qsl(raw, keep_blank_values=True))
    return params


class AccountsServer:
    """The OAuth half of Zoho: /oauth/v2/auth (auto-approves), /token, /token/revoke."""

    CODE_TTL_S = 120.0

    def __init__(self) -> None:
        self._codes: dict[str, tuple[str, str, float]] = {}

    def _client(self, call: Call, params: dict[str, str], *, secret: bool) -> Tenant:
        tenant = call.sandbox.find_tenant(SYSTEM, "client_id", params.get("client_id", ""))
        if tenant is None:
            raise oauth_error("invalid_client")
        if secret and params.get("client_secret") != tenant.config.credentials["client_secret"]:
            raise oauth_error("invalid_client_secret")
        return tenant

    def _grant(self, call: Call, tenant: Tenant, *, with_refresh: bool) -> Response:
        issued = call.sandbox.tokens.issue(
            SYSTEM,
            tenant.name,
            ttl_s=tenant.config.token_ttl_s,
            prefix="1000.",
            refresh=with_refresh,
            scope=SCOPE,
        )
        body: dict[str, object] = {"access_token": issued.access_token}
        if with_refresh and issued.refresh_token:
            body["refresh_token"] = issued.refresh_token
        body.update(
            scope=SCOPE,
            api_domain=call.sandbox.urls.http,
            token_type="Bearer",
            expires_in=tenant.config.token_ttl_s,
        )
        return json_response(body)

    async def token(self, call: Call) -> Response:
        params = await _params(call)
        grant = params.get("grant_type", "")
        if grant == "refresh_token":
            tenant = self._client(call, params, secret=True)
            token = params.get("refresh_token", "")
            stored = call.sandbox.tokens.refresh_grant(SYSTEM, token)
            shipped = tenant.config.credentials.get("refresh_token")
            if token != shipped and (stored is None or stored.tenant != tenant.name):
                raise oauth_error("invalid_code")
            return self._grant(call, tenant, with_refresh=False)
        if grant == "authorization_code":
            tenant = self._client(call, params, secret=True)
            code = self._codes.pop(params.get("code", ""), None)
            if code is None or code[0] != tenant.name or code[2] < time.monotonic():
                raise oauth_error("invalid_code")
            if code[1] and params.get("redirect_uri") != code[1]:
                raise oauth_error("invalid_redirect_uri")
            return self._grant(call, tenant, with_refresh=True)
        raise oauth_error("unsupported_grant_type")

    async def authorize(self, call: Call) -> Response:
        """No user to ask: approve at once and redirect back with a two-minute code."""
        params = dict(call.request.query_params)
        tenant = self._client(call, params, secret=False)
        redirect = params.get("redirect_uri", "")
        if params.get("response_type") != "code" or not redirect:
            raise oauth_error("invalid_response_type")
        code = "1000." + secrets.token_hex(16)
        self._codes[code] = (tenant.name, redirect, time.monotonic() + self.CODE_TTL_S)
        query = {"code": code, "location": "us", "accounts-server": call.sandbox.urls.http}
        if "state" in params:
            query["state"] = params["state"]
        joiner = "&" if "?" in redirect else "?"
        return RedirectResponse(f"{redirect}{joiner}{urlencode(query)}", status_code=302)

    async def revoke(self, call: Call) -> Response:
        params = await _params(call)
        call.sandbox.tokens.revoke(params.get("token", ""))
        return json_response({"status": "success"})
