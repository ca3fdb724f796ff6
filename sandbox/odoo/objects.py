"""The sandbox core's view of the Odoo models: one ObjectSpec (a collection) per model.

`sale.order.line` is not among them: lines are kept inside their order (see
records.py) and served from there. Ids are Odoo's: small integers per database,
users from 2 (1 is OdooBot).
"""

from __future__ import annotations

from sandbox.core import NumericIds, ObjectSpec
from sandbox.core.schema import Generator
from sandbox.odoo import records, tables
from sandbox.odoo.schema import build_models

_GENERATORS: dict[str, tuple[Generator, int, str | None]] = {
    "res.partner": (records.gen_partner, 300, "customer"),
    "product.product": (records.gen_product, 200, "product"),
    "sale.order": (records.gen_order, 150, "order"),
    "stock.quant": (records.gen_quant, 200, "inventory"),
    "res.users": (tables.gen_user, 5, None),
    "res.company": (tables.gen_company, 1, None),
    "res.country": (tables.gen_country, len(tables.COUNTRIES), None),
    "res.currency": (tables.gen_currency, len(tables.CURRENCIES), None),
    "uom.uom": (tables.gen_uom, len(tables.UOMS), None),
    "product.category": (tables.gen_category, len(tables.CATEGORIES), None),
    "stock.location": (tables.gen_location, len(tables.LOCATIONS), None),
    "ir.model": (tables.gen_ir_model, 13, None),
}


def build_objects(version: int) -> list[ObjectSpec]:
    models = build_models(version, {})
    specs = []
    for name, (generate, scale, entity) in _GENERATORS.items():
        meta = models[name]
        specs.append(
            ObjectSpec(
                name=name,
                fields=meta.stored(),
                generate=generate,
                ids=NumericIds(1 if name == "res.users" else 0),
                default_scale=scale,
                label=meta.description,
                label_plural=meta.description,
                entity=entity,
                writable=meta.writable,
                deletable=meta.writable and name != "stock.quant",
            )
        )
    return specs
