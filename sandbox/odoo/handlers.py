"""The endpoint handlers: XML-RPC, JSON-RPC, the web-session routes and /json/2.

Each reads the call parsed by wire.py (cached on the request), runs it, and
writes the answer the way that protocol does: XML-RPC faults and JSON-RPC error
objects come with HTTP 200, /json/2 errors with their HTTP status.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from sandbox.core import Call, json_response
from sandbox.odoo import orm, services
from sandbox.odoo.db import ADMIN_UID, OdooDb
from sandbox.odoo.errors import (
    AccessDenied,
    OdooError,
    SessionExpired,
    json2_error,
    jsonrpc_error,
    jsonrpc_result,
    xmlrpc_fault,
    xmlrpc_result,
)
from sandbox.odoo.wire import RpcCall, cached

SESSION_COOKIE = "session_id"
READS = ("search_read", "read")


def error_response(rpc: RpcCall, error: OdooError) -> Response:
    if rpc.kind == "xmlrpc":
        return xmlrpc_fault(error)
    if rpc.kind == "json2":
        return json2_error(error)
    return jsonrpc_error(error, rpc.request_id)


def _rpc(call: Call) -> RpcCall:
    found = cached(call.request)
    assert found is not None, "authenticate parses every Odoo request first"
    return found


def _count(call: Call, rpc: RpcCall, result: Any) -> None:
    if rpc.model_method in READS and isinstance(result, list):
        call.served(len(result))


async def rpc(call: Call) -> Response:
    """/xmlrpc/2/<service> and /jsonrpc: the common, object and db services."""
    found = _rpc(call)
    try:
        if found.error is not None:
            raise found.error
        result = services.dispatch(call.tenant, call.sandbox, found)
    except OdooError as error:
        return error_response(found, error)
    _count(call, found, result)
    if found.kind == "xmlrpc":
        return xmlrpc_result(result)
    return jsonrpc_result(result, found.request_id)


async def version_info(call: Call) -> Response:
    """/web/webclient/version_info (what OdooRPC asks first) over JSON-RPC."""
    return jsonrpc_result(services.version_info(call.tenant), _rpc(call).request_id)


async def web_version(call: Call) -> Response:
    """/web/version: plain JSON, no envelope."""
    info = services.version_info(call.tenant)
    return json_response(
        {"version_info": info["server_version_info"], "version": info["server_version"]}
    )


def session_info(call: Call, uid: int, session: str | None = None) -> dict[str, Any]:
    tenant = call.tenant
    user = tenant.collection("res.users").get(str(uid))
    name = user.fields["name"] if user else "Integration Bot"
    info = services.version_info(tenant)
    context = {"lang": "en_US", "tz": "Europe/Brussels", "uid": uid}
    return {
        "uid": uid,
        "is_system": True,
        "is_admin": True,
        "user_context": context,
        "db": tenant.name,
        "server_version": info["server_version"],
        "server_version_info": info["server_version_info"],
        "name": name,
        "username": tenant.config.credentials["login"],
        "partner_display_name": name,
        "company_id": 1,
        "partner_id": user.fields.get("partner_id") if user else 1,
        "web.base.url": call.sandbox.urls.http,
        **({"session_id": session} if session else {}),
    }


async def session_authenticate(call: Call) -> Response:
    """/web/session/authenticate: a cookie session (what OdooRPC uses below version 10)."""
    found = _rpc(call)
    params = found.params if isinstance(found.params, dict) else {}
    tenant = call.tenant
    if not services.password_ok(tenant, params.get("login"), params.get("password")):
        return error_response(found, AccessDenied())
    issued = call.sandbox.tokens.issue(
        services.SYSTEM, tenant.name, ttl_s=tenant.config.token_ttl_s, data={"uid": ADMIN_UID}
    )
    response = jsonrpc_result(session_info(call, ADMIN_UID), found.request_id)
    response.set_cookie(SESSION_COOKIE, issued.access_token, httponly=True, samesite="lax")
    return response


async def session_get(call: Call) -> Response:
    return jsonrpc_result(session_info(call, ADMIN_UID), _rpc(call).request_id)


async def session_destroy(call: Call) -> Response:
    session = call.request.cookies.get(SESSION_COOKIE)
    if session:
        call.sandbox.tokens.revoke(session)
    return jsonrpc_result(None, _rpc(call).request_id)


async def call_kw(call: Call) -> Response:
    """/web/dataset/call_kw[/<model>/<method>]: ORM calls on a cookie session."""
    found = _rpc(call)
    try:
        if found.error is not None:
            raise found.error
        if found.model is None or found.model_method is None:
            raise SessionExpired("call_kw needs model and method")
        db = OdooDb(call.tenant, ADMIN_UID)
        result = orm.call(db, found.model, found.model_method, None, found.args, dict(found.kwargs))
    except OdooError as error:
        return error_response(found, error)
    _count(call, found, result)
    return jsonrpc_result(result, found.request_id)


async def json2(call: Call) -> Response:
    """POST /json/2/<model>/<method> with a bearer API key (Odoo 19+)."""
    found = _rpc(call)
    try:
        if found.error is not None:
            raise found.error
        body = dict(found.params)
        ids = body.pop("ids", None)
        ids = None if ids in (None, [], ()) else ids
        db = OdooDb(call.tenant, ADMIN_UID)
        model, method = found.model or "", found.model_method or ""
        if ids is not None:
            ids = orm.ids_of(ids)
        if ids is None and method in orm.RECORD_METHODS:
            ids = []
        result = orm.call(db, model, method, ids, [], body, json2=True)
    except OdooError as error:
        return error_response(found, error)
    _count(call, found, result)
    return json_response(result)
