"""Odoo's XML-RPC API through Python's own xmlrpc.client, as Odoo's documentation uses it."""

from __future__ import annotations

import time
import xmlrpc.client

import pytest

from sandbox.testing import RunningSandbox
from tests.sandbox.odoo.conftest import fault_of, rpc


def test_version_and_authenticate_per_database(odoo: RunningSandbox) -> None:
    acme, globex = rpc(odoo), rpc(odoo, "globex")
    assert acme.common.version()["server_version_info"][:2] == [17, 0]
    assert globex.common.version()["server_version"] == "19.0"
    assert acme.common.authenticate("acme", "api@acme.example", "acme-odoo-password", {}) == 2
    key = "5c1f0a8e2b7d4c9a6e3f1b8d0c7a2e5f9b4d6a1c"  # an API key works as the password
    assert acme.common.authenticate("acme", "api@acme.example", key, {}) == 2
    assert acme.common.authenticate("acme", "api@acme.example", "wrong", {}) is False
    with pytest.raises(xmlrpc.client.Fault) as unknown:
        acme.common.authenticate("nope", "api@acme.example", "x", {})
    assert fault_of(unknown.value)[0] == 1
    assert 'database "nope" does not exist' in fault_of(unknown.value)[1]


def test_offset_paging_returns_the_truth_without_archived_records(odoo: RunningSandbox) -> None:
    call = rpc(odoo)
    fields = ["name", "email", "country_id", "active", "write_date"]
    seen: list[dict[str, object]] = []
    while page := call(
        "res.partner", "search_read", [], fields=fields, offset=len(seen), limit=70, order="id asc"
    ):
        seen.extend(page)
    truth = [
        t for t in odoo.control.iter_records("odoo", "acme", "res.partner") if t.fields["active"]
    ]
    assert [row["id"] for row in seen] == [int(t.id) for t in truth]
    assert all(row["active"] is True for row in seen)
    first = seen[0]
    assert first["email"] == truth[0].fields["email"] or first["email"] is False
    assert isinstance(first["country_id"], list) and len(first["country_id"]) == 2
    everything = call("res.partner", "search_count", [], context={"active_test": False})
    assert everything == odoo.control.count("odoo", "acme", "res.partner")


def test_write_date_domain_finds_exactly_the_edits(odoo: RunningSandbox) -> None:
    call = rpc(odoo)
    started = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(time.time() - 1))
    for record_id in ("3", "40"):
        odoo.control.update("odoo", "acme", "product.product", record_id, {"list_price": 9.5})
    odoo.control.reset_stats()
    found = call(
        "product.product",
        "search_read",
        [["write_date", ">=", started]],
        fields=["list_price", "write_date"],
        order="write_date asc, id asc",
        context={"active_test": False},
    )
    assert [row["id"] for row in found] == [3, 40]
    assert all(row["write_date"] >= started for row in found)
    assert odoo.control.records_served("odoo", "acme", "product.product") == 2


def test_create_write_unlink_round_trip(odoo: RunningSandbox) -> None:
    call = rpc(odoo)
    new_id = call(
        "res.partner",
        "create",
        {"name": "Round Trip BV", "is_company": True, "x_loyalty_tier": "gold"},
    )
    [row] = call(
        "res.partner",
        "read",
        [new_id],
        fields=["name", "write_date", "x_loyalty_tier", "customer_rank"],
    )
    assert (
        row["name"] == "Round Trip BV"
        and row["x_loyalty_tier"] == "gold"
        and row["customer_rank"] == 0
    )
    time.sleep(1.1)
    assert call("res.partner", "write", [new_id], {"email": "rt@example.com"}) is True
    [after] = call("res.partner", "read", [new_id], fields=["email", "write_date"])
    assert after["email"] == "rt@example.com" and after["write_date"] > row["write_date"]
    assert call("res.partner", "unlink", [new_id]) is True
    with pytest.raises(xmlrpc.client.Fault) as gone:
        call("res.partner", "read", [new_id], fields=["name"])
    assert fault_of(gone.value)[0] == 2
    assert "Record does not exist or has been deleted" in gone.value.faultString
    assert (
        odoo.control.get("odoo", "acme", "res.partner", str(new_id), include_deleted=True) is None
    )


def test_orders_keep_their_lines_and_totals(odoo: RunningSandbox) -> None:
    call = rpc(odoo)
    product = call(
        "product.product",
        "search_read",
        [["type", "!=", "service"]],
        fields=["list_price"],
        limit=1,
    )[0]
    order_id = call(
        "sale.order",
        "create",
        {
            "partner_id": 1,
            "order_line": [[0, 0, {"product_id": product["id"], "product_uom_qty": 3}]],
        },
    )
    [order] = call(
        "sale.order", "read", [order_id], fields=["state", "amount_untaxed", "order_line", "name"]
    )
    assert order["state"] == "draft" and order["name"].startswith("S")
    assert order["amount_untaxed"] == pytest.approx(3 * product["list_price"])
    [line] = call(
        "sale.order.line",
        "search_read",
        [["order_id", "=", order_id]],
        fields=["price_subtotal", "order_id"],
    )
    assert line["order_id"][0] == order_id and line["id"] == order["order_line"][0]
    call("sale.order.line", "write", [line["id"]], {"product_uom_qty": 1})
    [changed] = call("sale.order", "read", [order_id], fields=["amount_untaxed"])
    assert changed["amount_untaxed"] == pytest.approx(product["list_price"])
    call("sale.order", "action_confirm", [order_id])
    with pytest.raises(xmlrpc.client.Fault) as locked:
        call("sale.order", "unlink", [order_id])
    assert fault_of(locked.value)[0] == 2


@pytest.mark.parametrize(
    ("model", "method", "args", "kwargs", "code", "text"),
    [
        ("no.model", "search", [[]], {}, 2, "Object no.model doesn't exist"),
        ("res.partner", "_private", [], {}, 4, "Private methods (such as '_private')"),
        ("res.partner", "frobnicate", [], {}, 1, "does not exist on the model 'res.partner'"),
        ("res.partner", "search", [[["x", "=", 1]]], {}, 1, "Invalid field res.partner.x"),
        (
            "res.partner",
            "create",
            [{"nope": 1}],
            {},
            1,
            "Invalid field 'nope' on model 'res.partner'",
        ),
        ("res.partner", "search", [[]], {"bogus": 1}, 1, "unexpected keyword argument 'bogus'"),
        ("res.country", "create", [{"name": "Atlantis"}], {}, 4, "You are not allowed to create"),
        ("product.product", "create", [{"list_price": 3}], {}, 2, "a mandatory field is not set"),
        (
            "res.partner",
            "write",
            [[1], {"type": "spaceship"}],
            {},
            1,
            "Wrong value for res.partner.type",
        ),
    ],
)
def test_refusals_are_odoo_faults(
    sandbox: RunningSandbox,
    model: str,
    method: str,
    args: list[object],
    kwargs: dict[str, object],
    code: int,
    text: str,
) -> None:
    with pytest.raises(xmlrpc.client.Fault) as refused:
        rpc(sandbox)(model, method, *args, **kwargs)
    assert refused.value.faultCode == code
    assert text in refused.value.faultString


def test_wrong_password_on_object_is_access_denied(odoo: RunningSandbox) -> None:
    call = rpc(odoo)
    call.password = "wrong"
    with pytest.raises(xmlrpc.client.Fault) as denied:
        call("res.partner", "search", [])
    assert fault_of(denied.value) == (3, "Access Denied")


def test_fields_get_reports_versions_and_custom_fields(odoo: RunningSandbox) -> None:
    acme, globex, initech = rpc(odoo), rpc(odoo, "globex"), rpc(odoo, "initech")
    partner = acme(
        "res.partner", "fields_get", attributes=["string", "type", "manual", "selection"]
    )
    assert partner["x_loyalty_tier"]["manual"] is True
    assert [key for key, _label in partner["x_loyalty_tier"]["selection"]] == [
        "bronze",
        "silver",
        "gold",
    ]
    states = {"16": initech, "17": acme}
    assert "done" in dict(states["16"]("sale.order", "fields_get", ["state"])["state"]["selection"])
    assert "done" not in dict(
        states["17"]("sale.order", "fields_get", ["state"])["state"]["selection"]
    )
    assert "locked" in acme("sale.order", "fields_get", attributes=["type"])
    assert "is_storable" in globex("product.product", "fields_get", attributes=["type"])
    assert "x_studio_channel" in globex("sale.order", "fields_get", attributes=["type"])


def test_name_search_and_archived_records(odoo: RunningSandbox) -> None:
    call = rpc(odoo)
    [[pid, name]] = call("res.partner", "name_search", "", [["is_company", "=", True]], limit=1)
    assert call("res.partner", "name_search", name[:6], limit=5)
    call("res.partner", "action_archive", [pid])
    assert pid not in call("res.partner", "search", [["id", "=", pid]])
    assert call("res.partner", "search", [["id", "=", pid]], context={"active_test": False}) == [
        pid
    ]
    assert call("res.partner", "search", [["id", "=", pid], ["active", "=", False]]) == [pid]
