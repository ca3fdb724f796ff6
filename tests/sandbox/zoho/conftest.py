"""A Zoho client as an integration would hold one: a token from the accounts server,
the api_domain it names, and the `Zoho-oauthtoken` header."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
import requests

from sandbox.testing import RunningSandbox

ACME = {
    "client_id": "1000.ACMEZOHOSANDBOXCLIENT01",
    "client_secret": "acme-zoho-client-secret",
    "refresh_token": "1000.acme.zoho.sandbox.refresh.token",
}
GLOBEX = {
    "client_id": "1000.GLOBEXZOHOSANDBOXCLIENT",
    "client_secret": "globex-zoho-client-secret",
    "refresh_token": "1000.globex.zoho.sandbox.refresh.token",
}


def refresh(sandbox: RunningSandbox, **form: str) -> requests.Response:
    params = {"grant_type": "refresh_token", **ACME, **form}
    return requests.post(f"{sandbox.url}/oauth/v2/token", params=params, timeout=10)


@dataclass
class Zoho:
    base: str  # {api_domain}/crm/v2.1
    headers: dict[str, str]

    def get(self, path: str, **kw: Any) -> requests.Response:
        return requests.get(
            f"{self.base}/{path}",
            headers={**self.headers, **kw.pop("headers", {})},
            timeout=30,
            **kw,
        )

    def send(self, method: str, path: str, **kw: Any) -> requests.Response:
        return requests.request(
            method, f"{self.base}/{path}", headers=self.headers, timeout=30, **kw
        )


def client(sandbox: RunningSandbox, creds: dict[str, str] = ACME, version: str = "v2.1") -> Zoho:
    grant = refresh(sandbox, **creds).json()
    return Zoho(
        f"{grant['api_domain']}/crm/{version}",
        {"Authorization": f"Zoho-oauthtoken {grant['access_token']}"},
    )


@pytest.fixture
def zoho(sandbox: RunningSandbox) -> Zoho:
    sandbox.control.reset(
        "zoho", "acme", scale={"Contacts": 450, "Accounts": 40, "Deals": 30, "users": 5}
    )
    return client(sandbox)
