"""Small fixed tables every Odoo database ships (countries, currencies, units, product
categories, stock locations), served as read-only models so many2one values point
at records a client can read, search and `name_search` like any other."""

from __future__ import annotations

from functools import cache
from typing import Any

from sandbox.core import Draw, GenContext
from sandbox.core import words as w

COUNTRIES: tuple[tuple[str, str], ...] = tuple(
    dict.fromkeys((place[2], place[3]) for place in w.PLACES)
)
COUNTRY_ID = {code: index + 1 for index, (_name, code) in enumerate(COUNTRIES)}

CURRENCIES = (
    ("USD", "$", "United States dollar"),
    ("EUR", "€", "Euro"),
    ("GBP", "£", "Pound sterling"),
    ("CAD", "$", "Canadian dollar"),
    ("CHF", "CHF", "Swiss franc"),
)
CURRENCY_ID = {code: index + 1 for index, (code, _s, _n) in enumerate(CURRENCIES)}

UOMS = (("Units", 1.0), ("Dozens", 1 / 12), ("kg", 1.0), ("g", 1000.0), ("Hours", 1.0))
UNITS_ID, HOURS_ID = 1, 5

CATEGORIES = (
    ("All", None),
    ("Saleable", 1),
    ("Office Supplies", 2),
    ("Hardware", 2),
    ("Dispensers", 2),
    ("Services", 2),
)
SALEABLE_IDS = (3, 4, 5)
SERVICES_ID = 6

# (name, parent index or None, usage)
LOCATIONS = (
    ("Physical Locations", None, "view"),
    ("WH", 1, "view"),
    ("Stock", 2, "internal"),
    ("Shelf 1", 3, "internal"),
    ("Shelf 2", 3, "internal"),
    ("Output", 2, "internal"),
    ("Partners", None, "view"),
    ("Vendors", 7, "supplier"),
    ("Customers", 7, "customer"),
    ("Virtual Locations", None, "view"),
    ("Inventory adjustment", 10, "inventory"),
)
INTERNAL_LOCATION_IDS = tuple(i + 1 for i, row in enumerate(LOCATIONS) if row[2] == "internal")


def _row(rows: tuple[Any, ...], index: int) -> tuple[Any, str]:
    """The table row for `index`; a scale above the table's size repeats it, numbered."""
    row = rows[index % len(rows)]
    suffix = f" ({index // len(rows) + 1})" if index >= len(rows) else ""
    return row, suffix


def complete_name(rows: tuple[Any, ...], index: int, parent_at: int = 1) -> str:
    """ "WH/Stock/Shelf 1" or "All / Saleable": names joined up the parent chain."""
    row, suffix = _row(rows, index)
    parts = [row[0] + suffix]
    parent = row[parent_at]
    while parent is not None and parent - 1 < len(rows):
        parent_row = rows[parent - 1]
        parts.append(parent_row[0])
        parent = parent_row[parent_at]
    joiner = " / " if rows is CATEGORIES else "/"
    return joiner.join(reversed(parts))


def gen_country(draw: Draw, index: int, ctx: GenContext) -> dict[str, Any]:
    (name, code), suffix = _row(COUNTRIES, index)
    return {"name": name + suffix, "code": code}


def gen_currency(draw: Draw, index: int, ctx: GenContext) -> dict[str, Any]:
    (code, symbol, full), suffix = _row(CURRENCIES, index)
    home = str(ctx.settings.get("currency", "USD"))
    return {"name": code + suffix, "symbol": symbol, "full_name": full, "active": code == home}


def gen_uom(draw: Draw, index: int, ctx: GenContext) -> dict[str, Any]:
    (name, factor), suffix = _row(UOMS, index)
    return {"name": name + suffix, "factor": factor, "active": True}


def gen_category(draw: Draw, index: int, ctx: GenContext) -> dict[str, Any]:
    (name, parent), suffix = _row(CATEGORIES, index)
    return {
        "name": name + suffix,
        "complete_name": complete_name(CATEGORIES, index),
        "parent_id": parent,
    }


def gen_location(draw: Draw, index: int, ctx: GenContext) -> dict[str, Any]:
    (name, _parent, usage), suffix = _row(LOCATIONS, index)
    return {
        "name": name + suffix,
        "complete_name": complete_name(LOCATIONS, index),
        "usage": usage,
        "active": True,
    }


def gen_company(draw: Draw, index: int, ctx: GenContext) -> dict[str, Any]:
    name = str(ctx.settings.get("company", "YourCompany"))
    currency = CURRENCY_ID.get(str(ctx.settings.get("currency", "USD")), 1)
    return {"name": name if index == 0 else f"{name} ({index + 1})", "currency_id": currency}


def gen_user(draw: Draw, index: int, ctx: GenContext) -> dict[str, Any]:
    if index == 0:
        name, login = str(ctx.settings["user_name"]), str(ctx.settings["login"])
    else:
        first, last, *_rest = draw.choice(w.PEOPLE)
        name = f"{first} {last}"
        login = f"{first.lower()}.{last.lower()}@{ctx.tenant_name}.example"
    return {
        "name": name,
        "login": login,
        "partner_id": index + 1,
        "tz": "Europe/Brussels",
        "lang": "en_US",
        "company_id": 1,
        "share": False,
        "active": True,
    }


@cache
def _model_descriptions() -> tuple[tuple[str, str], ...]:
    from sandbox.odoo.schema import build_models

    return tuple((name, meta.description) for name, meta in build_models(17, {}).items())


def gen_ir_model(draw: Draw, index: int, ctx: GenContext) -> dict[str, Any]:
    (name, description), suffix = _row(_model_descriptions(), index)
    return {"model": name + suffix, "name": description, "state": "base", "transient": False}
