"""create / write / unlink, with Odoo's validation, defaults and the rules clients hit.

Values are cast as the ORM casts them (a char gets `str(value)`, a many2one an
existing id, a selection one of its keys, dates "YYYY-MM-DD"); an unknown field
is "Invalid field 'x' on model 'y'"; computed fields without an inverse are
ignored; the ORM's own columns (id, write_date...) are silently dropped.
Every write goes through `Tenant.create/update/delete`, so `write_date` moves
and webhooks fire whichever door the change came through. `unlink` is a hard
delete, as in Odoo: the record is gone, with no tombstone to list.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sandbox.core import Entry
from sandbox.odoo import lines
from sandbox.odoo.db import LINES, ORDERS, OdooDb
from sandbox.odoo.errors import (
    AccessError,
    OdooError,
    UserError,
    ValidationError,
    missing,
    server_error,
)
from sandbox.odoo.meta import MAGIC, OField
from sandbox.odoo.values import ms_text, text_ms

COMPUTED = frozenset(
    {
        "amount_untaxed", "amount_tax", "amount_total", "price_subtotal", "price_tax",
        "price_total", "complete_name", "display_name", "available_quantity", "share",
    }
)  # fmt: skip
PRODUCT_COMPUTED = frozenset({"currency_id"})


def create(db: OdooDb, model: str, vals: Any) -> int:
    _check_writable(db, model, "create")
    if model == LINES:
        return lines.create_line(db, _values(db, model, vals))
    return int(db.tenant.create(model, prepare_create(db, model, vals)).id)


def create_many(db: OdooDb, model: str, vals_list: list[Any]) -> list[int]:
    """One transaction, as Odoo's RPC call is: every record is checked before any is
    stored, so one refused record leaves none of its batch behind."""
    _check_writable(db, model, "create")
    if model == LINES:
        return [create(db, model, vals) for vals in vals_list]
    prepared = [prepare_create(db, model, vals) for vals in vals_list]
    if model == ORDERS:  # names and line ids are drawn in creation order: prepare again
        return [create(db, model, vals) for vals in vals_list]
    return [int(db.tenant.create(model, values).id) for values in prepared]


def prepare_create(db: OdooDb, model: str, vals: Any) -> dict[str, Any]:
    """The record a create would store, or the error Odoo raises for it."""
    meta = db.models[model]
    _check_writable(db, model, "create")
    if model == "stock.quant":
        raise UserError("Quant's creation is restricted, you can't do this operation.")
    values = _values(db, model, vals)
    commands = values.pop("order_line", None)
    values = {**defaults(db, model), **values}
    if model == "res.partner" and not values.get("name") and values.get("type") == "contact":
        raise ValidationError("Contacts require a name")
    for field in meta.fields.values():
        if (
            field.required
            and field.name not in MAGIC
            and values.get(field.name) in (None, False, "")
        ):
            raise _mandatory(meta.description, model, field)
    if model == ORDERS:
        values["order_line"] = lines.apply_commands(db, [], commands or [])
        values.update(lines.totals(values["order_line"]))
    return values


def write(db: OdooDb, model: str, ids: list[int], vals: Any) -> bool:
    _check_writable(db, model, "write")
    records = existing(db, model, ids)
    if model == LINES:
        lines.write_lines(db, records, _values(db, model, vals))
        return True
    values = prepare_write(db, model, vals)
    apply_write(db, model, records, values)
    return True


def prepare_write(db: OdooDb, model: str, vals: Any) -> dict[str, Any]:
    values = _values(db, model, vals)
    if model == "stock.quant" and set(values) - {"inventory_quantity"}:
        raise UserError("Quant's editing is restricted, you can't do this operation.")
    return values


def apply_write(db: OdooDb, model: str, records: list[Entry], values: dict[str, Any]) -> None:
    for record in records:
        update = dict(values)
        if model == ORDERS and "order_line" in update:
            current = list(record.fields.get("order_line") or [])
            update["order_line"] = lines.apply_commands(db, current, update["order_line"] or [])
            update.update(lines.totals(update["order_line"]))
        db.tenant.update(model, record.id, update)


def unlink(db: OdooDb, model: str, ids: list[int]) -> bool:
    _check_writable(db, model, "unlink")
    records = existing(db, model, ids)
    if model == LINES:
        lines.unlink_lines(db, records)
        return True
    if model == "stock.quant":
        raise UserError("Quant's deletion is restricted, you can't do this operation.")
    for record in records:
        if model == ORDERS and record.fields.get("state") not in ("draft", "cancel"):
            raise UserError(
                "You can not delete a sent quotation or a confirmed sales order. "
                "You must first cancel it."
            )
    for record in records:
        db.tenant.delete(model, record.id, hard=True)
    return True


def existing(db: OdooDb, model: str, ids: list[int]) -> list[Entry]:
    found = [db.record(model, i) for i in ids]
    absent = [i for i, record in zip(ids, found, strict=True) if record is None]
    if absent:
        raise missing(model, absent, db.uid)
    return [record for record in found if record is not None]


def defaults(db: OdooDb, model: str) -> dict[str, Any]:
    settings = db.tenant.config.settings
    from sandbox.odoo.tables import CURRENCY_ID, UNITS_ID

    currency = CURRENCY_ID.get(str(settings.get("currency", "USD")), 1)
    if model == "res.partner":
        return {"active": True, "type": "contact", "is_company": False, "customer_rank": 0}
    if model == "product.product":
        return {
            "type": "consu", "active": True, "sale_ok": True, "purchase_ok": True,
            "list_price": 1.0, "standard_price": 0.0, "categ_id": 1, "uom_id": UNITS_ID,
            "currency_id": currency,
        }  # fmt: skip
    if model == ORDERS:
        sequence = db.collection(ORDERS).next_index + 1
        found = {
            "name": f"S{sequence:05d}", "state": "draft", "date_order": ms_text(db.now_ms()),
            "company_id": 1, "currency_id": currency, "user_id": db.uid,
        }  # fmt: skip
        if db.version >= 17:
            found["locked"] = False
        return found
    return {}


def _check_writable(db: OdooDb, model: str, operation: str) -> None:
    meta = db.models[model]
    if not meta.writable:
        raise AccessError(
            f"You are not allowed to {operation.replace('write', 'modify')} "
            f"'{meta.description}' ({model}) records.\n\nThis operation is allowed for the "
            "following groups:\n\t- Administration/Settings\n\nContact your administrator to "
            "request access if necessary."
        )


def _mandatory(description: str, model: str, field: OField) -> OdooError:
    return ValidationError(
        "The operation cannot be completed:\n- Create/update: a mandatory field is not set.\n"
        "- Delete: another model requires the record being deleted. If possible, archive it "
        f"instead.\n\nModel: {description} ({model})\nField: {field.string} ({field.name})"
    )


def _values(db: OdooDb, model: str, vals: Any) -> dict[str, Any]:
    """Cast a vals dict for `model`; magic and computed fields are dropped."""
    if not isinstance(vals, dict):
        raise server_error(f"vals must be a dictionary, got {vals!r}", "builtins.TypeError")
    meta = db.models[model]
    out: dict[str, Any] = {}
    for name, value in vals.items():
        field = meta.fields.get(name) if isinstance(name, str) else None
        if field is None:
            raise server_error(f"Invalid field {name!r} on model {model!r}")
        if name in MAGIC or name in COMPUTED or not field.store:
            if name == "company_type" and value in ("person", "company"):
                out["is_company"] = value == "company"
            continue
        if model == "product.product" and name in PRODUCT_COMPUTED:
            continue
        out[name] = cast(db, model, field, value)
    return out


def cast(db: OdooDb, model: str, field: OField, value: Any) -> Any:
    kind = field.type
    if kind == "one2many":
        if not isinstance(value, list):
            raise server_error(f"{field.name}: expected a list of commands", "builtins.TypeError")
        return value
    if kind == "boolean":
        return bool(value)
    if value is None or value is False:
        return 0 if kind == "integer" else 0.0 if kind in ("float", "monetary") else None
    try:
        if kind == "integer":
            return int(value)
        if kind in ("float", "monetary"):
            return float(value)
        if kind == "date":
            return date.fromisoformat(str(value)[:10]).isoformat()
        if kind == "datetime":
            return ms_text(text_ms(str(value)))
    except (TypeError, ValueError):
        raise server_error(
            f"Invalid value {value!r} for {kind} field {model}.{field.name}"
        ) from None
    if kind == "selection":
        if value not in {key for key, _label in field.selection}:
            raise server_error(f"Wrong value for {model}.{field.name}: {value!r}")
        return value
    if kind == "many2one":
        target = value[0] if isinstance(value, list | tuple) and value else value
        if isinstance(target, bool) or not isinstance(target, int):
            raise server_error(f"Invalid value {value!r} for many2one field {model}.{field.name}")
        if db.record(field.relation or "", target) is None:
            raise ValidationError(
                f"The operation cannot be completed: {field.string} refers to a "
                f"{field.relation} record that does not exist ({target})."
            )
        return target
    return str(value)
