"""Odoo models and their field maps to ToothPick's canonical entities.

Choices, and why:
- product is `product.product` (the variant), not `product.template`: order
  lines and stock quants point at variants, so `product_external_id` on orders
  and inventory lines up with product ids; the SKU (`default_code`) and barcode
  are per variant. Archiving (`active = False`) is carried as `active: false`.
- customer is `res.partner` with `customer_rank > 0`: that is Odoo's own
  "Customers" filter (the rank rises with each confirmed order or invoice), so
  both companies and individuals who buy are in, vendors and mere contacts out.
  `is_company` alone would take suppliers and drop B2C buyers. An archived
  customer, or one whose rank fell to 0, is carried as a deletion.
- order is `sale.order` in state sale (or done up to 16), quote the same model
  in draft or sent; lines come from `sale.order.line`. When a quote is confirmed
  it leaves the quotes (a deletion there) and joins the orders.
- inventory is `stock.quant` in internal and transit locations.
Odoo answers False for every empty value, so every non-boolean rule reads
False as "not set".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from adapters import convert
from adapters.base import FieldKind, FormField
from adapters.convert import Converter, falsy_null
from adapters.mapping import FieldMap, Lines, Rule
from core.models import Entity

TEXT, FLOAT, BOOL = falsy_null(convert.TEXT), falsy_null(convert.FLOAT), convert.BOOL
DATE, ID = falsy_null(convert.DATE), falsy_null(convert.REF)
MANY2ONE = convert.MANY2ONE

DEFAULT_PAGE = 1000


def _linked_name(value: Any) -> str | None:
    if value is False or value is None:
        return None
    if isinstance(value, list | tuple) and len(value) == 2:
        return convert.read_text(value[1])
    raise ValueError("not a many2one value")


LINKED_NAME = Converter("a linked record's name", _linked_name, convert.read_text)
"""A many2one's display name ("United States", "USD", "Units"): read-only."""

STATE = convert.choice(
    {"draft": "draft", "sent": "sent", "sale": "confirmed", "done": "locked", "cancel": "cancelled"}
)


def _name_ro(canonical: str, vendor: str) -> Rule:
    return Rule(canonical, vendor, LINKED_NAME, writable=False)


CUSTOMER = FieldMap(
    Entity.CUSTOMER,
    (
        Rule("name", "name", TEXT),
        Rule("email", "email", TEXT),
        Rule("phone", "phone", TEXT),
        Rule("tax_id", "vat", TEXT),
        Rule("street", "street", TEXT),
        Rule("city", "city", TEXT),
        Rule("postal_code", "zip", TEXT),
        _name_ro("country", "country_id"),
        Rule("is_company", "is_company", BOOL),
    ),
)

PRODUCT = FieldMap(
    Entity.PRODUCT,
    (
        Rule("sku", "default_code", TEXT),
        Rule("name", "name", TEXT),
        Rule("description", "description_sale", TEXT),
        Rule("price", "list_price", FLOAT),
        _name_ro("currency", "currency_id"),
        _name_ro("unit", "uom_id"),
        _name_ro("category", "categ_id"),
        Rule("barcode", "barcode", TEXT),
        Rule("active", "active", BOOL),
    ),
)


def _lines(writable: bool) -> Lines:
    return Lines(
        "order_line",
        (
            Rule("line_id", "id", ID, writable=False),
            Rule("product_external_id", "product_id", MANY2ONE),
            Rule("description", "name", TEXT),
            Rule("quantity", "product_uom_qty", FLOAT),
            Rule("unit_price", "price_unit", FLOAT),
            Rule("amount", "price_subtotal", FLOAT, writable=False),
        ),
        writable=writable,
    )


ORDER = FieldMap(
    Entity.ORDER,
    (
        Rule("number", "name", TEXT, writable=False),
        Rule("customer_external_id", "partner_id", MANY2ONE),
        Rule("order_date", "date_order", DATE, writable=False),
        Rule("status", "state", STATE, writable=False),
        _name_ro("currency", "currency_id"),
        Rule("total_amount", "amount_total", FLOAT, writable=False),
    ),
    lines=_lines(writable=False),
)

QUOTE = FieldMap(
    Entity.QUOTE,
    (
        Rule("number", "name", TEXT, writable=False),
        Rule("customer_external_id", "partner_id", MANY2ONE),
        Rule("status", "state", STATE, writable=False),
        Rule("valid_until", "validity_date", DATE),
        _name_ro("currency", "currency_id"),
        Rule("total_amount", "amount_total", FLOAT, writable=False),
    ),
    lines=_lines(writable=True),
)

INVENTORY = FieldMap(
    Entity.INVENTORY,
    (
        Rule("product_external_id", "product_id", MANY2ONE, writable=False),
        _name_ro("location", "location_id"),
        Rule("quantity", "quantity", FLOAT, writable=False),
        _name_ro("unit", "product_uom_id"),
    ),
)

LINE_FIELDS = ["order_id", "product_id", "name", "product_uom_qty", "price_unit", "price_subtotal"]


def _is_customer(row: Mapping[str, Any]) -> bool:
    rank = row.get("customer_rank")
    return row.get("active") is not False and (rank is None or (isinstance(rank, int) and rank > 0))


def _state_in(*states: str) -> Callable[[Mapping[str, Any]], bool]:
    return lambda row: row.get("state") in states


Scope = Callable[[Mapping[str, Any]], bool]

# entity -> (fields a read always asks for, domain of a full read, who is in, fixed domain)
SCOPES: dict[Entity, tuple[tuple[str, ...], list[Any], Scope | None, list[Any]]] = {
    Entity.PRODUCT: (("active",), [], None, []),
    Entity.CUSTOMER: (("active", "customer_rank"), [["customer_rank", ">", 0]], _is_customer, []),
    Entity.ORDER: (("state",), [["state", "in", ["sale", "done"]]], _state_in("sale", "done"), []),
    Entity.QUOTE: (
        ("state",),
        [["state", "in", ["draft", "sent"]]],
        _state_in("draft", "sent"),
        [],
    ),
    Entity.INVENTORY: ((), [], None, [["location_id.usage", "in", ["internal", "transit"]]]),
}


FORM = (
    FormField("url", "Odoo URL", FieldKind.URL, placeholder="https://mycompany.odoo.com"),
    FormField(
        "database", "Database", help="The database name (Settings > Activate developer mode)"
    ),
    FormField("login", "User login", help="The integration user's login (email)"),
    FormField(
        "api_key",
        "API key",
        FieldKind.SECRET,
        help="Preferences > Account Security > New API Key (the password also works up to 18)",
    ),
    FormField(
        "protocol",
        "Protocol",
        FieldKind.CHOICE,
        required=False,
        default="auto",
        choices=("auto", "xmlrpc", "json2"),
        help="auto: XML-RPC up to Odoo 18, JSON-2 from 19",
    ),
    FormField(
        "page_size", "Records per page", FieldKind.INTEGER, required=False, default=DEFAULT_PAGE
    ),
    FormField(
        "detect_deletions",
        "Detect deleted records",
        FieldKind.BOOLEAN,
        required=False,
        default=True,
        help="List live ids after each read to notice records deleted in Odoo",
    ),
)
