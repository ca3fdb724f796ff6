"""Injected faults as Odoo (or its nginx) answers them, per-call targeting of faults and
statistics on the one RPC path, and automated-action webhooks."""

from __future__ import annotations

import json
import xmlrpc.client

import pytest
import requests

from sandbox.testing import RunningSandbox
from tests.sandbox.odoo.conftest import fault_of, json2, rpc
from tests.sandbox.receiver import webhook_receiver


def _post_xmlrpc(sandbox: RunningSandbox, model: str, method: str) -> requests.Response:
    body = xmlrpc.client.dumps(
        ("acme", 2, "acme-odoo-password", model, method, [[]], {"limit": 1}), "execute_kw"
    )
    return requests.post(f"{sandbox.url}/odoo/acme/xmlrpc/2/object", data=body.encode(), timeout=10)


def test_faults_target_one_model_and_one_kind_of_call(odoo: RunningSandbox) -> None:
    odoo.control.add_fault(
        {
            "system": "odoo",
            "object": "product.product",
            "op": "list",
            "sequence": ["rate_limited", {"kind": "server_error", "status": 502}],
        }
    )
    assert _post_xmlrpc(odoo, "res.partner", "search_read").status_code == 200
    assert _post_xmlrpc(odoo, "product.product", "search_count").status_code == 200
    limited = _post_xmlrpc(odoo, "product.product", "search_read")
    assert limited.status_code == 429 and "Retry-After" not in limited.headers
    assert "nginx" in limited.text
    gateway = _post_xmlrpc(odoo, "product.product", "search")
    assert gateway.status_code == 502 and "502 Bad Gateway" in gateway.text
    assert _post_xmlrpc(odoo, "product.product", "search_read").status_code == 200


def test_statistics_tell_reads_from_writes_on_one_path(odoo: RunningSandbox) -> None:
    call = rpc(odoo)
    call("res.partner", "search_read", [], fields=["name"], limit=5)
    call("res.partner", "write", [1], {"city": "Ghent"})
    rows = [
        r for r in odoo.control.stats(system="odoo")["requests"] if r["path"] == "/xmlrpc/2/object"
    ]
    assert {r["op"] for r in rows} == {"list", "update"}
    assert odoo.control.records_served("odoo", "acme", "res.partner") == 5


def test_token_expiry_is_each_protocols_own_refusal(odoo: RunningSandbox) -> None:
    odoo.control.add_fault(
        {"system": "odoo", "op": "list", "sequence": ["token_expired", "token_expired"]}
    )
    with pytest.raises(xmlrpc.client.Fault) as denied:
        rpc(odoo)("res.partner", "search_read", [], limit=1)
    assert fault_of(denied.value) == (3, "Access Denied")
    expired = json2(odoo, "res.partner", "search_read", {"limit": 1})
    assert expired.status_code == 401 and expired.json()["message"] == "Invalid apikey"
    assert rpc(odoo)("res.partner", "search_read", [], limit=1)


def test_daily_limit_answers_429_with_the_wait_until_reset(odoo: RunningSandbox) -> None:
    odoo.control.add_fault({"system": "odoo", "tenant": "globex", "sequence": ["daily_limit"]})
    refused = json2(odoo, "res.partner", "search_count", {"domain": []})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0


def test_automated_action_webhooks_post_the_records_fields(odoo: RunningSandbox) -> None:
    with webhook_receiver() as receiver:
        odoo.control.add_webhook(
            "odoo",
            "acme",
            receiver.url,
            events=["on_create_or_write", "on_unlink"],
            options={
                "model": "res.partner",
                "fields": ["name", "email", "country_id"],
                "action_name": "Notify ToothPick",
                "action_id": 7,
            },
        )
        call = rpc(odoo)
        new_id = call("res.partner", "create", {"name": "Hooked SA", "country_id": 1})
        call("product.product", "write", [1], {"name": "not watched"})
        call("res.partner", "unlink", [new_id])
        assert odoo.control.wait_for_webhooks()
        bodies = [json.loads(c.body) for c in receiver.calls]
    assert [b["_id"] for b in bodies] == [new_id, new_id]
    assert bodies[0] == {
        "_action": "Notify ToothPick(#7)",
        "_id": new_id,
        "_model": "res.partner",
        "country_id": 1,
        "email": False,
        "name": "Hooked SA",
    }
    assert bodies[1]["name"] == "Hooked SA"  # on_unlink reads the record before it goes
    assert all(c.headers["Content-Type"] == "application/json" for c in receiver.calls)
