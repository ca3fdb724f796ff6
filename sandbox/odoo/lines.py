"""Sales order lines: one2many commands on `sale.order` and writes on `sale.order.line`.

Lines are kept inside their order (see records.py), so every line change is an
order write: the order's totals are recomputed and its `write_date` moves, which
is what Odoo does (stored computed totals are written back with the order).
Commands are Odoo's: (0, 0, vals) create, (1, id, vals) update, (2, id) delete,
(3, id) unlink, (4, id) link, (5,) clear, (6, 0, ids) replace.
"""

from __future__ import annotations

from typing import Any

from sandbox.core import Entry
from sandbox.odoo.db import LINES, ORDERS, OdooDb
from sandbox.odoo.errors import UserError, server_error
from sandbox.odoo.records import compute_line, line_values, order_totals

_EDITABLE = ("draft", "sent")
LINE_KEYS = (
    "product_id",
    "name",
    "product_uom_qty",
    "product_uom",
    "price_unit",
    "discount",
    "sequence",
)


def totals(order_lines: list[dict[str, Any]]) -> dict[str, float]:
    return order_totals(order_lines)


def next_line_id(db: OdooDb) -> int:
    orders = db.collection(ORDERS)
    current = int(db.tenant.extras.get("odoo.next_line", 0))
    line_id = max(current, 3 * orders.next_index + 1)
    db.tenant.extras["odoo.next_line"] = line_id + 1
    return line_id


def new_line(db: OdooDb, vals: dict[str, Any], sequence: int) -> dict[str, Any]:
    product_id = vals.get("product_id")
    product = db.record("product.product", product_id) if product_id else None
    given = {k: vals[k] for k in LINE_KEYS if k in vals and k != "product_id"}
    if product is None and not given.get("name"):
        raise server_error(
            'null value in column "name" of relation "sale_order_line" violates not-null '
            "constraint",
            "psycopg2.errors.NotNullViolation",
        )
    given.setdefault("sequence", sequence)
    return line_values(
        next_line_id(db), int(given.pop("sequence")), product_id or None,
        dict(product.fields) if product else {}, **given,
    )  # fmt: skip


def apply_commands(
    db: OdooDb, current: list[dict[str, Any]], commands: list[Any]
) -> list[dict[str, Any]]:
    result = [dict(line) for line in current]
    for command in commands:
        if not isinstance(command, list | tuple) or not command:
            raise server_error(f"Invalid one2many command {command!r}", "builtins.ValueError")
        code = command[0]
        target = command[1] if len(command) > 1 else 0
        vals = command[2] if len(command) > 2 and isinstance(command[2], dict) else {}
        if code == 0:
            sequence = 10 * (len(result) + 1)
            result.append(new_line(db, _line_values(db, vals), sequence))
        elif code == 1:
            for line in result:
                if line["id"] == target:
                    line.update(_line_values(db, vals))
                    compute_line(line)
        elif code in (2, 3):
            result = [line for line in result if line["id"] != target]
        elif code == 5:
            result = []
        elif code == 6:
            keep = set(command[2] if len(command) > 2 else [])
            result = [line for line in result if line["id"] in keep]
        elif code != 4:
            raise server_error(f"Invalid one2many command {command!r}", "builtins.ValueError")
    return result


def _line_values(db: OdooDb, vals: dict[str, Any]) -> dict[str, Any]:
    from sandbox.odoo.writes import cast

    meta = db.models[LINES]
    out: dict[str, Any] = {}
    for name, value in vals.items():
        field = meta.fields.get(name)
        if field is None:
            raise server_error(f"Invalid field {name!r} on model {LINES!r}")
        if name in LINE_KEYS:
            out[name] = cast(db, LINES, field, value)
    return out


def _check_editable(order: Entry, removing: bool) -> None:
    if removing and order.fields.get("state") not in _EDITABLE:
        raise UserError(
            "Once a sales order is confirmed, you can't remove one of its lines (we need to "
            "track if something gets invoiced or delivered).\nSet the quantity to 0 instead."
        )


def create_line(db: OdooDb, vals: dict[str, Any]) -> int:
    order = db.record(ORDERS, vals.get("order_id"))
    if order is None:
        raise server_error(
            'null value in column "order_id" of relation "sale_order_line" violates not-null '
            "constraint",
            "psycopg2.errors.NotNullViolation",
        )
    current = list(order.fields.get("order_line") or [])
    line = new_line(db, vals, 10 * (len(current) + 1))
    updated = [*current, line]
    db.tenant.update(ORDERS, order.id, {"order_line": updated, **totals(updated)})
    return int(line["id"])


def write_lines(db: OdooDb, records: list[Entry], vals: dict[str, Any]) -> None:
    for record in records:
        order = db.record(ORDERS, record.fields["order_id"])
        if order is None:
            continue
        updated = apply_commands(
            db, list(order.fields.get("order_line") or []), [(1, int(record.id), vals)]
        )
        db.tenant.update(ORDERS, order.id, {"order_line": updated, **totals(updated)})


def unlink_lines(db: OdooDb, records: list[Entry]) -> None:
    for record in records:
        order = db.record(ORDERS, record.fields["order_id"])
        if order is None:
            continue
        _check_editable(order, removing=True)
        updated = apply_commands(
            db, list(order.fields.get("order_line") or []), [(2, int(record.id))]
        )
        db.tenant.update(ORDERS, order.id, {"order_line": updated, **totals(updated)})
