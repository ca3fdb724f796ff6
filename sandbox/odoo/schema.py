"""The models the Odoo simulator serves, with the fields each server version has.

Versions differ where the real ones do: `sale.order.state` has `done` up to 16
and a `locked` flag from 17; product `type` lost `product` (storable) in 18,
replaced by `is_storable`; `res.partner.mobile` is gone from 18. Field names and
labels follow Odoo's own (as `fields_get` shows them on a stock database with
Sales and Inventory installed); only fields a typical integration reads are here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sandbox.core import FieldDef
from sandbox.odoo.meta import ModelMeta, OField, model


def char(name: str, string: str, **kw: Any) -> OField:
    return OField(name, "char", string, **kw)


def m2o(name: str, string: str, relation: str, **kw: Any) -> OField:
    return OField(name, "many2one", string, relation=relation, **kw)


def sel(name: str, string: str, pairs: tuple[tuple[str, str], ...], **kw: Any) -> OField:
    return OField(name, "selection", string, selection=pairs, **kw)


def typed(name: str, kind: str, string: str, **kw: Any) -> OField:
    return OField(name, kind, string, **kw)


def _order_states(version: int) -> tuple[tuple[str, str], ...]:
    states = [("draft", "Quotation"), ("sent", "Quotation Sent"), ("sale", "Sales Order")]
    if version <= 16:
        states.append(("done", "Locked"))
    return (*states, ("cancel", "Cancelled"))


def _product_types(version: int) -> tuple[tuple[str, str], ...]:
    if version <= 17:
        return (("consu", "Consumable"), ("service", "Service"), ("product", "Storable Product"))
    return (("consu", "Goods"), ("service", "Service"), ("combo", "Combo"))


def partner_fields(version: int) -> list[OField]:
    fields = [
        char("name", "Name"),
        char("complete_name", "Complete Name", readonly=True),
        typed("is_company", "boolean", "Is a Company"),
        sel(
            "company_type",
            "Company Type",
            (("person", "Individual"), ("company", "Company")),
            store=False,
        ),
        m2o("parent_id", "Related Company", "res.partner"),
        sel(
            "type",
            "Address Type",
            (
                ("contact", "Contact"),
                ("invoice", "Invoice Address"),
                ("delivery", "Delivery Address"),
                ("other", "Other Address"),
            ),
        ),
        char("function", "Job Position"),
        char("ref", "Reference"),
        char("vat", "Tax ID"),
        char("email", "Email"),
        char("phone", "Phone"),
        char("website", "Website Link"),
        char("street", "Street"),
        char("street2", "Street2"),
        char("city", "City"),
        char("zip", "Zip"),
        m2o("country_id", "Country", "res.country"),
        sel(
            "lang",
            "Language",
            (("en_US", "English (US)"), ("es_ES", "Spanish / Español"), ("fr_FR", "French")),
        ),
        typed("comment", "html", "Notes"),
        typed("active", "boolean", "Active"),
        typed("customer_rank", "integer", "Customer Rank"),
        typed("supplier_rank", "integer", "Supplier Rank"),
        m2o("user_id", "Salesperson", "res.users"),
        m2o("company_id", "Company", "res.company"),
    ]
    if version <= 17:
        fields.insert(11, char("mobile", "Mobile"))
    return fields


def product_fields(version: int) -> list[OField]:
    fields = [
        char("name", "Name", required=True),
        char("default_code", "Internal Reference"),
        char("barcode", "Barcode"),
        typed("list_price", "float", "Sales Price"),
        typed("standard_price", "float", "Cost"),
        sel("type", "Product Type", _product_types(version), required=True),
        m2o("categ_id", "Product Category", "product.category", required=True),
        m2o("uom_id", "Unit of Measure", "uom.uom", required=True),
        m2o("currency_id", "Currency", "res.currency", readonly=True),
        typed("description_sale", "text", "Sales Description"),
        typed("sale_ok", "boolean", "Can be Sold"),
        typed("purchase_ok", "boolean", "Can be Purchased"),
        typed("weight", "float", "Weight"),
        typed("active", "boolean", "Active"),
    ]
    if version >= 18:
        fields.insert(6, typed("is_storable", "boolean", "Track Inventory"))
    return fields


def order_fields(version: int) -> list[OField]:
    fields = [
        char("name", "Order Reference", required=True),
        m2o("partner_id", "Customer", "res.partner", required=True),
        typed("date_order", "datetime", "Order Date", required=True),
        typed("validity_date", "date", "Expiration"),
        sel("state", "Status", _order_states(version), readonly=True),
        char("client_order_ref", "Customer Reference"),
        char("origin", "Source Document"),
        m2o("user_id", "Salesperson", "res.users"),
        m2o("company_id", "Company", "res.company", required=True),
        m2o("currency_id", "Currency", "res.currency", readonly=True),
        typed("amount_untaxed", "monetary", "Untaxed Amount", readonly=True),
        typed("amount_tax", "monetary", "Taxes", readonly=True),
        typed("amount_total", "monetary", "Total", readonly=True),
        OField("order_line", "one2many", "Order Lines", "sale.order.line", inverse="order_id"),
        typed("note", "html", "Terms and conditions"),
    ]
    if version >= 17:
        fields.insert(5, typed("locked", "boolean", "Locked", readonly=True))
    return fields


LINE_FIELDS = [
    m2o("order_id", "Order Reference", "sale.order", required=True),
    typed("sequence", "integer", "Sequence"),
    m2o("product_id", "Product", "product.product"),
    typed("name", "text", "Description", required=True),
    typed("product_uom_qty", "float", "Quantity"),
    m2o("product_uom", "Unit of Measure", "uom.uom"),
    typed("price_unit", "float", "Unit Price"),
    typed("discount", "float", "Discount (%)"),
    typed("price_subtotal", "monetary", "Subtotal", readonly=True),
    typed("price_tax", "float", "Total Tax", readonly=True),
    typed("price_total", "monetary", "Total", readonly=True),
    m2o("currency_id", "Currency", "res.currency", readonly=True),
]

QUANT_FIELDS = [
    m2o("product_id", "Product", "product.product", required=True),
    m2o("location_id", "Location", "stock.location", required=True),
    typed("quantity", "float", "Quantity", readonly=True),
    typed("reserved_quantity", "float", "Reserved Quantity", readonly=True),
    typed("available_quantity", "float", "Available Quantity", readonly=True, store=False),
    typed("inventory_quantity", "float", "Counted Quantity"),
    m2o("product_uom_id", "Unit of Measure", "uom.uom", readonly=True),
    typed("in_date", "datetime", "Incoming Date", readonly=True),
    m2o("company_id", "Company", "res.company", readonly=True),
]

LOCATION_USAGES = (
    ("supplier", "Vendor Location"),
    ("view", "View"),
    ("internal", "Internal Location"),
    ("customer", "Customer Location"),
    ("inventory", "Inventory Loss"),
    ("production", "Production"),
    ("transit", "Transit Location"),
)


def build_models(version: int, custom: Mapping[str, tuple[FieldDef, ...]]) -> dict[str, ModelMeta]:
    """Every model of one database (server `version`, with its `x_` custom fields)."""

    def make(name: str, description: str, fields: list[OField], **kw: Any) -> ModelMeta:
        return model(name, description, fields, custom=custom.get(name, ()), **kw)

    fixed = {"writable": False}
    models = [
        make(
            "res.partner",
            "Contact",
            partner_fields(version),
            order="complete_name asc, id desc",
            rec_name="complete_name",
        ),
        make(
            "product.product",
            "Product Variant",
            product_fields(version),
            order="default_code, name, id",
        ),
        make("sale.order", "Sales Order", order_fields(version), order="date_order desc, id desc"),
        make("sale.order.line", "Sales Order Line", LINE_FIELDS, order="order_id, sequence, id"),
        make("stock.quant", "Quants", QUANT_FIELDS, order="id", rec_name="product_id"),
        make(
            "res.users",
            "User",
            [
                char("name", "Name", required=True),
                char("login", "Login", required=True),
                m2o("partner_id", "Related Partner", "res.partner", required=True),
                char("tz", "Timezone"),
                char("lang", "Language"),
                m2o("company_id", "Company", "res.company", required=True),
                typed("share", "boolean", "Share User", readonly=True),
                typed("active", "boolean", "Active"),
            ],
            order="name, login",
            **fixed,
        ),
        make(
            "res.company",
            "Companies",
            [
                char("name", "Company Name", required=True),
                m2o("currency_id", "Currency", "res.currency"),
            ],
            **fixed,
        ),
        make(
            "res.country",
            "Country",
            [char("name", "Country Name", required=True), char("code", "Country Code")],
            order="name",
            **fixed,
        ),
        make(
            "res.currency",
            "Currency",
            [
                char("name", "Currency", required=True),
                char("symbol", "Symbol"),
                char("full_name", "Name"),
                typed("active", "boolean", "Active"),
            ],
            order="active desc, name",
            **fixed,
        ),
        make(
            "uom.uom",
            "Product Unit of Measure",
            [
                char("name", "Unit of Measure", required=True),
                typed("factor", "float", "Ratio"),
                typed("active", "boolean", "Active"),
            ],
            order="name",
            **fixed,
        ),
        make(
            "product.category",
            "Product Category",
            [
                char("name", "Name", required=True),
                char("complete_name", "Complete Name", readonly=True),
                m2o("parent_id", "Parent Category", "product.category"),
            ],
            order="complete_name",
            rec_name="complete_name",
            **fixed,
        ),
        make(
            "stock.location",
            "Inventory Locations",
            [
                char("name", "Location Name", required=True),
                char("complete_name", "Full Location Name", readonly=True),
                sel("usage", "Location Type", LOCATION_USAGES, required=True),
                typed("active", "boolean", "Active"),
            ],
            order="complete_name, id",
            rec_name="complete_name",
            **fixed,
        ),
        make(
            "ir.model",
            "Models",
            [
                char("model", "Model", required=True),
                char("name", "Model Description", required=True),
                sel("state", "Type", (("manual", "Custom Object"), ("base", "Base Object"))),
                typed("transient", "boolean", "Transient Model"),
            ],
            order="model",
            **fixed,
        ),
    ]
    return {meta.name: meta for meta in models}
