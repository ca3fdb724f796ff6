"""What a request to Odoo asks for, read once and kept on the request.

Every ORM method arrives at one URL (`/xmlrpc/2/object`, `/jsonrpc`), so the
model and the method are inside the body. The core asks for them before
authentication (`object_of`, `op_of`: fault rules and statistics target "list
calls on product.product"), the vendor asks again to authenticate, the
handler once more to run the call: the parsed form is cached on the request.
"""

from __future__ import annotations

import xmlrpc.client
from dataclasses import dataclass, field
from typing import Any, Literal
from xml.parsers.expat import ExpatError

import orjson
from starlette.requests import Request

from sandbox.core.vendor import Op
from sandbox.odoo.errors import OdooError, http_error, server_error

Kind = Literal["xmlrpc", "jsonrpc", "web", "json2"]
_STATE = "odoo_call"

OPS: dict[str, Op] = {
    "search_read": "list",
    "search": "list",
    "read": "read",
    "name_get": "read",
    "exists": "read",
    "search_count": "search",
    "name_search": "search",
    "create": "create",
    "load": "create",  # an import: creates, or updates the rows it names
    "write": "update",
    "unlink": "delete",
    "fields_get": "metadata",
    "check_access_rights": "metadata",
    "context_get": "metadata",
    "default_get": "metadata",
}


@dataclass
class RpcCall:
    kind: Kind
    service: str = ""  # common, object, db (RPC); "" for web and /json/2
    method: str = ""  # the service method (execute_kw, authenticate) or web route
    params: Any = field(default_factory=list)
    request_id: Any = None
    db: str | None = None
    uid: Any = None
    password: Any = None
    model: str | None = None
    model_method: str | None = None
    args: list[Any] = field(default_factory=list)
    kwargs: dict[str, Any] = field(default_factory=dict)
    error: OdooError | None = None  # the body could not be read

    @property
    def op(self) -> Op:
        if self.model_method is not None:
            if self.model_method.startswith("action_"):
                return "update"
            return OPS.get(self.model_method, "other")
        if self.method in ("authenticate", "login", "/web/session/authenticate"):
            return "auth"
        return "metadata"


def cached(request: Request) -> RpcCall | None:
    found = getattr(request.state, _STATE, None)
    return found if isinstance(found, RpcCall) else None


async def parsed(request: Request, kind: Kind) -> RpcCall:
    found = cached(request)
    if found is None:
        raw = await request.body()
        found = _parse(kind, raw, request)
        setattr(request.state, _STATE, found)
    return found


def _parse(kind: Kind, raw: bytes, request: Request) -> RpcCall:
    path = request.url.path
    if kind == "json2":
        call = RpcCall("json2", method="json2", model=request.path_params.get("model"))
        call.model_method = request.path_params.get("method")
        try:
            body = orjson.loads(raw) if raw.strip() else {}
        except orjson.JSONDecodeError as exc:
            call.error = http_error(400, f"could not parse the body as json: {exc}")
            return call
        if not isinstance(body, dict):
            call.error = http_error(400, "could not parse the body, expecting a json object")
            return call
        call.params = body
        return call
    if kind == "xmlrpc":
        call = RpcCall("xmlrpc", service=path.rstrip("/").rsplit("/", 1)[-1])
        try:
            values, method = xmlrpc.client.loads(raw, use_builtin_types=True)
        except (ExpatError, xmlrpc.client.ResponseError, ValueError, TypeError) as exc:
            call.error = server_error(
                f"{type(exc).__name__}: {exc}", "xml.parsers.expat.ExpatError"
            )
            return call
        call.method, call.params = method or "", list(values)
        return _rpc_fields(call)
    call = RpcCall(kind)
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        call.error = http_error(400, "Invalid JSON data")
        return call
    if not isinstance(body, dict) or not isinstance(body.get("params", {}), dict):
        call.error = http_error(400, "Invalid JSON-RPC request: expected an object with params")
        return call
    call.request_id = body.get("id")
    params: dict[str, Any] = body.get("params") or {}
    if kind == "jsonrpc":
        call.service, call.method = str(params.get("service", "")), str(params.get("method", ""))
        args = params.get("args") or []
        call.params = list(args) if isinstance(args, list) else [args]
        return _rpc_fields(call)
    call.method, call.params = path, params
    if path.rstrip("/").endswith(("/web/session/authenticate",)):
        call.db = params.get("db")
    elif "/web/dataset/call_kw" in path:
        call.model, call.model_method = params.get("model"), params.get("method")
        args, kwargs = params.get("args"), params.get("kwargs")
        call.args = list(args) if isinstance(args, list) else []
        call.kwargs = dict(kwargs) if isinstance(kwargs, dict) else {}
    return call


def _rpc_fields(call: RpcCall) -> RpcCall:
    """db, uid, password, model and method out of a common/object call's positional args."""
    params = call.params
    if call.service == "common" and call.method in ("authenticate", "login") and params:
        call.db = params[0] if isinstance(params[0], str) else None
        call.uid = params[1] if len(params) > 1 else None
        call.password = params[2] if len(params) > 2 else None
    if call.service == "object" and call.method in ("execute", "execute_kw") and len(params) >= 5:
        call.db, call.uid, call.password = params[0], params[1], params[2]
        model, method = params[3], params[4]
        call.model = model if isinstance(model, str) else None
        call.model_method = method if isinstance(method, str) else None
        if call.method == "execute_kw":
            args = params[5] if len(params) > 5 else []
            kwargs = params[6] if len(params) > 6 else {}
            call.args = list(args) if isinstance(args, list | tuple) else [args]
            call.kwargs = dict(kwargs) if isinstance(kwargs, dict) else {}
        else:
            call.args = list(params[5:])
    return call
