"""Generated business records: partners, products, sales orders (lines inside) and quants.

Each generator is a pure function of (draw, index, tenant), as the core asks.
Sales order lines live inside their order (`order_line`, a list of line dicts):
Odoo recomputes an order's stored totals, and so bumps its `write_date`, whenever
a line changes, and keeping lines with the order gives exactly that; the
`sale.order.line` model is served from them (see lines.py).
"""

from __future__ import annotations

from typing import Any, Protocol

from sandbox.core import Draw, GenContext
from sandbox.core import words as w
from sandbox.odoo.tables import (
    COUNTRY_ID,
    CURRENCY_ID,
    HOURS_ID,
    INTERNAL_LOCATION_IDS,
    SALEABLE_IDS,
    SERVICES_ID,
    UNITS_ID,
)

COMPANY_EVERY = 20
COMPANIES_PER_BLOCK = 13  # partners i with i % 20 < 13 are companies (65%)
LINES_PER_ORDER = (1, 2, 3)  # order i has LINES_PER_ORDER[i % 3] lines
TAX_RATE = 0.15


class _Generating(Protocol):
    def collection(self, object_name: str) -> Any: ...


def base_fields(ctx: GenContext, model: str, record_id: int) -> dict[str, Any]:
    """The generated (never edited) fields of another record, for consistent references."""
    tenant: _Generating = ctx  # type: ignore[assignment]  # generators run with the Tenant
    return dict(tenant.collection(model).generate(record_id - 1).fields)


def is_company(index: int) -> bool:
    return index % COMPANY_EVERY < COMPANIES_PER_BLOCK


def company_id_near(index: int) -> int:
    """The id of a company partner close to `index` (the start of its block)."""
    return index - index % COMPANY_EVERY + 1


def datetime_text(draw: Draw, low: int = 2023, high: int = 2025) -> str:
    return (
        f"{draw.between(low, high)}-{draw.between(1, 12):02d}-{draw.between(1, 28):02d} "
        f"{draw.between(7, 19):02d}:{draw.between(0, 59):02d}:{draw.between(0, 59):02d}"
    )


def gen_partner(draw: Draw, index: int, ctx: GenContext) -> dict[str, Any]:
    street, city, _state, _country, code, postal, prefix = draw.choice(w.ADDRESSES)
    company = is_company(index)
    version = int(ctx.settings.get("version", 17))
    if company:
        name, domain, _industry = draw.choice(w.COMPANIES)
        email = f"info@{domain}"
        parent = None
        customer = draw.chance(75)
    else:
        first, last, _salutation, title, _dept = draw.choice(w.PEOPLE)
        name = f"{first} {last}"
        parent = company_id_near(draw.below(max(ctx.count("res.partner"), 1)))
        email = w.email(first, last, "example.com", index)
        customer = draw.chance(40)
    record: dict[str, Any] = {
        "name": name,
        "is_company": company,
        "parent_id": parent,
        "type": "contact",
        "function": None if company else title,
        "ref": f"C{index + 1:05d}" if draw.chance(40) else None,
        "vat": f"{code}{draw.digits(9)}" if company and draw.chance(70) else None,
        "email": email,
        "phone": w.phone(draw, prefix),
        "website": f"https://www.{email.split('@')[1]}" if company else None,
        "street": street,
        "street2": None,
        "city": city,
        "zip": postal,
        "country_id": COUNTRY_ID.get(code),
        "lang": "en_US",
        "comment": None,
        "active": draw.chance(97),
        "customer_rank": draw.between(1, 30) if customer else 0,
        "supplier_rank": draw.between(1, 5) if company and draw.chance(20) else 0,
        "user_id": ctx.ref("res.users", draw) if draw.chance(60) else None,
        "company_id": None,
    }
    if version <= 17:
        record["mobile"] = w.phone(draw, prefix) if draw.chance(30) else None
    return record


def gen_product(draw: Draw, index: int, ctx: GenContext) -> dict[str, Any]:
    version = int(ctx.settings.get("version", 17))
    service = draw.chance(10)
    price = draw.money(5, 2000)
    record: dict[str, Any] = {
        "name": w.product_name(draw) if not service else f"{draw.choice(w.SUBJECTS)} service",
        "default_code": w.sku(draw, index) if draw.chance(90) else None,
        "barcode": f"40{draw.digits(11)}" if not service and draw.chance(60) else None,
        "list_price": price,
        "standard_price": round(price * draw.between(40, 70) / 100, 2),
        "categ_id": SERVICES_ID if service else draw.choice(SALEABLE_IDS),
        "uom_id": HOURS_ID if service else (UNITS_ID if draw.chance(80) else draw.between(2, 4)),
        "currency_id": CURRENCY_ID.get(str(ctx.settings.get("currency", "USD")), 1),
        "description_sale": draw.choice(w.SUBJECTS) if draw.chance(30) else None,
        "sale_ok": draw.chance(95),
        "purchase_ok": not service and draw.chance(90),
        "weight": 0.0 if service else draw.between(1, 5000) / 100,
        "active": draw.chance(95),
    }
    if version <= 17:
        record["type"] = "service" if service else ("product" if draw.chance(65) else "consu")
    else:
        record["type"] = "service" if service else "consu"
        record["is_storable"] = not service and draw.chance(65)
    return record


def line_values(
    line_id: int, sequence: int, product_id: int | None, product: dict[str, Any], **given: Any
) -> dict[str, Any]:
    """One order line with its computed amounts (Odoo's stored computed fields)."""
    label = product.get("name") or "Note"
    if product.get("default_code"):
        label = f"[{product['default_code']}] {label}"
    line = {
        "id": line_id,
        "sequence": sequence,
        "product_id": product_id,
        "name": label,
        "product_uom_qty": 1.0,
        "product_uom": product.get("uom_id"),
        "price_unit": float(product.get("list_price") or 0.0),
        "discount": 0.0,
    }
    line.update(given)
    return compute_line(line)


def compute_line(line: dict[str, Any]) -> dict[str, Any]:
    qty, price = float(line.get("product_uom_qty") or 0), float(line.get("price_unit") or 0)
    subtotal = round(qty * price * (1 - float(line.get("discount") or 0) / 100), 2)
    tax = round(subtotal * TAX_RATE, 2)
    line.update(price_subtotal=subtotal, price_tax=tax, price_total=round(subtotal + tax, 2))
    return line


def order_totals(lines: list[dict[str, Any]]) -> dict[str, float]:
    untaxed = round(sum(float(line["price_subtotal"]) for line in lines), 2)
    tax = round(sum(float(line["price_tax"]) for line in lines), 2)
    return {"amount_untaxed": untaxed, "amount_tax": tax, "amount_total": round(untaxed + tax, 2)}


def first_line_id(order_index: int) -> int:
    """Base lines of order i have ids 3i+1, 3i+2, 3i+3 (as many as the order has)."""
    return 3 * order_index + 1


def gen_order(draw: Draw, index: int, ctx: GenContext) -> dict[str, Any]:
    version = int(ctx.settings.get("version", 17))
    roll = draw.below(100)
    state = "draft" if roll < 18 else "sent" if roll < 30 else "cancel" if roll < 35 else "sale"
    if state == "sale" and version <= 16 and draw.chance(10):
        state = "done"
    lines = []
    for position in range(LINES_PER_ORDER[index % 3]):
        product_id = ctx.ref_index("product.product", draw)
        product = (
            base_fields(ctx, "product.product", product_id + 1) if product_id is not None else {}
        )
        lines.append(
            line_values(
                first_line_id(index) + position,
                10 * (position + 1),
                product_id + 1 if product_id is not None else None,
                product,
                product_uom_qty=float(draw.choice((1, 2, 5, 10, 12, 20, 50, 100))),
                discount=float(draw.choice((0, 0, 0, 5, 10))),
            )
        )
    ordered = datetime_text(draw)
    record: dict[str, Any] = {
        "name": f"S{index + 1:05d}",
        "partner_id": company_id_near(draw.below(max(ctx.count("res.partner"), 1))),
        "date_order": ordered,
        "validity_date": f"{ordered[:8]}{min(28, int(ordered[8:10]) + 14):02d}"[:10],
        "state": state,
        "client_order_ref": f"PO-{draw.digits(6)}" if draw.chance(30) else None,
        "origin": None,
        "user_id": ctx.ref("res.users", draw),
        "company_id": 1,
        "currency_id": CURRENCY_ID.get(str(ctx.settings.get("currency", "USD")), 1),
        "order_line": lines,
        "note": None,
        **order_totals(lines),
    }
    if version >= 17:
        record["locked"] = state == "sale" and draw.chance(10)
    return record


def gen_quant(draw: Draw, index: int, ctx: GenContext) -> dict[str, Any]:
    product_index = ctx.ref_index("product.product", draw)
    product_id = product_index + 1 if product_index is not None else None
    product = base_fields(ctx, "product.product", product_id) if product_id else {}
    quantity = float(draw.between(0, 500))
    return {
        "product_id": product_id,
        "location_id": draw.choice(INTERNAL_LOCATION_IDS),
        "quantity": quantity,
        "reserved_quantity": float(min(quantity, draw.between(0, 20))),
        "inventory_quantity": 0.0,
        "product_uom_id": product.get("uom_id", UNITS_ID),
        "in_date": datetime_text(draw),
        "company_id": 1,
    }
