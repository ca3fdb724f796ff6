"""XML-RPC over VendorSession, for Odoo up to version 18.

The body is built with `xmlrpc.client.dumps` and read with `loads`, but sent by
VendorSession, so timeouts, retries, the rate limiter, the circuit breaker,
call statistics and redaction apply to Odoo exactly as to the REST vendors.
Odoo's faults become our exceptions (faultCode 3 AccessDenied ->
VendorAuthError, 4 AccessError -> VendorAuthError naming the missing right,
others -> VendorError with the fault's last line, never its traceback).

    odoo = OdooXmlRpc(session, db="acme", login="api@acme.example", password=key)
    odoo.server_version()               # (17, 0) -- picks XML-RPC or /json/2 (19+)
    partners = odoo.execute_kw("res.partner", "search_read", [[["is_company", "=", True]]],
                               {"fields": ["name", "email"], "offset": 0, "limit": 200})

From Odoo 19 the adapter speaks `/json/2/<model>/<method>` instead, which is
plain JSON over VendorSession with `TokenAuth.bearer(api_key)` and the
`X-Odoo-Database` header; nothing special is needed for it.
"""

from __future__ import annotations

import threading
import xmlrpc.client
from dataclasses import dataclass
from typing import Any
from xml.parsers.expat import ExpatError

import requests

from adapters.budget import CallKind, counting_as, declared_kind
from adapters.http import VendorSession
from core.errors import MalformedResponseError, VendorAuthError, VendorError

READ_METHODS = frozenset(
    {"search", "search_read", "search_count", "read", "fields_get", "name_search", "read_group"}
)


@dataclass(frozen=True)
class _Faulted:
    fault: xmlrpc.client.Fault


def _decode(response: requests.Response) -> Any:
    try:
        params, _method = xmlrpc.client.loads(response.content, use_builtin_types=True)
    except xmlrpc.client.Fault as fault:
        return _Faulted(fault)
    except (ExpatError, xmlrpc.client.ResponseError, ValueError) as exc:
        raise MalformedResponseError(
            f"the answer is not valid XML-RPC ({len(response.content)} bytes; "
            f"{type(exc).__name__})",
            status=response.status_code,
        ) from None
    return params[0] if params else None


# The password travels inside every call, so the session cannot tell a login from a read
# (it would count every call as a token call): the method says what a call is.
_KINDS = {"authenticate": CallKind.AUTH, "login": CallKind.AUTH, "version": CallKind.METADATA}
READ, WRITE = CallKind.READ, CallKind.WRITE


class XmlRpcClient:
    """One XML-RPC endpoint (e.g. `/xmlrpc/2/object`) reached through a VendorSession."""

    def __init__(self, session: VendorSession, path: str) -> None:
        self.session = session
        self.path = path

    def call(self, method: str, *params: Any, idempotent: bool = True) -> Any:
        body = xmlrpc.client.dumps(params, methodname=method, allow_none=True).encode()
        kind = declared_kind() or _KINDS.get(method) or (READ if idempotent else WRITE)
        with counting_as(kind):
            result = self.session.send(
                "POST",
                self.path,
                decode=_decode,
                data=body,
                headers={"Content-Type": "text/xml"},
                authenticate=False,  # the credentials travel inside the call
                idempotent=idempotent,
            )
        if isinstance(result, _Faulted):
            what = (
                f"{params[3]}.{params[4]}" if method == "execute_kw" and len(params) > 4 else method
            )
            raise self._fault_error(what, result.fault)
        return result

    def _fault_error(self, method: str, fault: xmlrpc.client.Fault) -> VendorError:
        text = str(fault.faultString or "")
        lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
        # a traceback's last line is the error; a UserError's message is all of it
        told = lines[-1:] if text.lstrip().startswith("Traceback") else lines
        said = self.session.redact(" ".join(told) or "no details")[:300]
        vendor = self.session.vendor
        if fault.faultCode == 3 or "AccessDenied" in text:
            return VendorAuthError(
                f"{vendor} refused the login ({said}): check the database, user and "
                "password or API key in the connection settings"
            )
        if fault.faultCode == 4 or "AccessError" in text:
            return VendorAuthError(f"{vendor} denied access during {method}: {said}")
        return VendorError(f"{vendor} refused {method}: {said}")


class OdooXmlRpc:
    """Odoo's `common` and `object` services: version, login (uid cached), execute_kw."""

    def __init__(self, session: VendorSession, *, db: str, login: str, password: str) -> None:
        self.session = session
        self.db, self.login = db, login
        self._password = password
        session.redactor.add(password)
        self.common = XmlRpcClient(session, "/xmlrpc/2/common")
        self.object = XmlRpcClient(session, "/xmlrpc/2/object")
        self._uid: int | None = None
        self._lock = threading.Lock()

    def version(self) -> dict[str, Any]:
        answer = self.common.call("version")
        return answer if isinstance(answer, dict) else {}

    def server_version(self) -> tuple[int, int]:
        """(major, minor) from `server_version_info`, e.g. (17, 0); saas~17.2 gives (17, 2)."""
        info = self.version().get("server_version_info") or []
        try:
            return int(str(info[0]).removeprefix("saas~")), int(info[1])
        except (IndexError, ValueError):
            raise VendorError(
                f"{self.session.vendor} did not report a readable server version "
                f"({self.session.redact(repr(info))[:60]})"
            ) from None

    def uid(self) -> int:
        with self._lock:
            if self._uid is None:
                uid = self.common.call("authenticate", self.db, self.login, self._password, {})
                if not isinstance(uid, int) or isinstance(uid, bool) or uid <= 0:
                    raise VendorAuthError(
                        f"{self.session.vendor} refused the login for {self.login!r} on database "
                        f"{self.db!r}: check the user and password or API key"
                    )
                self._uid = uid
            return self._uid

    def execute_kw(
        self,
        model: str,
        method: str,
        args: list[Any],
        kwargs: dict[str, Any] | None = None,
        *,
        idempotent: bool | None = None,
    ) -> Any:
        repeat = method in READ_METHODS if idempotent is None else idempotent
        return self.object.call(
            "execute_kw",
            self.db,
            self.uid(),
            self._password,
            model,
            method,
            args,
            kwargs or {},
            idempotent=repeat,
        )
