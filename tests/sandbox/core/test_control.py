"""The control API and its Python client: vendor-side edits, truth, stats, limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import requests

from sandbox.control import SandboxControlError
from sandbox.core.limits import RateBudget, RateLimitConfig
from sandbox.testing import RunningSandbox, sandbox_process

SYSTEM, TENANT = "salesforce", "globex"


def test_vendor_side_edits_are_the_new_truth(sandbox: RunningSandbox) -> None:
    control = sandbox.control
    control.reset(SYSTEM, TENANT, scale={"Account": 30})
    assert control.count(SYSTEM, TENANT, "Account") == 30
    first = next(control.iter_records(SYSTEM, TENANT, "Account"))
    updated = control.update(SYSTEM, TENANT, "Account", first.id, {"Name": "Renamed GmbH"})
    assert updated.modified_at > first.modified_at and updated.fields["Name"] == "Renamed GmbH"
    created = control.create(SYSTEM, TENANT, "Account", {"Name": "Brand New Ltd"})
    control.delete(SYSTEM, TENANT, "Account", created.id)
    assert control.get(SYSTEM, TENANT, "Account", created.id) is None
    assert control.get(SYSTEM, TENANT, "Account", created.id, include_deleted=True) is not None
    every = list(control.iter_records(SYSTEM, TENANT, "Account", page_size=7))
    assert len(every) == 30 and every[0].fields["Name"] == "Renamed GmbH"
    assert len(list(control.iter_records(SYSTEM, TENANT, "Account", include_deleted=True))) == 31


def test_bad_control_requests_say_what_is_wrong(sandbox: RunningSandbox) -> None:
    control = sandbox.control
    with pytest.raises(SandboxControlError, match="unknown field"):
        control.create(SYSTEM, TENANT, "Account", {"Shoe": 1})
    with pytest.raises(SandboxControlError, match="no object"):
        control.count(SYSTEM, TENANT, "Spaceship")
    with pytest.raises(SandboxControlError, match="unknown salesforce tenant"):
        control.count(SYSTEM, "initech", "Account")
    with pytest.raises(SandboxControlError) as caught:
        control.update(SYSTEM, TENANT, "Account", "001nope", {"Name": "x"})
    assert caught.value.status == 404


def test_info_lists_tenants_with_credentials(sandbox: RunningSandbox) -> None:
    info = sandbox.control.info()
    acme = info["systems"]["salesforce"]["tenants"]["acme"]["credentials"]
    assert acme["username"] == "integration@acme.sandbox" and info["tls"] == sandbox.tls_url


def test_expired_tokens_get_the_vendors_401(sandbox: RunningSandbox) -> None:
    form = {
        "grant_type": "client_credentials",
        "client_id": "3MVG9globex.sandbox.consumer.key",
        "client_secret": "globex-sf-consumer-secret",
    }
    grant = requests.post(f"{sandbox.url}/services/oauth2/token", data=form, timeout=10).json()
    headers = {"Authorization": f"Bearer {grant['access_token']}"}
    url = f"{sandbox.url}/services/data/v59.0/limits"
    assert requests.get(url, headers=headers, timeout=10).status_code == 200
    assert sandbox.control.expire_tokens(SYSTEM, TENANT) >= 1
    refused = requests.get(url, headers=headers, timeout=10)
    assert refused.status_code == 401 and refused.json()[0]["errorCode"] == "INVALID_SESSION_ID"


def test_enforced_daily_budget_refuses_and_reports(sandbox: RunningSandbox) -> None:
    control = sandbox.control
    control.set_limits(SYSTEM, TENANT, daily_max=3, enforce=True)
    try:
        url = f"{sandbox.url}/services/data/v59.0/limits"
        headers = {"Authorization": "Bearer 00D8j-globex-static-session"}
        statuses = [requests.get(url, headers=headers, timeout=10).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 403]
    finally:
        control.reset(SYSTEM, TENANT)


def test_rate_budget_windows() -> None:
    budget = RateBudget(
        RateLimitConfig(interval_max=2, interval_ms=60_000, daily_max=10, enforce=True)
    )
    verdicts = [budget.consume()[0] for _ in range(3)]
    assert verdicts == ["ok", "ok", "interval"]
    verdict, usage = budget.consume()
    assert verdict == "interval" and 0 < usage.retry_after_s <= 60
    assert usage.daily_used == 2 and usage.interval_remaining == 0
    exhausted = budget.exhaust_daily()
    assert exhausted.daily_remaining == 0 and budget.consume()[0] == "daily"


def test_sandbox_process_serves_and_dies_when_killed(tmp_path: object) -> None:
    with sandbox_process(systems=("salesforce",)) as child:
        assert child.process is not None
        assert requests.get(f"{child.url}/services/data/", timeout=10).status_code == 200
        assert child.control.info()["systems"].keys() == {"salesforce"}
        child.process.kill()
        child.process.wait(timeout=10)
        with pytest.raises(requests.ConnectionError):
            requests.get(f"{child.url}/services/data/", timeout=2)


def test_a_frozen_vendor_clock_stamps_a_millisecond_apart_or_all_at_once(
    sandbox: RunningSandbox,
) -> None:
    """Frozen, writes never share a time unless `repeat` says so (a vendor's bulk edit
    stamps many records at one instant); a reset drops the setting."""
    control = sandbox.control
    control.reset(SYSTEM, TENANT, scale={"Account": 5})
    ids = [r.id for r in control.iter_records(SYSTEM, TENANT, "Account")]
    at = control.set_vendor_clock(SYSTEM, TENANT) // 1000 * 1000 - 60_000
    control.set_vendor_clock(SYSTEM, TENANT, frozen_at_ms=at)
    apart = [control.update(SYSTEM, TENANT, "Account", i, {"Name": "A"}) for i in ids[:2]]
    assert apart[1].modified_at - apart[0].modified_at == timedelta(milliseconds=1)
    control.set_vendor_clock(SYSTEM, TENANT, frozen_at_ms=at, repeat=True)
    same = {control.update(SYSTEM, TENANT, "Account", i, {"Name": "B"}).modified_at for i in ids}
    assert same == {datetime.fromtimestamp(at / 1000, UTC)}
    with pytest.raises(SandboxControlError, match="repeat must be"):
        control._call("PUT", f"/{SYSTEM}/{TENANT}/clock", json={"repeat": "yes"})
    control.reset(SYSTEM, TENANT, scale={"Account": 5})
    control.set_vendor_clock(SYSTEM, TENANT, frozen_at_ms=at)
    again = [control.update(SYSTEM, TENANT, "Account", i, {"Name": "C"}) for i in ids[:2]]
    assert again[0].modified_at != again[1].modified_at
    control.set_vendor_clock(SYSTEM, TENANT)
