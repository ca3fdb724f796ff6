"""OdooRPC, unmodified, pointed at the sandbox's root (it cannot take a path).

It asks /web/webclient/version_info first, logs in through /jsonrpc
(common.login, then object.execute res.users context_get), checks models with
ir.model, builds them from fields_get, and reads with load='_classic_write'.
"""

from __future__ import annotations

import odoorpc
import pytest

from sandbox.testing import RunningSandbox
from tests.sandbox.odoo.conftest import port_of


@pytest.fixture
def client(odoo: RunningSandbox) -> odoorpc.ODOO:
    connection = odoorpc.ODOO("127.0.0.1", port=port_of(odoo))
    connection.login("acme", "api@acme.example", "acme-odoo-password")
    return connection


def test_login_env_and_browse(client: odoorpc.ODOO) -> None:
    assert client.version == "17.0"
    assert sorted(client.db.list()) == ["acme", "globex", "initech"]
    assert client.env.user.login == "api@acme.example"
    assert client.env.context["uid"] == 2
    assert "sale.order" in client.env and "no.such.model" not in client.env
    Order = client.env["sale.order"]
    order = Order.browse(Order.search([("state", "=", "sale")], limit=1))
    assert order.name.startswith("S")
    assert order.partner_id.name
    lines = list(order.order_line)
    assert lines and abs(sum(line.price_subtotal for line in lines) - order.amount_untaxed) < 0.05


def test_create_write_and_unlink_through_records(client: odoorpc.ODOO) -> None:
    Partner = client.env["res.partner"]
    new_id = Partner.create({"name": "OdooRPC Ltd", "is_company": True})
    record = Partner.browse(new_id)
    record.email = "hello@odoorpc.example"
    assert Partner.read([new_id], ["email"])[0]["email"] == "hello@odoorpc.example"
    assert record.display_name == "OdooRPC Ltd"
    record.unlink()
    assert Partner.search([("id", "=", new_id)]) == []


def test_errors_are_rpc_errors_with_odoos_data(client: odoorpc.ODOO) -> None:
    with pytest.raises(odoorpc.error.RPCError) as refused:
        client.env["res.partner"].search([("nope", "=", 1)])
    assert "Invalid field res.partner.nope" in str(refused.value)
    assert refused.value.info["data"]["name"] == "builtins.ValueError"


def test_wrong_password_is_refused(odoo: RunningSandbox) -> None:
    connection = odoorpc.ODOO("127.0.0.1", port=port_of(odoo))
    with pytest.raises(odoorpc.error.RPCError, match="Wrong login ID or password"):
        connection.login("acme", "api@acme.example", "wrong")


def test_a_cookie_session_as_odoorpc_uses_before_version_10(odoo: RunningSandbox) -> None:
    connection = odoorpc.ODOO("127.0.0.1", port=port_of(odoo), version="9.0")
    connection.login("globex", "api@globex.example", "globex-odoo-password")
    found = connection.json(
        "/web/dataset/call_kw",
        {"model": "res.partner", "method": "search_count", "args": [[]], "kwargs": {}},
    )
    assert found["result"] > 0
    odoo.control.expire_tokens("odoo", "globex")
    with pytest.raises(odoorpc.error.RPCError) as expired:
        connection.json(
            "/web/dataset/call_kw",
            {"model": "res.partner", "method": "search_count", "args": [[]], "kwargs": {}},
        )
    assert expired.value.info["code"] == 100
