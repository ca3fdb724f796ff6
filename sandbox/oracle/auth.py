"""Who is calling the Oracle simulator: an integration user over HTTP Basic, or a
bearer token from the identity domain's OAuth 2.0 client-credentials grant
(`POST /oauth2/v1/token`, client id and secret in a Basic header or the form)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from starlette.responses import Response

from sandbox.core import Call, Principal, VendorReply, basic_credentials, json_response
from sandbox.oracle.errors import unauthorized

SYSTEM = "oracle"


async def authenticate(call: Call) -> Principal:
    header = call.request.headers.get("authorization", "")
    pair = basic_credentials(header)
    if pair is not None:
        tenant = call.sandbox.find_tenant(SYSTEM, "username", pair[0])
        if tenant is not None and tenant.config.credentials["password"] == pair[1]:
            return Principal(tenant)
        raise unauthorized()
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        issued = call.sandbox.tokens.lookup(SYSTEM, token.strip())
        if issued is not None and not issued.expired:
            return Principal(call.sandbox.tenant(SYSTEM, issued.tenant), token=token.strip())
    raise unauthorized()


async def token(call: Call) -> Response:
    raw = (await call.request.body()).decode("utf-8", "replace")
    form: dict[str, Any] = dict(parse_qsl(raw, keep_blank_values=True))
    pair = basic_credentials(call.request.headers.get("authorization", ""))
    client_id, secret = pair if pair else (form.get("client_id", ""), form.get("client_secret", ""))
    tenant = call.sandbox.find_tenant(SYSTEM, "client_id", client_id) if client_id else None
    if tenant is None or tenant.config.credentials["client_secret"] != secret:
        raise VendorReply(
            json_response(
                {"error": "invalid_client", "error_description": "Client authentication failed."},
                401,
            )
        )
    if form.get("grant_type") != "client_credentials":
        raise VendorReply(
            json_response(
                {
                    "error": "unsupported_grant_type",
                    "error_description": "Grant type not supported.",
                },
                400,
            )
        )
    issued = call.sandbox.tokens.issue(SYSTEM, tenant.name, ttl_s=tenant.config.token_ttl_s)
    return json_response(
        {
            "access_token": issued.access_token,
            "token_type": "Bearer",
            "expires_in": tenant.config.token_ttl_s,
        }
    )
