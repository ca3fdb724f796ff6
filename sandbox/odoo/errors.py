"""Odoo's exceptions and the three ways its endpoints write them down.

One exception type per Odoo behaviour, each knowing its XML-RPC fault code
(1 application error with a traceback, 2 UserError/warning, 3 AccessDenied,
4 AccessError; see addons/rpc/controllers/xmlrpc.py), its qualified Python
name (what JSON-RPC's `error.data.name` and /json/2's `name` carry) and its
/json/2 HTTP status (UserError 422, AccessError/AccessDenied 403,
MissingError 404, anything unexpected 500; werkzeug errors their own code).
Requests a real Odoo would refuse get these, never a 500 of the sandbox's own.
"""

from __future__ import annotations

import xmlrpc.client
from typing import Any, ClassVar

from starlette.responses import Response

from sandbox.core import json_response

_FRAMES = (
    '  File "/usr/lib/python3/dist-packages/odoo/http.py", line 2213, in _serve_db\n'
    "    return service_model.retrying(self._serve_ir_http, self.env)\n"
    '  File "/usr/lib/python3/dist-packages/odoo/service/model.py", line 133, in retrying\n'
    "    result = func()\n"
    '  File "/usr/lib/python3/dist-packages/odoo/api.py", line 466, in call_kw\n'
    "    result = _call_kw_model(method, model, args, kwargs)\n"
)


class OdooError(Exception):
    """Base: an error Odoo itself would raise. `name` is the exception's qualified name."""

    default_name: ClassVar[str] = "builtins.Exception"
    default_status: ClassVar[int] = 500
    fault_code: ClassVar[int] = 1

    def __init__(
        self, message: str, *extra: Any, name: str | None = None, status: int | None = None
    ) -> None:
        super().__init__(message, *extra)
        self.name = name or self.default_name
        self.http_status = status or self.default_status

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""

    def traceback(self) -> str:
        """What Odoo puts in a code-1 fault and in `debug`: a traceback ending in the error."""
        short = self.name.removeprefix("builtins.")
        return f"Traceback (most recent call last):\n{_FRAMES}{short}: {self.message}\n"

    def fault_string(self) -> str:
        return self.traceback() if self.fault_code == 1 else self.message

    def serialized(self) -> dict[str, Any]:
        """odoo.http.serialize_exception: the `data` of JSON-RPC and the /json/2 body."""
        return {
            "name": self.name,
            "message": self.message,
            "arguments": list(self.args),
            "context": {},
            "debug": self.traceback(),
        }


def server_error(message: str, kind: str = "builtins.ValueError") -> OdooError:
    """An unexpected Python error inside Odoo (ValueError from a bad domain, TypeError
    from a bad argument list, a psycopg2 error...): fault code 1, /json/2 status 500."""
    return OdooError(message, name=kind)


class UserError(OdooError):
    default_name = "odoo.exceptions.UserError"
    default_status = 422
    fault_code = 2


class ValidationError(UserError):
    default_name = "odoo.exceptions.ValidationError"


class MissingError(UserError):
    default_name = "odoo.exceptions.MissingError"
    default_status = 404


class AccessError(UserError):
    default_name = "odoo.exceptions.AccessError"
    default_status = 403
    fault_code = 4


class AccessDenied(UserError):
    default_name = "odoo.exceptions.AccessDenied"
    default_status = 403
    fault_code = 3

    def __init__(self, message: str = "Access Denied") -> None:
        super().__init__(message)


class SessionExpired(OdooError):
    default_name = "odoo.http.SessionExpiredException"
    default_status = 403

    def __init__(self, message: str = "Session expired") -> None:
        super().__init__(message)


def http_error(status: int, description: str) -> OdooError:
    """A werkzeug HTTP exception (NotFound, Unauthorized, UnprocessableEntity, BadRequest)."""
    kind = "werkzeug.exceptions." + _WERKZEUG.get(status, "HTTPException")
    return OdooError(description, status, name=kind, status=status)


_WERKZEUG = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    422: "UnprocessableEntity",
}


def missing(model: str, ids: list[int], uid: int) -> MissingError:
    shown = ", ".join(str(i) for i in ids)
    return MissingError(
        f"Record does not exist or has been deleted.\n(Record: {model}({shown},), User: {uid})"
    )


# --- renderings -----------------------------------------------------------------------


def xmlrpc_fault(error: OdooError) -> Response:
    """/xmlrpc/2: a <fault> with an int code, HTTP 200 (as Odoo answers faults)."""
    body = xmlrpc.client.dumps(
        xmlrpc.client.Fault(error.fault_code, error.fault_string()), methodresponse=True
    )
    return Response(body.encode(), media_type="text/xml; charset=utf-8")


def xmlrpc_result(value: Any) -> Response:
    body = xmlrpc.client.dumps((value,), methodresponse=True, allow_none=False)
    return Response(body.encode(), media_type="text/xml; charset=utf-8")


def jsonrpc_error(error: OdooError, request_id: Any) -> Response:
    """JSON-RPC 2.0 error object; HTTP 200. Code 100 marks an expired session."""
    code, message = 200, "Odoo Server Error"
    if isinstance(error, SessionExpired):
        code, message = 100, "Odoo Session Expired"
    elif error.name == "werkzeug.exceptions.NotFound":
        code, message = 404, "404: Not Found"
    body = {
        "jsonrpc": "2.0",
        "id": request_id,
        "error": {"code": code, "message": message, "data": error.serialized()},
    }
    return json_response(body)


def jsonrpc_result(value: Any, request_id: Any) -> Response:
    return json_response({"jsonrpc": "2.0", "id": request_id, "result": value})


def json2_error(error: OdooError) -> Response:
    """/json/2: the serialized exception with a real HTTP status."""
    headers = {"WWW-Authenticate": 'Bearer realm="odoo"'} if error.http_status == 401 else None
    return json_response(error.serialized(), error.http_status, headers=headers)


def html_page(status: int, title: str, text: str) -> Response:
    """werkzeug's (or nginx's) plain HTML error page, for paths and proxy failures."""
    page = (
        f"<!doctype html>\n<html lang=en>\n<title>{status} {title}</title>\n"
        f"<h1>{title}</h1>\n<p>{text}</p>\n"
    )
    return Response(page.encode(), status_code=status, media_type="text/html; charset=utf-8")
