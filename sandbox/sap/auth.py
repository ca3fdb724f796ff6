"""Who is calling the SAP simulator, and the CSRF handshake that guards its writes.

Callers authenticate as a communication user (HTTP Basic) or with a bearer
token from the OAuth 2.0 client-credentials grant at `/sap/bc/sec/oauth2/token`
(client id and secret in a Basic header or the form; S/4HANA Cloud's secret
is the communication user's password). Writes need the CSRF token that a GET
with `X-CSRF-Token: Fetch` handed out, together with the session cookie that
came with it; otherwise SAP answers 403 with `x-csrf-token: Required`.
"""

from __future__ import annotations

import secrets
import time
from typing import Any
from urllib.parse import parse_qsl

from starlette.responses import Response

from sandbox.core import Call, Principal, Tenant, basic_credentials, json_response
from sandbox.core.vendor import VendorReply
from sandbox.sap.errors import csrf_required, logon_failed

SYSTEM = "sap"
CSRF_IDLE_S = 30 * 60


async def authenticate(call: Call) -> Principal:
    header = call.request.headers.get("authorization", "")
    sandbox = call.sandbox
    pair = basic_credentials(header)
    if pair is not None:
        tenant = sandbox.find_tenant(SYSTEM, "username", pair[0])
        if tenant is not None and tenant.config.credentials["password"] == pair[1]:
            return Principal(tenant)
        raise logon_failed()
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        issued = sandbox.tokens.lookup(SYSTEM, token.strip())
        if issued is not None and not issued.expired:
            return Principal(sandbox.tenant(SYSTEM, issued.tenant), token=token.strip())
    raise logon_failed()


def _oauth_error(error: str, description: str, status: int) -> VendorReply:
    return VendorReply(json_response({"error": error, "error_description": description}, status))


async def token(call: Call) -> Response:
    """POST /sap/bc/sec/oauth2/token (grant_type=client_credentials)."""
    raw = (await call.request.body()).decode("utf-8", "replace")
    form: dict[str, Any] = dict(call.request.query_params)
    form.update(parse_qsl(raw, keep_blank_values=True))
    pair = basic_credentials(call.request.headers.get("authorization", ""))
    client_id, secret = pair if pair else (form.get("client_id", ""), form.get("client_secret", ""))
    tenant = call.sandbox.find_tenant(SYSTEM, "client_id", client_id) if client_id else None
    if tenant is None or tenant.config.credentials["client_secret"] != secret:
        raise _oauth_error("invalid_client", "Client authentication failed", 401)
    if form.get("grant_type") != "client_credentials":
        raise _oauth_error(
            "unsupported_grant_type", "Only client_credentials is enabled for this client", 400
        )
    issued = call.sandbox.tokens.issue(
        SYSTEM, tenant.name, ttl_s=tenant.config.token_ttl_s, scope="API_BUSINESS_PARTNER_0001"
    )
    return json_response(
        {
            "access_token": issued.access_token,
            "token_type": "Bearer",
            "expires_in": tenant.config.token_ttl_s,
            "scope": "API_PRODUCT_SRV_0001 API_SALES_ORDER_SRV_0001 API_BUSINESS_PARTNER_0001 "
            "API_SALES_QUOTATION_SRV_0001 API_MATERIAL_STOCK_SRV_0001",
        },
        headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
    )


def _cookie_name(tenant: Tenant) -> str:
    settings = tenant.config.settings
    return f"SAP_SESSIONID_{settings['sid']}_{settings['client']}"


def _sessions(tenant: Tenant) -> dict[str, tuple[str, float]]:
    found: dict[str, tuple[str, float]] = tenant.extras.setdefault("sap.csrf", {})
    return found


def csrf_fetch(call: Call, response: Response) -> None:
    """Answer `X-CSRF-Token: Fetch` with a token bound to a (new or current) session."""
    if call.request.headers.get("x-csrf-token", "").lower() != "fetch":
        return
    tenant = call.tenant
    sessions = _sessions(tenant)
    name = _cookie_name(tenant)
    session = call.request.cookies.get(name, "")
    now = time.monotonic()
    current = sessions.get(session)
    if current is None or now - current[1] > CSRF_IDLE_S:
        session = secrets.token_urlsafe(24)
        current = (secrets.token_urlsafe(18), now)
        response.set_cookie(name, session, path="/", httponly=True)
        response.set_cookie(
            "sap-usercontext", f"sap-client={tenant.config.settings['client']}", path="/"
        )
    sessions[session] = (current[0], now)
    response.headers["x-csrf-token"] = current[0]


def csrf_check(call: Call) -> None:
    """Writes need the session cookie and the token fetched with it."""
    sessions = _sessions(call.tenant)
    session = call.request.cookies.get(_cookie_name(call.tenant), "")
    sent = call.request.headers.get("x-csrf-token", "")
    current = sessions.get(session)
    if current is None or not sent or sent != current[0]:
        raise csrf_required()
    if time.monotonic() - current[1] > CSRF_IDLE_S:
        sessions.pop(session, None)
        raise csrf_required()
    sessions[session] = (current[0], time.monotonic())
