"""Request URL limits (the vendor's 414, per tenant) and objects given many custom fields."""

from __future__ import annotations

import requests

from sandbox.testing import RunningSandbox

SYSTEM, TENANT = "salesforce", "globex"
URL = "/services/data/v59.0/limits"
HEADERS = {"Authorization": "Bearer 00D8j-globex-static-session"}


def _get(sandbox: RunningSandbox, length: int) -> requests.Response:
    """A request whose path and query are `length` characters."""
    pad = "x" * (length - len(URL) - len("?pad="))
    return requests.get(f"{sandbox.url}{URL}?pad={pad}", headers=HEADERS, timeout=10)


def test_urls_over_the_vendors_limit_get_414_and_are_counted(sandbox: RunningSandbox) -> None:
    control = sandbox.control
    used = control.limits(SYSTEM, TENANT)["usage"]["daily_used"]
    assert _get(sandbox, 16_384).status_code == 200  # Salesforce's own figure
    refused = _get(sandbox, 16_385)
    assert refused.status_code == 414 and "414" in refused.text
    usage = control.limits(SYSTEM, TENANT)["usage"]
    assert usage["daily_used"] == used + 1  # a refused URL costs no API request
    control.set_limits(SYSTEM, TENANT, uri_max=2_000)
    try:
        assert [_get(sandbox, n).status_code for n in (2_000, 2_001)] == [200, 414]
    finally:
        control.set_limits(SYSTEM, TENANT, uri_max=None)
    [uris] = control.stats(system=SYSTEM, tenant=TENANT)["uris"]
    assert uris == {"system": SYSTEM, "tenant": TENANT, "longest": 16_385, "refused": 2}


def test_added_custom_fields_are_described_and_filled_until_reset(
    sandbox: RunningSandbox,
) -> None:
    control = sandbox.control
    control.reset(SYSTEM, TENANT, scale={"Contact": 5})
    names = control.add_custom_fields(SYSTEM, TENANT, "Contact", 1_100)
    try:
        wide = [n for n in names if n.startswith("Wide_Field_")]
        assert len(wide) == 1_100 and wide[0] == "Wide_Field_0001__c"
        url = f"{sandbox.url}/services/data/v59.0/sobjects/Contact/describe"
        fields = requests.get(url, headers=HEADERS, timeout=10).json()["fields"]
        described = {f["name"]: f for f in fields}
        assert all(described[n]["custom"] for n in wide)
        [record, *_] = control.iter_records(SYSTEM, TENANT, "Contact")
        assert all(isinstance(record.fields[n], str) and record.fields[n] for n in wide)
    finally:
        control.reset(SYSTEM, TENANT)
    [record, *_] = control.iter_records(SYSTEM, TENANT, "Contact")
    assert not any(name.startswith("Wide_Field_") for name in record.fields)
