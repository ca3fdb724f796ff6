"""Which database a request is for, who is calling, and the `common`/`object`/`db` services.

A real Odoo server has one version and may host several databases. The sandbox
hosts each database as its own server under `/odoo/<db>/` (the base URL to give
xmlrpc.client, requests or the hub), and also answers at the root paths for
clients that cannot take a path (OdooRPC): there the database named in the call
is used, and calls that name none (version, version_info) answer for the
database in `X-Odoo-Database` or `?db=`, else the default one (acme).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from sandbox.core import Tenant
from sandbox.core.state import Sandbox
from sandbox.odoo import orm
from sandbox.odoo.db import ADMIN_UID, OdooDb
from sandbox.odoo.errors import AccessDenied, OdooError, http_error, server_error
from sandbox.odoo.wire import RpcCall

SYSTEM = "odoo"
DEFAULT_DB = "acme"


def missing_database(name: Any) -> OdooError:
    return server_error(
        'connection to server on socket "/var/run/postgresql/.s.PGSQL.5432" failed: '
        f'FATAL:  database "{name}" does not exist',
        "psycopg2.OperationalError",
    )


def resolve(sandbox: Sandbox, request: Request, rpc: RpcCall) -> Tenant:
    """The database (tenant) the request is for; OdooError when there is none."""
    pinned = request.path_params.get("db")
    if pinned is not None:
        tenant = sandbox.find_tenant(SYSTEM, "database", pinned)
        if tenant is None:
            raise http_error(404, "The requested URL was not found on the server.")
        if rpc.db is not None and rpc.db != pinned:
            raise missing_database(rpc.db)
        return tenant
    named = rpc.db
    if named is None:
        named = request.headers.get("x-odoo-database") or request.query_params.get("db")
    found = sandbox.find_tenant(SYSTEM, "database", str(named or DEFAULT_DB))
    if found is None:
        raise missing_database(named)
    return found


def version(tenant: Tenant) -> int:
    return int(tenant.config.settings.get("version", 17))


def version_info(tenant: Tenant) -> dict[str, Any]:
    major = version(tenant)
    return {
        "server_version": f"{major}.0",
        "server_version_info": [major, 0, 0, "final", 0, ""],
        "server_serie": f"{major}.0",
        "protocol_version": 1,
    }


def password_ok(tenant: Tenant, login: Any, password: Any) -> bool:
    """Login and password, or the user's API key in place of the password (Odoo 14+)."""
    creds = tenant.config.credentials
    return login == creds["login"] and password in (creds["password"], creds["api_key"])


def check_object_call(tenant: Tenant, rpc: RpcCall) -> int:
    """`object` calls carry (db, uid, password) each time; AccessDenied when they are wrong."""
    creds = tenant.config.credentials
    uid = rpc.uid
    if (
        isinstance(uid, bool)
        or uid != ADMIN_UID
        or rpc.password not in (creds["password"], creds["api_key"])
    ):
        raise AccessDenied()
    return ADMIN_UID


def dispatch(tenant: Tenant, sandbox: Sandbox, rpc: RpcCall) -> Any:
    """Run a `common`, `object` or `db` service call (XML-RPC or /jsonrpc)."""
    params = rpc.params
    if rpc.service == "common":
        if rpc.method == "version":
            return version_info(tenant)
        if rpc.method in ("authenticate", "login"):
            if len(params) < 3:
                raise server_error(
                    f"{rpc.method}() missing required positional arguments", "builtins.TypeError"
                )
            return ADMIN_UID if password_ok(tenant, params[1], params[2]) else False
        if rpc.method == "about":
            return "See http://openerp.com"
        raise _no_method(rpc)
    if rpc.service == "object":
        if rpc.method not in ("execute", "execute_kw"):
            raise _no_method(rpc)
        uid = check_object_call(tenant, rpc)
        if rpc.model is None or rpc.model_method is None:
            raise server_error("execute_kw() needs a model and a method name", "builtins.TypeError")
        db = OdooDb(tenant, uid)
        return orm.call(db, rpc.model, rpc.model_method, None, list(rpc.args), dict(rpc.kwargs))
    if rpc.service == "db":
        if rpc.method == "list":
            return sorted(t.name for t in sandbox.tenants(SYSTEM))
        if rpc.method == "server_version":
            return f"{version(tenant)}.0"
        if rpc.method == "db_exist":
            return (
                bool(params) and sandbox.find_tenant(SYSTEM, "database", str(params[0])) is not None
            )
        raise _no_method(rpc)
    raise server_error(f"No such service: {rpc.service!r}", "builtins.KeyError")


def _no_method(rpc: RpcCall) -> OdooError:
    return server_error(
        f"'{rpc.service}' service has no method {rpc.method!r}", "builtins.AttributeError"
    )
