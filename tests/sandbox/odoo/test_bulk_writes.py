"""Writes of many records in one call, as Odoo's ORM takes them over XML-RPC.

`create` with a list of value dicts (the external API documentation's
`models.execute_kw(db, uid, password, 'res.partner', 'create', [[{'name': ...}]])`
shape) is one transaction; `load` is the import: external ids, updates by
database id, and per-row messages with nothing stored when a row fails.
"""

from __future__ import annotations

import xmlrpc.client

import pytest

from sandbox.testing import RunningSandbox
from tests.sandbox.odoo.conftest import fault_of, json2, rpc


def _partners(odoo: RunningSandbox) -> int:
    return sum(1 for _ in odoo.control.iter_records("odoo", "acme", "res.partner"))


def test_create_with_a_list_is_one_transaction(odoo: RunningSandbox) -> None:
    call = rpc(odoo)
    ids = call("res.partner", "create", [{"name": "Bulk A"}, {"name": "Bulk B"}])
    assert len(ids) == 2 and ids[1] == ids[0] + 1
    before = _partners(odoo)
    with pytest.raises(xmlrpc.client.Fault) as refused:
        call("res.partner", "create", [{"name": "Fine"}, {"email": "no-name@example.com"}])
    assert "Contacts require a name" in fault_of(refused.value)[1]
    assert _partners(odoo) == before  # the valid record was rolled back with the bad one


def test_load_creates_with_external_ids_and_a_second_import_updates(odoo: RunningSandbox) -> None:
    call = rpc(odoo)
    columns = ["id", "name", "email", "is_company"]
    first = call(
        "res.partner",
        "load",
        columns,
        [["toothpick.c1", "Loaded One", "one@example.com", "1"], ["c2", "Loaded Two", "", "0"]],
    )
    assert first["messages"] == [] and len(first["ids"]) == 2
    again = call(
        "res.partner", "load", columns, [["toothpick.c1", "Loaded Again", "x@example.com", "true"]]
    )
    assert again["ids"] == first["ids"][:1]  # the same record, not a second one
    [row] = call("res.partner", "read", first["ids"][:1], fields=["name", "email", "is_company"])
    assert (row["name"], row["email"], row["is_company"]) == ("Loaded Again", "x@example.com", True)


def test_load_updates_by_database_id_each_row_its_own_values(odoo: RunningSandbox) -> None:
    call = rpc(odoo)
    ids = call("res.partner", "create", [{"name": "U1"}, {"name": "U2"}])
    answer = call(
        "res.partner", "load", [".id", "city"], [[str(ids[0]), "Ghent"], [str(ids[1]), "Bruges"]]
    )
    assert answer["ids"] == ids
    rows = call("res.partner", "read", ids, fields=["city"])
    assert [r["city"] for r in rows] == ["Ghent", "Bruges"]


def test_load_names_the_failed_rows_and_stores_nothing(odoo: RunningSandbox) -> None:
    call = rpc(odoo)
    before = _partners(odoo)
    answer = call(
        "res.partner",
        "load",
        ["id", "name", "customer_rank"],
        [["r1", "Good", "10"], ["r2", "", "5"], ["r3", "Also good", "lots"]],
    )
    assert answer["ids"] is False
    errors = {m["record"]: m["message"] for m in answer["messages"] if m["type"] == "error"}
    assert set(errors) == {1, 2}
    assert "Contacts require a name" in errors[1]
    assert "lots" in errors[2]
    assert _partners(odoo) == before


def test_load_over_json_2_on_odoo_19(odoo: RunningSandbox) -> None:
    body = {"fields": ["id", "name"], "data": [["toothpick.j1", "Json One"]]}
    first = json2(odoo, "res.partner", "load", body)
    again = json2(odoo, "res.partner", "load", {**body, "data": [["toothpick.j1", "Json Again"]]})
    assert first.status_code == again.status_code == 200
    assert first.json()["ids"] == again.json()["ids"] and len(first.json()["ids"]) == 1
