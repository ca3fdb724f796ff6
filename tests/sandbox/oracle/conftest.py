"""Plain requests against the Oracle simulator, shaped like the examples of Oracle's
REST API documentation (Basic auth, REST-Framework-Version, q, fields, onlyData)."""

from __future__ import annotations

import pytest
import requests

from sandbox.testing import RunningSandbox

SYSTEM = "oracle"
ACME = ("acme.integration", "Acme-Fusion-Pass-1")
FSCM = "/fscmRestApi/resources/11.13.18.05"
CRM = "/crmRestApi/resources/11.13.18.05"


def framework(version: int) -> dict[str, str]:
    return {"REST-Framework-Version": str(version)}


@pytest.fixture
def fusion(sandbox: RunningSandbox) -> requests.Session:
    sandbox.control.reset(SYSTEM, "acme")
    session = requests.Session()
    session.auth = ACME
    return session
