"""Authenticators: how a VendorSession proves who we are, and what to do when refused.

An authenticator never holds the session; the session hands itself in on each
call (`apply`, `refresh`) so that a token refresh goes through the same
timeouts, retries and redaction as any other call.

    session = VendorSession(vendor="Pipedrive", base_url=url, auth=TokenAuth.query("api_token", t))
    session = VendorSession(vendor="SAP", base_url=url,
                            auth=SapCsrf(BasicAuth(user, password), fetch_url="/$metadata"))

OAuth2 (refresh, client credentials, password grants) lives in adapters.oauth.
"""

from __future__ import annotations

import base64
import threading
from typing import TYPE_CHECKING

import requests

from adapters.failures import Resolution, error_detail
from core.errors import VendorAuthError, VendorError

if TYPE_CHECKING:
    from adapters.http import VendorSession

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Authenticator:
    """No authentication; the base of the others."""

    vendor = "The vendor"
    what = "credentials"  # named in refusal messages

    def apply(self, request: requests.Request, session: VendorSession) -> None:
        """Add credentials to an outgoing request (may refresh them first)."""

    def classify(self, response: requests.Response) -> Resolution | None:
        """Read an auth-specific refusal (e.g. SAP's CSRF 403) before the failure table."""
        return None

    def refresh(self, session: VendorSession, response: requests.Response) -> None:
        """Called once per call after a refusal; static credentials cannot refresh."""
        detail = error_detail(response)
        raise VendorAuthError(
            session.redact(
                f"{session.vendor} refused the {self.what} ({response.status_code}"
                + (f": {detail}" if detail else "")
                + "): check them in the connection settings"
            ),
            status=response.status_code,
        )

    def secrets(self) -> list[str]:
        """Values a log line or message must never show."""
        return []


class TokenAuth(Authenticator):
    """A static API token in a header or in the query string.

    >>> TokenAuth.bearer("pat-na1-…")             # HubSpot private app, Odoo 19 JSON-2
    >>> TokenAuth.header("x-api-token", "…")      # Pipedrive (header form)
    >>> TokenAuth.query("api_token", "…")         # Pipedrive (classic form)
    """

    what = "API token"

    def __init__(
        self,
        token: str,
        *,
        header: str | None = "Authorization",
        scheme: str | None = "Bearer",
        query_param: str | None = None,
    ) -> None:
        self._token = token
        self._header = header
        self._scheme = scheme
        self._query_param = query_param

    @classmethod
    def bearer(cls, token: str, *, scheme: str = "Bearer") -> TokenAuth:
        return cls(token, header="Authorization", scheme=scheme)

    @classmethod
    def header(cls, name: str, token: str) -> TokenAuth:
        return cls(token, header=name, scheme=None)

    @classmethod
    def query(cls, param: str, token: str) -> TokenAuth:
        return cls(token, header=None, scheme=None, query_param=param)

    def apply(self, request: requests.Request, session: VendorSession) -> None:
        if self._query_param:
            request.params[self._query_param] = self._token
        if self._header:
            value = f"{self._scheme} {self._token}" if self._scheme else self._token
            request.headers[self._header] = value

    def secrets(self) -> list[str]:
        return [self._token]


class BasicAuth(Authenticator):
    """HTTP Basic (SAP communication users, Oracle Fusion integration users).

    >>> BasicAuth("COMM_USER", "…")
    """

    what = "user name or password"

    def __init__(self, username: str, password: str) -> None:
        self._username = username
        self._password = password
        raw = f"{username}:{password}".encode()
        self._header = "Basic " + base64.b64encode(raw).decode("ascii")

    def apply(self, request: requests.Request, session: VendorSession) -> None:
        request.headers["Authorization"] = self._header

    def secrets(self) -> list[str]:
        return [self._password, self._header.removeprefix("Basic ")]


class SapCsrf(Authenticator):
    """SAP OData writes: fetch an X-CSRF-Token with a GET, send it (with the session
    cookies that came along) on every write; fetch again once when SAP answers 403
    with `x-csrf-token: Required`.

    >>> SapCsrf(BasicAuth("COMM_USER", "…"), fetch_url="/sap/opu/odata/sap/API_PRODUCT_SRV/")
    """

    def __init__(self, inner: Authenticator, *, fetch_url: str) -> None:
        self.inner = inner
        self.what = inner.what
        self._fetch_url = fetch_url
        self._token: str | None = None
        self._lock = threading.Lock()

    def apply(self, request: requests.Request, session: VendorSession) -> None:
        self.inner.apply(request, session)
        if request.method.upper() in _SAFE_METHODS:
            return
        request.headers["X-CSRF-Token"] = self._current(session)

    def classify(self, response: requests.Response) -> Resolution | None:
        if response.status_code == 403 and _csrf_required(response):
            return Resolution.refresh("SAP asked for a new CSRF token")
        return self.inner.classify(response)

    def refresh(self, session: VendorSession, response: requests.Response) -> None:
        if response.status_code == 403 and _csrf_required(response):
            with self._lock:
                self._token = None  # the retry's apply() fetches a fresh one
            return
        self.inner.refresh(session, response)

    def secrets(self) -> list[str]:
        return self.inner.secrets()

    def _current(self, session: VendorSession) -> str:
        with self._lock:
            if self._token:
                return self._token
        answer = session.request("GET", self._fetch_url, headers={"X-CSRF-Token": "Fetch"})
        token = answer.headers.get("X-CSRF-Token", "")
        if not token or token.lower() == "required":
            raise VendorError(
                f"{session.vendor} did not hand out a CSRF token at {self._fetch_url}, "
                "so nothing can be written; check that the communication user may write"
            )
        session.redactor.add(token)
        with self._lock:
            self._token = token
        return token


def _csrf_required(response: requests.Response) -> bool:
    return response.headers.get("x-csrf-token", "").strip().lower() == "required"
