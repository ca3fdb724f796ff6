"""HubSpot authentication: private-app bearer tokens, OAuth 2.0 (/oauth/v1/token with
authorization_code and refresh_token grants, an auto-approving /oauth/authorize),
and the token-introspection endpoints."""

from __future__ import annotations

import secrets
import uuid
from urllib.parse import parse_qsl, urlencode

from starlette.responses import RedirectResponse, Response

from sandbox.core import Call, Principal, Tenant, VendorReply, empty_response, json_response
from sandbox.core.clock import now_ms
from sandbox.hubspot.errors import fail

SYSTEM = "hubspot"
NO_CREDENTIALS = (
    "Authentication credentials not found. This API supports OAuth 2.0 authentication and you "
    "can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview"
)


async def authenticate(call: Call) -> Principal:
    scheme, _, token = call.request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise fail(401, "INVALID_AUTHENTICATION", NO_CREDENTIALS)
    sandbox = call.sandbox
    static = sandbox.find_tenant(SYSTEM, "private_app_token", token)
    if static is not None:
        return Principal(static, data={"kind": "private_app"})
    issued = sandbox.tokens.lookup(SYSTEM, token)
    if issued is None:
        raise fail(401, "INVALID_AUTHENTICATION", NO_CREDENTIALS)
    if issued.expired:
        ago = max(1, int(now_ms() - issued.expires_at_ms) // 60_000)
        raise fail(
            401,
            "EXPIRED_AUTHENTICATION",
            f"The OAuth token used to make this call expired {ago} minute(s) ago.",
        )
    return Principal(sandbox.tenant(SYSTEM, issued.tenant), token=token, data={"kind": "oauth"})


def _oauth_error(status: str, message: str) -> VendorReply:
    body = {"status": status, "message": message, "correlationId": str(uuid.uuid4())}
    return VendorReply(json_response(body, 400))


class OAuth:
    SCOPES = (
        "crm.objects.contacts.read crm.objects.contacts.write crm.objects.companies.read "
        "crm.objects.deals.read oauth"
    )

    def __init__(self) -> None:
        self._codes: dict[str, tuple[str, str]] = {}

    def _client(self, call: Call, form: dict[str, str]) -> Tenant:
        tenant = call.sandbox.find_tenant(SYSTEM, "client_id", form.get("client_id", ""))
        if tenant is None:
            raise _oauth_error("BAD_CLIENT_ID", "missing or invalid client_id")
        return tenant

    async def token(self, call: Call) -> Response:
        raw = (await call.request.body()).decode("utf-8", "replace")
        form = dict(parse_qsl(raw, keep_blank_values=True))
        grant = form.get("grant_type", "")
        if grant not in ("authorization_code", "refresh_token"):
            raise _oauth_error("BAD_GRANT_TYPE", "missing or invalid grant_type")
        tenant = self._client(call, form)
        if form.get("client_secret") != tenant.config.credentials["client_secret"]:
            raise _oauth_error("BAD_CLIENT_SECRET", "missing or invalid client_secret")
        tokens = call.sandbox.tokens
        if grant == "authorization_code":
            code = self._codes.pop(form.get("code", ""), None)
            if code is None or code[0] != tenant.name:
                raise _oauth_error("BAD_AUTH_CODE", "missing or unknown auth code")
            if code[1] and form.get("redirect_uri") != code[1]:
                raise _oauth_error("BAD_REDIRECT_URI", "redirect_uri does not match")
            refresh: bool | str = True
        else:
            refresh_token = form.get("refresh_token", "")
            grant_info = tokens.refresh_grant(SYSTEM, refresh_token)
            shipped = tenant.config.credentials.get("refresh_token")
            if refresh_token != shipped and (
                grant_info is None or grant_info.tenant != tenant.name
            ):
                raise _oauth_error("BAD_REFRESH_TOKEN", "missing or unknown refresh token")
            refresh = refresh_token
        issued = tokens.issue(
            SYSTEM,
            tenant.name,
            ttl_s=tenant.config.token_ttl_s,
            prefix="C",
            refresh=refresh,
            scope=self.SCOPES,
        )
        return json_response(
            {
                "token_type": "bearer",
                "refresh_token": issued.refresh_token,
                "access_token": issued.access_token,
                "expires_in": tenant.config.token_ttl_s,
            }
        )

    async def authorize(self, call: Call) -> Response:
        params = call.request.query_params
        tenant = self._client(call, dict(params))
        redirect = params.get("redirect_uri", "")
        if not redirect:
            raise _oauth_error("BAD_REDIRECT_URI", "missing redirect_uri")
        code = secrets.token_hex(16)
        self._codes[code] = (tenant.name, redirect)
        query = {"code": code} | ({"state": params["state"]} if "state" in params else {})
        joiner = "&" if "?" in redirect else "?"
        return RedirectResponse(f"{redirect}{joiner}{urlencode(query)}", status_code=302)

    async def access_token_info(self, call: Call) -> Response:
        token = str(call.request.path_params["token"])
        issued = call.sandbox.tokens.lookup(SYSTEM, token)
        if issued is None or issued.expired:
            raise fail(404, "OBJECT_NOT_FOUND", "Token not found")
        settings = call.sandbox.tenant(SYSTEM, issued.tenant).config.settings
        return json_response(
            {
                "token": token,
                "user": f"integration@{issued.tenant}.sandbox",
                "hub_domain": settings["hub_domain"],
                "scopes": issued.scope.split(),
                "hub_id": settings["portal_id"],
                "app_id": settings["app_id"],
                "expires_in": issued.expires_in_s,
                "user_id": 1000001,
                "token_type": "access",
            }
        )

    async def refresh_token_info(self, call: Call) -> Response:
        token = str(call.request.path_params["token"])
        sandbox = call.sandbox
        grant = sandbox.tokens.refresh_grant(SYSTEM, token)
        tenant = sandbox.find_tenant(SYSTEM, "refresh_token", token)
        name = grant.tenant if grant is not None else tenant.name if tenant is not None else None
        if name is None:
            raise fail(404, "OBJECT_NOT_FOUND", "Token not found")
        if call.request.method == "DELETE":
            sandbox.tokens.revoke(token)
            return empty_response(204)
        settings = sandbox.tenant(SYSTEM, name).config.settings
        return json_response(
            {
                "token": token,
                "user": f"integration@{name}.sandbox",
                "hub_domain": settings["hub_domain"],
                "scopes": self.SCOPES.split(),
                "hub_id": settings["portal_id"],
                "client_id": sandbox.tenant(SYSTEM, name).config.credentials["client_id"],
                "user_id": 1000001,
                "token_type": "refresh",
            }
        )
