"""OAuth 2.0 for the Salesforce simulator: /services/oauth2/token (password,
refresh_token, client_credentials, authorization_code grants), an auto-approving
/services/oauth2/authorize, revoke, the identity URL, and bearer-token checks.

`instance_url` in token responses points at the sandbox's TLS listener because
simple-salesforce only speaks https.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode

from starlette.responses import RedirectResponse, Response

from sandbox.core import Call, Principal, Tenant, json_response
from sandbox.core.clock import now_ms
from sandbox.salesforce.errors import SESSION_EXPIRED, fail, oauth_error

if TYPE_CHECKING:
    from sandbox.core.state import Sandbox

SYSTEM = "salesforce"


async def form_of(call: Call) -> dict[str, str]:
    """Form fields from the body and the query string (Salesforce reads both)."""
    fields = dict(call.request.query_params)
    raw = (await call.request.body()).decode("utf-8", "replace")
    fields.update(parse_qsl(raw, keep_blank_values=True))
    return fields


async def authenticate(call: Call) -> Principal:
    header = call.request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() not in ("bearer", "oauth") or not token:
        raise fail(401, "INVALID_SESSION_ID", SESSION_EXPIRED)
    sandbox = call.sandbox
    static = sandbox.find_tenant(SYSTEM, "session_id", token)
    if static is not None:
        return Principal(static)
    issued = sandbox.tokens.lookup(SYSTEM, token)
    if issued is None or issued.expired:
        raise fail(401, "INVALID_SESSION_ID", SESSION_EXPIRED)
    return Principal(sandbox.tenant(SYSTEM, issued.tenant), token=token)


class OAuth:
    def __init__(self) -> None:
        self._codes: dict[str, tuple[str, str, float]] = {}

    def _client(self, sandbox: Sandbox, form: dict[str, str], *, secret_required: bool) -> Tenant:
        client_id = form.get("client_id", "")
        tenant = sandbox.find_tenant(SYSTEM, "client_id", client_id) if client_id else None
        if tenant is None:
            raise oauth_error("invalid_client_id", "client identifier invalid")
        secret = form.get("client_secret")
        if (secret_required or secret is not None) and secret != tenant.config.credentials[
            "client_secret"
        ]:
            raise oauth_error("invalid_client", "invalid client credentials")
        return tenant

    def _grant(self, call: Call, tenant: Tenant, *, refresh: bool | str) -> Response:
        sandbox = call.sandbox
        settings = tenant.config.settings
        issued = sandbox.tokens.issue(
            SYSTEM,
            tenant.name,
            ttl_s=tenant.config.token_ttl_s,
            prefix=f"{str(settings['org_id'])[:15]}!",
            refresh=refresh,
            scope="api refresh_token" if refresh else "api",
        )
        instance = sandbox.urls.secure_or_plain
        identity = f"{instance}/id/{settings['org_id']}/{tenant.id_of('User', 0)}"
        issued_at = str(now_ms())
        secret = tenant.config.credentials["client_secret"].encode()
        signature = base64.b64encode(
            hmac.new(secret, (identity + issued_at).encode(), hashlib.sha256).digest()
        ).decode()
        body: dict[str, Any] = {
            "access_token": issued.access_token,
            "instance_url": instance,
            "id": identity,
            "token_type": "Bearer",
            "issued_at": issued_at,
            "signature": signature,
        }
        if refresh is True and issued.refresh_token:
            body["refresh_token"] = issued.refresh_token
            body["scope"] = issued.scope
        return json_response(
            body, headers={"Cache-Control": "no-cache,must-revalidate,max-age=0,no-store,private"}
        )

    async def token(self, call: Call) -> Response:
        form = await form_of(call)
        grant = form.get("grant_type", "")
        sandbox = call.sandbox
        if grant == "password":
            tenant = self._client(sandbox, form, secret_required=True)
            creds = tenant.config.credentials
            password = form.get("password", "")
            if form.get("username") != creds["username"] or password not in (
                creds["password"],
                creds["password"] + creds.get("security_token", ""),
            ):
                raise oauth_error("invalid_grant", "authentication failure")
            return self._grant(call, tenant, refresh=False)
        if grant == "client_credentials":
            tenant = self._client(sandbox, form, secret_required=True)
            return self._grant(call, tenant, refresh=False)
        if grant == "refresh_token":
            tenant = self._client(sandbox, form, secret_required=False)
            token = form.get("refresh_token", "")
            stored = sandbox.tokens.refresh_grant(SYSTEM, token)
            if token != tenant.config.credentials.get("refresh_token") and (
                stored is None or stored.tenant != tenant.name
            ):
                raise oauth_error("invalid_grant", "expired access/refresh token")
            return self._grant(call, tenant, refresh=token)
        if grant == "authorization_code":
            tenant = self._client(sandbox, form, secret_required=True)
            code = self._codes.pop(form.get("code", ""), None)
            if code is None or code[0] != tenant.name or code[2] < time.monotonic():
                raise oauth_error("invalid_grant", "invalid authorization code")
            if code[1] and form.get("redirect_uri") != code[1]:
                raise oauth_error("invalid_grant", "redirect_uri must match configuration")
            return self._grant(call, tenant, refresh=True)
        if not grant:
            raise oauth_error("unsupported_grant_type", "grant type not supported")
        raise oauth_error("unsupported_grant_type", "grant type not supported")

    async def authorize(self, call: Call) -> Response:
        """Auto-approves (there is no user to ask) and redirects back with a code."""
        params = call.request.query_params
        tenant = self._client(call.sandbox, dict(params), secret_required=False)
        redirect = params.get("redirect_uri", "")
        if params.get("response_type") != "code" or not redirect:
            raise oauth_error("unsupported_response_type", "response type not supported")
        code = "aPrx" + secrets.token_urlsafe(24)
        self._codes[code] = (tenant.name, redirect, time.monotonic() + 900)
        query = {"code": code}
        if "state" in params:
            query["state"] = params["state"]
        joiner = "&" if "?" in redirect else "?"
        return RedirectResponse(f"{redirect}{joiner}{urlencode(query)}", status_code=302)

    async def revoke(self, call: Call) -> Response:
        form = await form_of(call)
        call.sandbox.tokens.revoke(form.get("token", ""))
        return Response(b"", status_code=200)

    async def identity(self, call: Call) -> Response:
        tenant = call.tenant
        org, user_id = call.request.path_params["org"], call.request.path_params["user"]
        user = tenant.collection("User").get(user_id)
        if user is None or org != tenant.config.settings["org_id"]:
            raise fail(403, "Bad_Id", "Bad_Id")
        instance = call.sandbox.urls.secure_or_plain
        rest = f"{instance}/services/data/v{{version}}/"
        return json_response(
            {
                "id": f"{instance}/id/{org}/{user_id}",
                "asserted_user": True,
                "user_id": user_id,
                "organization_id": org,
                "username": user.fields["Username"],
                "nick_name": user.fields["Alias"],
                "display_name": f"{user.fields['FirstName']} {user.fields['LastName']}",
                "email": user.fields["Email"],
                "active": True,
                "user_type": "STANDARD",
                "language": "en_US",
                "locale": "en_US",
                "utcOffset": 0,
                "urls": {
                    "rest": rest,
                    "sobjects": rest + "sobjects/",
                    "query": rest + "query/",
                    "limits": rest + "limits/",
                },
            }
        )
