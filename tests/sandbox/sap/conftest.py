"""pyodata pointed at the SAP simulator, as an integration would use it: the service
URL changed, a requests session with the communication user, and the CSRF token
fetched the way pyodata's documentation shows (pyodata does not fetch it itself)."""

from __future__ import annotations

from collections.abc import Callable

import pyodata
import pytest
import requests

from sandbox.testing import RunningSandbox

SYSTEM = "sap"
ACME = ("TOOTHPICK_ACME_COMM", "Acme-S4HC-Comm-Password-1")
GLOBEX = ("TOOTHPICK_GLOBEX_COMM", "Globex-S4HC-Comm-Password-2")
ROOT = "/sap/opu/odata/sap"
Service = Callable[[str], pyodata.v2.service.Service]


def service_url(sandbox: RunningSandbox, service: str) -> str:
    return f"{sandbox.url}{ROOT}/{service}/"


def basic_session(credentials: tuple[str, str] = ACME) -> requests.Session:
    session = requests.Session()
    session.auth = credentials
    return session


def with_csrf(session: requests.Session, url: str) -> requests.Session:
    fetched = session.head(url, headers={"x-csrf-token": "fetch"}, timeout=10)
    session.headers["x-csrf-token"] = fetched.headers["x-csrf-token"]
    return session


@pytest.fixture
def session(sandbox: RunningSandbox) -> requests.Session:
    sandbox.control.reset(SYSTEM, "acme")
    return basic_session()


@pytest.fixture
def odata(sandbox: RunningSandbox, session: requests.Session) -> Service:
    """A pyodata client per service name, sharing one session (and its CSRF token)."""
    with_csrf(session, service_url(sandbox, "API_PRODUCT_SRV"))

    def client(service: str) -> pyodata.v2.service.Service:
        return pyodata.Client(service_url(sandbox, service), session)

    return client
