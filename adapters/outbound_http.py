"""The outbound policy wired into requests: peer addresses and redirects.

adapters.outbound decides what may be called; this module makes requests and urllib3
ask it at the two points no URL check can see: the address a connection actually
reached (after DNS, so rebinding gets no further than the socket), and each redirect
before it is followed (a credential header must never go to another origin). Mounted
on a session, it covers every call that session makes, vendor-given URLs included.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from adapters.outbound import origin
from adapters.tls import trust_context
from core.errors import OutboundRefusedError

if TYPE_CHECKING:
    from adapters.outbound import OutboundPolicy


def mount(policy: OutboundPolicy, session: requests.Session) -> None:
    """Check every connection's peer address, and refuse cross-origin redirects."""
    adapter = _PolicyAdapter(policy)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.max_redirects = 5
    session.hooks.setdefault("response", []).append(_RedirectCheck(policy))


class _RedirectCheck:
    """A response hook: a redirect to another origin raises before requests follows it."""

    def __init__(self, policy: OutboundPolicy) -> None:
        self._policy = policy

    def __call__(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        if not response.is_redirect:
            return
        target = urljoin(response.url, response.headers["location"])
        if origin(target) != origin(response.url):
            scheme, host, port = origin(target)
            response.close()
            raise OutboundRefusedError(
                f"the vendor redirected to {scheme}://{host}:{port}, another address than the "
                "one called; the redirect was not followed"
            )
        self._policy.check_url(target, what="the vendor's redirect")


def _bundle_file(verify: bool | str) -> bool:
    """True (the standard bundle) or the path of one PEM file (a directory of CAs is left
    to urllib3)."""
    return verify is True or (isinstance(verify, str) and os.path.isfile(verify))


def _check_peer(policy: OutboundPolicy, sock: socket.socket) -> None:
    try:
        peer = sock.getpeername()[0]
    except OSError:
        return  # not connected: the send fails on its own
    try:
        policy.check_address(ipaddress.ip_address(str(peer).split("%", 1)[0]), what="connection")
    except OutboundRefusedError:
        sock.close()
        raise


class _PolicyAdapter(HTTPAdapter):
    """requests' adapter whose connections check the address they reached."""

    def __init__(self, policy: OutboundPolicy) -> None:
        self._policy = policy
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        policy = self._policy

        class CheckedHTTPConnection(HTTPConnection):
            def _new_conn(self) -> socket.socket:
                sock = super()._new_conn()
                _check_peer(policy, sock)
                return sock

        class CheckedHTTPSConnection(HTTPSConnection):
            def _new_conn(self) -> socket.socket:
                sock = super()._new_conn()
                _check_peer(policy, sock)
                return sock

        class CheckedHTTPPool(HTTPConnectionPool):
            ConnectionCls = CheckedHTTPConnection

        class CheckedHTTPSPool(HTTPSConnectionPool):
            ConnectionCls = CheckedHTTPSConnection

        self.poolmanager.pool_classes_by_scheme = {
            "http": CheckedHTTPPool,
            "https": CheckedHTTPSPool,
        }

    def build_connection_pool_key_attributes(
        self, request: requests.PreparedRequest, verify: bool | str, cert: Any = None
    ) -> Any:
        """HTTPS pools use the process's one SSL context for their CA bundle
        (adapters.tls.trust_context) instead of building one per connection."""
        host, pool = super().build_connection_pool_key_attributes(request, verify, cert)
        if host["scheme"] == "https" and verify is not False and _bundle_file(verify):
            pool.pop("ca_certs", None)
            pool["ssl_context"] = trust_context(verify)
        return host, pool

    def cert_verify(self, conn: Any, url: str, verify: bool | str, cert: Any) -> None:
        super().cert_verify(conn, url, verify, cert)  # type: ignore[no-untyped-call]
        if getattr(conn, "conn_kw", {}).get("ssl_context") is not None:
            conn.ca_certs = None  # already in the pool's context: not parsed again per connection

    def __getstate__(self) -> dict[str, Any]:  # requests adapters are picklable
        state: dict[str, Any] = dict(super().__getstate__())  # type: ignore[call-overload]
        state["_policy"] = self._policy
        return state
