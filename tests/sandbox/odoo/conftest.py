"""Odoo's own clients pointed at the sandbox: xmlrpc.client at a database's base URL,
OdooRPC at the root (it takes no path), /json/2 through requests."""

from __future__ import annotations

import xmlrpc.client
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from sandbox.testing import RunningSandbox

PASSWORDS = {
    "acme": "acme-odoo-password",
    "globex": "globex-odoo-password",
    "initech": "initech-odoo-password",
}
API_KEYS = {
    "acme": "5c1f0a8e2b7d4c9a6e3f1b8d0c7a2e5f9b4d6a1c",
    "globex": "9e2d7b4a1f6c3e8d0b5a2f7c4e9d1a6b3f8c0e5d",
}


@dataclass
class Rpc:
    """One database over XML-RPC, the way Odoo's documentation shows it."""

    base: str
    db: str
    password: str
    uid: int = 2

    @property
    def common(self) -> Any:
        return xmlrpc.client.ServerProxy(f"{self.base}/xmlrpc/2/common", allow_none=True)

    @property
    def models(self) -> Any:
        return xmlrpc.client.ServerProxy(f"{self.base}/xmlrpc/2/object", allow_none=True)

    def __call__(self, model: str, method: str, *args: Any, **kwargs: Any) -> Any:
        return self.models.execute_kw(
            self.db, self.uid, self.password, model, method, list(args), kwargs
        )


def rpc(sandbox: RunningSandbox, db: str = "acme") -> Rpc:
    return Rpc(f"{sandbox.url}/odoo/{db}", db, PASSWORDS[db])


def json2(
    sandbox: RunningSandbox, model: str, method: str, body: dict[str, Any], **headers: str
) -> requests.Response:
    sent = {"Authorization": f"bearer {API_KEYS['globex']}", **headers}
    return requests.post(
        f"{sandbox.url}/odoo/globex/json/2/{model}/{method}", json=body, headers=sent, timeout=30
    )


def port_of(sandbox: RunningSandbox) -> int:
    port = urlsplit(sandbox.url).port
    assert port is not None
    return port


@pytest.fixture
def odoo(sandbox: RunningSandbox) -> RunningSandbox:
    for tenant in PASSWORDS:
        sandbox.control.reset("odoo", tenant)
    return sandbox


def fault_of(error: xmlrpc.client.Fault) -> tuple[int, str]:
    """(faultCode, last line of faultString): what a client reads of a fault."""
    lines = [line for line in str(error.faultString).strip().splitlines() if line.strip()]
    return int(error.faultCode), lines[-1] if lines else ""
