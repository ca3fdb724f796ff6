"""`Model.load(fields, data)`: Odoo's import, the one ORM call that creates or updates
many records of different values at once and keeps their external ids.

Columns are field names as the import names them: `id` (an external id,
`module.name`; without a module `__import__.name`), `.id` (a database id: update
that record), `field/.id` (a many2one by database id) and plain fields, each
cell a string converted as `ir.fields.converter` converts it ("" is empty,
booleans "1"/"true"/"yes" and "0"/"false"/"no"). A row whose external id
exists updates its record instead of creating another: importing the same rows
twice leaves one record each, which is what makes a create repeatable.

The call is one transaction: rows are checked first, and if any row fails the
answer is `{"ids": False, "messages": [...]}` with one error per failed row
(`record` is its index in `data`) and nothing is stored, as Odoo rolls the whole
import back. Sub-record columns (`order_line/...`) are not simulated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sandbox.odoo import writes
from sandbox.odoo.db import OdooDb
from sandbox.odoo.errors import OdooError, server_error
from sandbox.odoo.meta import OField

XMLIDS = "odoo.xmlids"  # tenant extras: "module.name" -> (model, res_id)
TRUE, FALSE = ("1", "true", "yes"), ("", "0", "false", "no")


@dataclass
class _Row:
    xmlid: str | None
    record_id: int | None
    values: dict[str, Any]


def load(db: OdooDb, model: str, fields: Any, data: Any) -> dict[str, Any]:
    if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
        raise server_error("fields must be a list of field names", "builtins.TypeError")
    if not isinstance(data, list) or not all(isinstance(r, list) for r in data):
        raise server_error("data must be a list of rows", "builtins.TypeError")
    known = db.tenant.extras.setdefault(XMLIDS, {})
    planned: list[_Row] = []
    messages: list[dict[str, Any]] = []
    for index, row in enumerate(data):
        try:
            planned.append(_plan(db, model, fields, row, known))
        except OdooError as exc:
            messages.append(
                {"type": "error", "message": exc.message, "record": index,
                 "rows": {"from": index, "to": index}, "field": getattr(exc, "field", "")}
            )  # fmt: skip
    if messages:
        return {"ids": False, "messages": messages, "nextrow": 0}
    ids: list[int] = []
    for row in planned:
        if row.record_id is not None:
            writes.apply_write(db, model, writes.existing(db, model, [row.record_id]), row.values)
            ids.append(row.record_id)
        else:
            ids.append(int(db.tenant.create(model, row.values).id))
        if row.xmlid is not None:
            known[row.xmlid] = (model, ids[-1])
    return {"ids": ids, "messages": [], "nextrow": 0}


def _plan(db: OdooDb, model: str, fields: list[str], row: list[Any], known: dict[str, Any]) -> _Row:
    if len(row) != len(fields):
        raise server_error(f"a row has {len(row)} cells for {len(fields)} columns")
    meta = db.models[model]
    xmlid: str | None = None
    record_id: int | None = None
    vals: dict[str, Any] = {}
    for column, cell in zip(fields, row, strict=True):
        text = "" if cell is None or cell is False else str(cell).strip()
        if column == "id":
            xmlid = (text if "." in text else f"__import__.{text}") if text else None
        elif column == ".id":
            record_id = _int(text, column) if text else None
        elif column.endswith("/.id") and column.count("/") == 1:
            vals[column[:-4]] = _int(text, column) if text else False
        elif "/" in column:
            raise server_error(f"import of sub-fields ({column}) is not simulated")
        elif (field := meta.fields.get(column)) is None:
            raise server_error(f"Invalid field {column!r} on model {model!r}")
        else:
            vals[column] = _convert(field, text)
    if xmlid is not None and record_id is None:
        target = known.get(xmlid)
        if target is not None and target[0] == model and db.record(model, target[1]):
            record_id = int(target[1])
    if record_id is not None:
        writes.existing(db, model, [record_id])
        return _Row(xmlid, record_id, writes.prepare_write(db, model, vals))
    return _Row(xmlid, None, writes.prepare_create(db, model, vals))


def _int(text: str, column: str) -> int:
    if not text.isascii() or not text.isdigit():
        raise server_error(f"Invalid database id {text!r} for the field {column!r}")
    return int(text)


def _convert(field: OField, text: str) -> Any:
    """A cell as ir.fields.converter reads it for the field's type."""
    kind = field.type
    if kind == "boolean":
        # Odoo warns about values in neither TRUE nor FALSE and reads them as true
        return text.lower() not in FALSE
    if not text:
        return False
    try:
        if kind == "integer":
            return int(text)
        if kind in ("float", "monetary"):
            return float(text)
        if kind == "date":
            return date.fromisoformat(text[:10]).isoformat()
    except ValueError:
        raise server_error(
            f"'{text}' does not seem to be a valid {kind} for field '{field.string}'"
        ) from None
    if kind == "many2one":
        raise server_error(f"use {field.name}/.id to import {field.string} by database id")
    if kind == "selection":
        for key, label in field.selection:
            if text in (key, label):
                return key
        raise server_error(f"Value '{text}' not found in selection field '{field.string}'")
    return text
