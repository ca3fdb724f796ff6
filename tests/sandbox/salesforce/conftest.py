"""simple-salesforce pointed at the sandbox's TLS port, as an integration would be."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from simple_salesforce.api import Salesforce

from sandbox.testing import RunningSandbox

ACME = {
    "client_id": "3MVG9acme.sandbox.consumer.key",
    "client_secret": "acme-sf-consumer-secret",
    "username": "integration@acme.sandbox",
    "password": "acme-sf-password",
}


def content(error: BaseException) -> Any:
    """The parsed error body simple-salesforce attaches to its exceptions."""
    return getattr(error, "content", None)


def token(sandbox: RunningSandbox, **overrides: str) -> requests.Response:
    form = {"grant_type": "password", **ACME, **overrides}
    return requests.post(f"{sandbox.url}/services/oauth2/token", data=form, timeout=10)


@pytest.fixture
def sf(sandbox: RunningSandbox) -> Any:
    sandbox.control.reset("salesforce", "acme")
    grant = token(sandbox).json()
    return Salesforce(
        instance_url=grant["instance_url"],
        session_id=grant["access_token"],
        session=sandbox.https_session(),
    )
