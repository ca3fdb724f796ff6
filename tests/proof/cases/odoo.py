"""Odoo in the proofs: all five ERP entities, id-keyset pages of 40 in a write_date window.

acme (Odoo 17) runs over XML-RPC; `PROOF_ODOO_TENANT=globex` runs the same
proofs against Odoo 19 over /json/2 with a bearer API key.
"""

from __future__ import annotations

import os
from typing import Any

from core.models import Entity, System
from sandbox.control import TruthRecord
from sandbox.odoo import schema, tables
from sandbox.odoo.tenants import API_KEYS
from sandbox.testing import RunningSandbox
from tests.proof.case import ProofCase

TENANT = os.environ.get("PROOF_ODOO_TENANT", "acme")
ODOO_TIME = "%Y-%m-%d %H:%M:%S"

# many2one fields the maps read as names, and the fixed tables those names come from
_NAMES: dict[str, dict[int, str]] = {
    "country_id": {i + 1: name for i, (name, _code) in enumerate(tables.COUNTRIES)},
    "currency_id": {i + 1: row[0] for i, row in enumerate(tables.CURRENCIES)},
    "uom_id": {i + 1: row[0] for i, row in enumerate(tables.UOMS)},
    "product_uom_id": {i + 1: row[0] for i, row in enumerate(tables.UOMS)},
    "categ_id": {
        i + 1: tables.complete_name(tables.CATEGORIES, i) for i in range(len(tables.CATEGORIES))
    },
    "location_id": {
        i + 1: tables.complete_name(tables.LOCATIONS, i) for i in range(len(tables.LOCATIONS))
    },
}


# Odoo reads an unset number as 0.0, every other unset value as False.
_FIELDS = (*schema.partner_fields(17), *schema.product_fields(17), *schema.order_fields(17),
           *schema.LINE_FIELDS, *schema.QUANT_FIELDS)  # fmt: skip
_NUMBERS = {f.name for f in _FIELDS if f.type in ("float", "monetary")}


def _value(name: str, value: Any) -> Any:
    if value is None:
        return 0.0 if name in _NUMBERS else False
    if name in _NAMES and isinstance(value, int):
        return [value, _NAMES[name][value]]
    return value


def api_shape(truth: TruthRecord) -> dict[str, Any]:
    """A stored record as search_read returns it: False for empty values, many2one as
    [id, name], datetimes in Odoo's format, order lines as the line rows."""
    shaped = {f.name: _value(f.name, None) for f in _FIELDS if f.type != "one2many"}
    shaped |= {name: _value(name, value) for name, value in truth.fields.items()}
    shaped["id"] = int(truth.id)
    shaped["write_date"] = truth.modified_at.strftime(ODOO_TIME)
    shaped["create_date"] = truth.created_at.strftime(ODOO_TIME)
    if isinstance(truth.fields.get("order_line"), list):
        shaped["order_line"] = [
            {name: _value(name, value) for name, value in line.items()}
            | {"order_id": int(truth.id)}
            for line in truth.fields["order_line"]
        ]
    return shaped


def remote_edit(entity: Entity, truth: TruthRecord) -> dict[str, Any]:
    tag = truth.id[-3:]
    edits: dict[Entity, dict[str, Any]] = {
        Entity.PRODUCT: {"name": f"Remote product {tag}"},
        Entity.CUSTOMER: {"city": f"Remote City {tag}"},  # a field the local edit changes too
        Entity.ORDER: {"name": f"S-REMOTE-{tag}"},
        Entity.QUOTE: {"validity_date": "2031-12-31"},
        Entity.INVENTORY: {"quantity": 4242.0},
    }
    return edits[entity]


def case_for(tenant: str) -> ProofCase:
    """The proof case on one database (the sync benchmark uses globex's /json/2)."""

    def connection_fields(sandbox: RunningSandbox) -> dict[str, Any]:
        return {
            "url": f"{sandbox.url}/odoo/{tenant}",
            "database": tenant,
            "login": f"api@{tenant}.example",
            "api_key": API_KEYS[tenant],
            "page_size": 40,
        }

    return ProofCase(
        system=System.ODOO,
        tenant=tenant,
        objects={
            Entity.PRODUCT: "product.product",
            Entity.CUSTOMER: "res.partner",
            Entity.ORDER: "sale.order",
            Entity.QUOTE: "sale.order",
            Entity.INVENTORY: "stock.quant",
        },
        scale={"product.product": 130, "res.partner": 90, "sale.order": 50, "stock.quant": 50},
        connection_fields=connection_fields,
        api_shape=api_shape,
        remote_edit=remote_edit,
        push_entity=Entity.CUSTOMER,
        local_edit={"email": "proof@odoo.example", "city": "Ghent"},
    )


CASE = case_for(TENANT)
