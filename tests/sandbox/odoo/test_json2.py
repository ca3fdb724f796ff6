"""Odoo 19's /json/2 API (bearer API keys, real HTTP statuses) and JSON-RPC's error objects."""

from __future__ import annotations

import requests

from sandbox.testing import RunningSandbox
from tests.sandbox.odoo.conftest import API_KEYS, json2


def test_search_read_and_writes_by_name(odoo: RunningSandbox) -> None:
    found = json2(
        odoo,
        "res.partner",
        "search_read",
        {
            "domain": [["is_company", "=", True]],
            "fields": ["name", "x_studio_credit_limit"],
            "limit": 3,
        },
    )
    assert found.status_code == 200
    rows = found.json()
    assert len(rows) == 3 and set(rows[0]) == {"id", "name", "x_studio_credit_limit"}
    created = json2(odoo, "res.partner", "create", {"vals_list": [{"name": "JSON Two AG"}]})
    assert created.status_code == 200
    [new_id] = created.json()
    assert (
        json2(odoo, "res.partner", "write", {"ids": [new_id], "vals": {"city": "Bern"}}).json()
        is True
    )
    read = json2(odoo, "res.partner", "read", {"ids": [new_id], "fields": ["city"]}).json()
    assert read == [{"id": new_id, "city": "Bern"}]
    assert json2(odoo, "res.partner", "unlink", {"ids": [new_id]}).json() is True


def test_errors_have_real_statuses_and_odoos_body(odoo: RunningSandbox) -> None:
    bad_key = json2(odoo, "res.partner", "search", {}, Authorization="bearer nope")
    assert bad_key.status_code == 401
    body = bad_key.json()
    assert body["name"] == "werkzeug.exceptions.Unauthorized"
    assert body["message"] == "Invalid apikey" and body["arguments"] == ["Invalid apikey", 401]
    assert body["debug"].startswith("Traceback (most recent call last):")
    assert json2(odoo, "no.model", "read", {}).status_code == 404
    assert json2(odoo, "res.partner", "frobnicate", {}).status_code == 404
    assert json2(odoo, "res.partner", "search_count", {"bogus": 1}).status_code == 422
    assert json2(odoo, "res.partner", "create", {"ids": [1], "vals_list": [{}]}).status_code == 422
    gone = json2(odoo, "res.partner", "read", {"ids": [999999]})
    assert gone.status_code == 404 and gone.json()["name"] == "odoo.exceptions.MissingError"
    domain = json2(odoo, "res.partner", "search", {"domain": [["nope", "=", 1]]})
    assert domain.status_code == 500 and domain.json()["name"] == "builtins.ValueError"
    other_db = json2(odoo, "res.partner", "search", {}, **{"X-Odoo-Database": "acme"})
    assert other_db.status_code == 404  # acme runs 17.0: there is no /json/2 there


def test_acmes_seventeen_has_no_json2_and_a_wrong_database_header_is_refused(
    odoo: RunningSandbox,
) -> None:
    acme = requests.post(
        f"{odoo.url}/odoo/acme/json/2/res.partner/search",
        json={},
        headers={"Authorization": f"bearer {API_KEYS['acme']}"},
        timeout=10,
    )
    assert acme.status_code == 404 and "text/html" in acme.headers["content-type"]
    root = requests.post(
        f"{odoo.url}/json/2/res.partner/search_count",
        json={"domain": []},
        headers={"Authorization": f"bearer {API_KEYS['globex']}", "X-Odoo-Database": "globex"},
        timeout=10,
    )
    assert root.status_code == 200 and root.json() > 0


def test_jsonrpc_errors_are_odoos_error_objects(odoo: RunningSandbox) -> None:
    answer = requests.post(
        f"{odoo.url}/jsonrpc",
        json={
            "jsonrpc": "2.0",
            "method": "call",
            "id": 7,
            "params": {
                "service": "object",
                "method": "execute_kw",
                "args": ["acme", 2, "wrong", "res.partner", "search", [[]]],
            },
        },
        timeout=10,
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["id"] == 7 and body["error"]["code"] == 200
    assert body["error"]["message"] == "Odoo Server Error"
    assert body["error"]["data"]["name"] == "odoo.exceptions.AccessDenied"
    assert body["error"]["data"]["message"] == "Access Denied"
