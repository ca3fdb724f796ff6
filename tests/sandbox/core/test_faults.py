"""Fault injection over real HTTP (rendered by the Salesforce simulator where it
is vendor-specific) and the injector's matching rules on their own."""

from __future__ import annotations

import pytest
import requests

from sandbox.core.faults import FaultInjector, FaultKind, FaultSpecError, RequestFacts
from sandbox.testing import RunningSandbox

HEADERS = {"Authorization": "Bearer 00D5g-acme-static-session"}
QUERY = "/services/data/v59.0/query?q=SELECT+Id+FROM+Contact+LIMIT+5"


def _get(sandbox: RunningSandbox, timeout: float = 10) -> requests.Response:
    return requests.get(sandbox.url + QUERY, headers=HEADERS, timeout=timeout)


def test_sequence_plays_each_step_once_then_retires(sandbox: RunningSandbox) -> None:
    sandbox.control.add_fault(
        {
            "system": "salesforce",
            "object": "Contact",
            "op": "list",
            "sequence": [
                {"kind": "server_error", "status": 503},
                "ok",
                {"kind": "server_error", "status": 500},
            ],
        }
    )
    statuses = [_get(sandbox).status_code for _ in range(4)]
    assert statuses == [503, 200, 500, 200]
    assert sandbox.control.faults()[0]["hits"] == 3


def test_faults_only_hit_matching_requests(sandbox: RunningSandbox) -> None:
    sandbox.control.add_fault({"system": "salesforce", "object": "Account", "kind": "server_error"})
    assert _get(sandbox).status_code == 200  # a Contact query
    sandbox.control.add_fault({"system": "salesforce", "tenant": "globex", "kind": "server_error"})
    assert _get(sandbox).status_code == 200  # acme


def test_drop_closes_the_connection_without_a_response(sandbox: RunningSandbox) -> None:
    sandbox.control.add_fault({"system": "salesforce", "sequence": ["drop"]})
    with pytest.raises(requests.ConnectionError):
        _get(sandbox)
    assert _get(sandbox).status_code == 200


def test_truncated_body_breaks_mid_transfer(sandbox: RunningSandbox) -> None:
    sandbox.control.add_fault({"system": "salesforce", "sequence": ["truncated"]})
    with pytest.raises((requests.exceptions.ChunkedEncodingError, requests.ConnectionError)):
        _get(sandbox)


def test_malformed_body_is_not_json(sandbox: RunningSandbox) -> None:
    sandbox.control.add_fault({"system": "salesforce", "sequence": ["malformed"]})
    response = _get(sandbox)
    assert response.status_code == 200
    with pytest.raises(requests.exceptions.JSONDecodeError):
        response.json()


def test_slow_response_outlasts_the_client_timeout(sandbox: RunningSandbox) -> None:
    sandbox.control.add_fault(
        {"system": "salesforce", "sequence": [{"kind": "slow", "delay_s": 3}]}
    )
    with pytest.raises(requests.exceptions.ReadTimeout):
        _get(sandbox, timeout=0.3)
    assert _get(sandbox).status_code == 200


def test_rate_fraction_is_seeded_and_capped() -> None:
    def run() -> list[bool]:
        injector = FaultInjector()
        injector.add({"kind": "server_error", "rate": 0.3, "seed": 7, "times": 5})
        facts = RequestFacts(
            "hubspot", "acme", "contacts", "list", "GET", "/crm/v3/objects/contacts"
        )
        return [injector.pick(facts) is not None for _ in range(100)]

    first = run()
    assert first == run() and sum(first) == 5
    assert 0 < first.index(True) < 30


def test_write_op_matches_create_update_delete() -> None:
    injector = FaultInjector()
    injector.add({"op": "write", "kind": "server_error"})
    fact = RequestFacts("x", None, None, "update", "PATCH", "/")
    assert injector.pick(fact) is not None
    fault = injector.pick(RequestFacts("x", None, None, "list", "GET", "/"))
    assert fault is None


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"kind": "lightning"}, "unknown fault kind"),
        ({"kind": "server_error", "status": 404}, "status"),
        ({"op": "browse", "kind": "drop"}, "op:"),
        ({"system": "x"}, "either 'sequence' or 'kind'"),
        ({"kind": "drop", "colour": "red"}, "unknown field"),
        ({"sequence": []}, "non-empty"),
    ],
)
def test_bad_rules_are_refused_with_the_field_named(spec: dict[str, object], message: str) -> None:
    with pytest.raises(FaultSpecError, match=message):
        FaultInjector().add(spec)


def test_control_api_refuses_bad_rules(sandbox: RunningSandbox) -> None:
    response = requests.post(f"{sandbox.url}/__sandbox__/faults", json={"kind": "nope"}, timeout=10)
    assert response.status_code == 400 and "unknown fault kind" in response.json()["error"]
    assert FaultKind.DAILY_LIMIT.value == "daily_limit"
