"""Odoo's ORM over whichever API the server speaks: XML-RPC up to 18, /json/2 from 19.

The server's version decides (`common.version()`'s `server_version_info`, asked
once): from 19 the JSON-2 API is the current one (XML-RPC is deprecated there
and removed in 22), before 19 it does not exist. Where XML-RPC is already gone
(the version call answers 404) `/web/version` tells the version instead. A
connection may pin the protocol ("xmlrpc" or "json2") where a proxy blocks one.

Both go through the connection's VendorSession (timeouts, retries, limiter,
redaction). Methods take their parameters by name on both protocols (Odoo's
`execute_kw` accepts keyword arguments for every ORM method), record ids apart:

    orm.call("res.partner", "search_read", params={"domain": [...], "limit": 500})
    orm.call("res.partner", "write", ids=[7], params={"vals": {"email": "x@y.z"}})
"""

from __future__ import annotations

import threading
from typing import Any, Literal

from adapters.http import VendorSession
from adapters.xmlrpc import READ_METHODS, OdooXmlRpc
from core.errors import InvalidInputError, VendorAuthError, VendorError

Protocol = Literal["xmlrpc", "json2"]
JSON2_FROM = 19


class OdooOrm:
    def __init__(
        self, session: VendorSession, *, db: str, login: str, key: str, protocol: str = "auto"
    ) -> None:
        self.session = session
        self.db, self.login, self._key = db, login, key
        self.pinned = protocol if protocol in ("xmlrpc", "json2") else None
        self._xmlrpc = OdooXmlRpc(session, db=db, login=login, password=key)
        self._version: tuple[int, int] | None = None
        self._lock = threading.Lock()

    # --- version and protocol ------------------------------------------------------------

    def version(self) -> tuple[int, int]:
        with self._lock:
            if self._version is None:
                self._version = self._ask_version()
            return self._version

    def _ask_version(self) -> tuple[int, int]:
        try:
            return self._xmlrpc.server_version()
        except VendorError as exc:
            if exc.status != 404:
                raise
        reply = self.session.request_json("GET", "/web/version", authenticate=False)
        info = reply.body.get("version_info") if isinstance(reply.body, dict) else None
        if not isinstance(info, list) or len(info) < 2:
            raise VendorError(f"{self.session.vendor} did not say which version it runs")
        return int(str(info[0]).removeprefix("saas~")), int(info[1])

    @property
    def protocol(self) -> Protocol:
        major = self.version()[0]
        if self.pinned == "json2" and major < JSON2_FROM:
            raise InvalidInputError(
                f"Odoo {major}.0 has no /json/2 API (it came with 19.0); choose XML-RPC",
                field="protocol",
            )
        if self.pinned is not None:
            return self.pinned  # type: ignore[return-value]
        return "json2" if major >= JSON2_FROM else "xmlrpc"

    # --- calls -----------------------------------------------------------------------------

    def call(
        self,
        model: str,
        method: str,
        *,
        ids: list[int] | None = None,
        params: dict[str, Any] | None = None,
        idempotent: bool | None = None,
    ) -> Any:
        repeat = method in READ_METHODS if idempotent is None else idempotent
        if self.protocol == "json2":
            body = {**({"ids": ids} if ids is not None else {}), **(params or {})}
            reply = self.session.request_json(
                "POST", f"/json/2/{model}/{method}", json=body, idempotent=repeat
            )
            return reply.body
        args: list[Any] = [ids] if ids is not None else []
        try:
            return self._xmlrpc.execute_kw(model, method, args, params, idempotent=repeat)
        except VendorAuthError:
            # XML-RPC sends the password on every call; a refusal mid-run (a web session
            # or key rotated, a transient AccessDenied) gets one fresh login, then counts.
            self._xmlrpc = OdooXmlRpc(
                self.session, db=self.db, login=self.login, password=self._key
            )
            self._xmlrpc.uid()
            return self._xmlrpc.execute_kw(model, method, args, params, idempotent=repeat)

    def check(self) -> str:
        """Authenticate (XML-RPC logs in; JSON-2 keys are checked by the first call)."""
        major, minor = self.version()
        if self.protocol == "xmlrpc":
            self._xmlrpc.uid()
        return f"Odoo {major}.{minor} over {'JSON-2' if self.protocol == 'json2' else 'XML-RPC'}"

    def lines_of(self, order_ids: list[int], fields: list[str]) -> dict[int, list[dict[str, Any]]]:
        """The lines of some sales orders, by order id, in their order on the document."""
        found = self.call(
            "sale.order.line",
            "search_read",
            params={
                "domain": [["order_id", "in", order_ids]],
                "fields": fields,
                "order": "order_id, sequence, id",
            },
        )
        by_order: dict[int, list[dict[str, Any]]] = {}
        for line in found or []:
            owner = line.get("order_id")
            by_order.setdefault(int(owner[0] if isinstance(owner, list) else owner), []).append(
                line
            )
        return by_order

    def live_ids(self, model: str, *, after: int = 0, limit: int = 50_000) -> list[int]:
        """Ids above `after`, archived ones included, ascending (ids only: cheap).

        Read in slices so that the deletion sweep of a model with millions of
        records holds one slice in memory, not every id."""
        found = self.call(
            model,
            "search",
            params={
                "domain": [["id", ">", after]],
                "order": "id asc",
                "limit": limit,
                "context": {"active_test": False},
            },
        )
        return sorted(int(i) for i in found or [])
