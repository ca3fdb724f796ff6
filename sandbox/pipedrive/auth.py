"""Who is calling Pipedrive: an API token (`api_token` query parameter or
`x-api-token` header) or an OAuth access token (`Authorization: Bearer`).

The OAuth server (oauth.pipedrive.com in life, this host here) takes the
client's id and secret as HTTP Basic auth at `/oauth/token`, issues one-hour
access tokens with the company's `api_domain`, and keeps the refresh token.
"""

from __future__ import annotations

import secrets
import time
from urllib.parse import parse_qsl, urlencode

from starlette.responses import RedirectResponse, Response

from sandbox.core import Call, Principal, Tenant, basic_credentials, json_response
from sandbox.pipedrive.errors import oauth_error, unauthorized

SYSTEM = "pipedrive"
SCOPE = "base,deals:full,contacts:full,activities:full,products:full,leads:full,admin"


async def authenticate(call: Call) -> Principal:
    request, sandbox = call.request, call.sandbox
    token = request.query_params.get("api_token") or request.headers.get("x-api-token")
    if token:
        tenant = sandbox.find_tenant(SYSTEM, "api_token", token)
        if tenant is None:
            raise unauthorized()
        return Principal(tenant, data={"kind": "api_token"})
    scheme, _, bearer = request.headers.get("authorization", "").partition(" ")
    issued = sandbox.tokens.lookup(SYSTEM, bearer.strip()) if scheme.lower() == "bearer" else None
    if issued is None or issued.expired:
        raise unauthorized()
    return Principal(
        sandbox.tenant(SYSTEM, issued.tenant), token=issued.access_token, data={"kind": "oauth"}
    )


class OAuthServer:
    CODE_TTL_S = 300.0

    def __init__(self) -> None:
        self._codes: dict[str, tuple[str, str, float]] = {}

    def _client(self, call: Call) -> Tenant:
        client_id, secret = basic_credentials(call.request.headers.get("authorization", "")) or (
            "",
            "",
        )
        tenant = call.sandbox.find_tenant(SYSTEM, "client_id", client_id) if client_id else None
        if tenant is None or secret != tenant.config.credentials["client_secret"]:
            raise oauth_error("invalid_client", "Invalid client credentials", 401)
        return tenant

    def _grant(self, call: Call, tenant: Tenant, refresh: str | bool) -> Response:
        issued = call.sandbox.tokens.issue(
            SYSTEM,
            tenant.name,
            ttl_s=tenant.config.token_ttl_s,
            prefix="v1:",
            refresh=refresh,
            scope=SCOPE,
        )
        return json_response(
            {
                "access_token": issued.access_token,
                "token_type": "Bearer",
                "refresh_token": issued.refresh_token,
                "scope": SCOPE,
                "expires_in": tenant.config.token_ttl_s,
                "api_domain": call.sandbox.urls.http,
            }
        )

    async def token(self, call: Call) -> Response:
        tenant = self._client(call)
        form = dict(parse_qsl((await call.request.body()).decode("utf-8", "replace")))
        grant = form.get("grant_type", "")
        if grant == "refresh_token":
            token = form.get("refresh_token", "")
            stored = call.sandbox.tokens.refresh_grant(SYSTEM, token)
            shipped = tenant.config.credentials["refresh_token"]
            if token != shipped and (stored is None or stored.tenant != tenant.name):
                raise oauth_error("invalid_grant", "Invalid refresh token")
            return self._grant(call, tenant, token)
        if grant == "authorization_code":
            code = self._codes.pop(form.get("code", ""), None)
            if code is None or code[0] != tenant.name or code[2] < time.monotonic():
                raise oauth_error("invalid_grant", "Invalid authorization code")
            if form.get("redirect_uri") != code[1]:
                raise oauth_error("invalid_grant", "Invalid redirect_uri")
            return self._grant(call, tenant, True)
        raise oauth_error("unsupported_grant_type", "Grant type not supported")

    async def authorize(self, call: Call) -> Response:
        """Auto-approves (there is no user to ask) and redirects back with a code."""
        params = call.request.query_params
        tenant = call.sandbox.find_tenant(SYSTEM, "client_id", params.get("client_id", ""))
        redirect = params.get("redirect_uri", "")
        if tenant is None or not redirect:
            raise oauth_error("invalid_request", "Unknown client_id or missing redirect_uri")
        code = f"{tenant.config.settings['company_id']}.{secrets.token_hex(20)}"
        self._codes[code] = (tenant.name, redirect, time.monotonic() + self.CODE_TTL_S)
        query = {"code": code, **({"state": params["state"]} if "state" in params else {})}
        joiner = "&" if "?" in redirect else "?"
        return RedirectResponse(f"{redirect}{joiner}{urlencode(query)}", status_code=302)

    async def revoke(self, call: Call) -> Response:
        self._client(call)
        form = dict(parse_qsl((await call.request.body()).decode("utf-8", "replace")))
        call.sandbox.tokens.revoke(form.get("token", ""))
        return Response(status_code=200)
