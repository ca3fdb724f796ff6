"""Realistic vendor timing: answers as late as the profile says, a vendor's concurrency
limit answered with its own refusal, and bad settings refused in words."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from sandbox.control import SandboxControlError
from sandbox.testing import RunningSandbox
from tests.sandbox.zoho.conftest import Zoho, client

HUBSPOT = {"Authorization": "Bearer pat-na1-acme0000-0000-4000-8000-000000000001"}


@pytest.fixture
def timed(sandbox: RunningSandbox) -> Iterator[RunningSandbox]:
    sandbox.control.reset_latency()
    yield sandbox
    sandbox.control.reset_latency()


def _contacts(sandbox: RunningSandbox) -> float:
    start = time.monotonic()
    response = requests.get(
        f"{sandbox.url}/crm/v3/objects/contacts", params={"limit": 10}, headers=HUBSPOT, timeout=10
    )
    assert response.status_code == 200, response.text
    return time.monotonic() - start


def test_answers_come_as_late_as_the_profile_says(timed: RunningSandbox) -> None:
    timed.control.reset("hubspot", "acme")
    profile = {"fixed_ms": 300, "jitter_ms": 0, "per_record_ms": 20}
    timed.control.set_latency(enabled=True, profiles={"hubspot": profile})
    assert _contacts(timed) >= 0.3 + 10 * 0.02  # fixed plus ten records
    timed.control.set_latency(enabled=False)
    assert _contacts(timed) < 0.3


def test_zoho_refuses_past_its_concurrency_with_its_own_429(timed: RunningSandbox) -> None:
    timed.control.reset("zoho", "acme", scale={"Contacts": 20})
    zoho: Zoho = client(timed)
    slow = {"fixed_ms": 600, "jitter_ms": 0, "per_record_ms": 0, "max_concurrent": 2}
    timed.control.set_latency(enabled=True, profiles={"zoho": slow})
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: zoho.get("Contacts", params={"per_page": 5}), range(4)))
    codes = sorted(a.status_code for a in answers)
    assert codes.count(200) >= 2 and 429 in codes
    refused = next(a for a in answers if a.status_code == 429)
    assert refused.json()["code"] == "TOO_MANY_REQUESTS"
    assert refused.headers["Retry-After"] == "1"


def test_the_profiles_in_force_are_shown_and_bad_settings_refused(timed: RunningSandbox) -> None:
    shown = timed.control.set_latency(enabled=True, scale=0.5)
    assert shown["enabled"] and shown["scale"] == 0.5
    assert shown["profiles"]["salesforce"]["max_concurrent"] == 25
    for bad, field in (({"scale": "fast"}, "scale"), ({"speed": 1}, "speed")):
        with pytest.raises(SandboxControlError, match=field):
            timed.control.set_latency(**bad)
    with pytest.raises(SandboxControlError, match=r"profiles\.sap"):
        timed.control.set_latency(profiles={"sap": {"fixed": 1}})
