"""One request's view of a database: models, records, values and display names.

Records are the core's `Entry`s. Sales order lines are not a collection of
their own: they live inside their order (`order_line`), and are handed out here
as Entries (id = line id, modified = the order's modified time), so search,
read and domains treat `sale.order.line` like any other model. An `OdooDb` is
built per request, so its display-name cache never outlives a write.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cached_property
from typing import Any

from sandbox.core import Collection, Entry, Tenant
from sandbox.core.clock import now_ms
from sandbox.odoo.meta import ModelMeta
from sandbox.odoo.schema import build_models
from sandbox.odoo.values import text_ms

LINES = "sale.order.line"
ORDERS = "sale.order"
ADMIN_UID = 2


class OdooDb:
    def __init__(self, tenant: Tenant, uid: int = ADMIN_UID) -> None:
        self.tenant = tenant
        self.uid = uid
        self.version = int(tenant.config.settings.get("version", 17))
        self._names: dict[tuple[str, int], str] = {}

    @cached_property
    def models(self) -> dict[str, ModelMeta]:
        cache = self.tenant.schema_cache.get("odoo.models")
        if cache is None:
            cache = build_models(self.version, self.tenant.custom_field_map())
            self.tenant.schema_cache["odoo.models"] = cache
        return dict(cache)

    @staticmethod
    def now_ms() -> int:
        return now_ms()

    def meta(self, model: str) -> ModelMeta | None:
        return self.models.get(model)

    def collection(self, model: str) -> Collection:
        return self.tenant.collection(model)

    # --- records ------------------------------------------------------------------

    def record(self, model: str, record_id: Any) -> Entry | None:
        if isinstance(record_id, bool) or not isinstance(record_id, int | str):
            return None
        if model == LINES:
            return self.line(int(record_id)) if str(record_id).isdigit() else None
        if model not in self.models:
            return None
        return self.collection(model).get(str(record_id))

    def line(self, line_id: int) -> Entry | None:
        """A line by id: base lines sit at 3i+1..3i+3 of order i; added ones are looked
        up through the orders changed since the data was generated."""
        orders = self.collection(ORDERS)
        index = (line_id - 1) // 3
        candidates: Iterator[Entry] = iter(())
        if 0 <= index < orders.count:
            found = orders.get(str(index + 1))
            candidates = iter([found] if found is not None else [])
        for order in (*candidates, *self.edited_orders()):
            for line in order.fields.get("order_line") or ():
                if line.get("id") == line_id:
                    return self.line_entry(order, line)
        return None

    def edited_orders(self) -> list[Entry]:
        """Orders in the overlay (written or created through any door)."""
        orders = self.collection(ORDERS)
        edge = orders.base_modified_ms(orders.count - 1) + 1 if orders.count else 0
        return list(orders.scan(order="modified", since_ms=edge))

    def line_entry(self, order: Entry, line: dict[str, Any]) -> Entry:
        fields = {**line, "order_id": int(order.id), "currency_id": order.fields.get("currency_id")}
        return Entry(
            int(line["id"]) - 1, str(line["id"]), fields, order.created_ms, order.modified_ms
        )

    def lines_of(self, order: Entry) -> list[Entry]:
        return [self.line_entry(order, line) for line in order.fields.get("order_line") or ()]

    # --- values (the Resolver protocol of domain.py) -----------------------------------

    def value(self, model: str, record: Entry, field: str) -> Any:
        """A field in comparable form: many2one as int, one2many as ids, datetimes as ms."""
        if field == "id":
            return int(record.id)
        if field == "write_date":
            return record.modified_ms
        if field == "create_date":
            return record.created_ms
        if field in ("create_uid", "write_uid"):
            return record.fields.get(field, ADMIN_UID)
        if field == "display_name" or (field == "complete_name" and model == "res.partner"):
            return self.display(model, record)
        if field == "company_type":
            return "company" if record.fields.get("is_company") else "person"
        if field == "available_quantity":
            fields = record.fields
            return float(fields.get("quantity") or 0) - float(fields.get("reserved_quantity") or 0)
        if field == "order_line":
            return [int(line["id"]) for line in record.fields.get("order_line") or ()]
        value = record.fields.get(field)
        if isinstance(value, str) and value and self._is_datetime(model, field):
            return text_ms(value)
        return value

    def children(self, model: str, field: str, record: Entry) -> list[Entry]:
        return self.lines_of(record) if field == "order_line" else []

    def _is_datetime(self, model: str, field: str) -> bool:
        meta = self.models.get(model)
        spec = meta.fields.get(field) if meta else None
        return spec is not None and spec.type == "datetime"

    def display_of(self, model: str, record_id: int) -> str | None:
        """The display name of a linked record, None if it does not exist (cached, since
        a page of orders names the same few currencies, units and partners again and again)."""
        key = (model, int(record_id))
        found = self._names.get(key)
        if found is None:
            record = self.record(model, record_id)
            if record is None:
                return None
            found = self.display(model, record)
        return found

    def display(self, model: str, record: Entry | None) -> str:
        if record is None:
            return ""
        key = (model, int(record.id))
        found = self._names.get(key)
        if found is None:
            found = self._names[key] = self._display(model, record)
        return found

    def _display(self, model: str, record: Entry) -> str:
        fields = record.fields
        name = str(fields.get("name") or "")
        if model == "res.partner":
            parent = fields.get("parent_id")
            if parent and not fields.get("is_company"):
                return f"{self.display(model, self.record(model, parent))}, {name}"
            return name
        if model == "product.product":
            code = fields.get("default_code")
            return f"[{code}] {name}" if code else name
        if model == LINES:
            order = self.record(ORDERS, fields.get("order_id"))
            order_name = order.fields.get("name") if order else ""
            return f"{order_name} - {name.splitlines()[0] if name else ''}"
        meta = self.models.get(model)
        rec_name = meta.rec_name if meta else "name"
        if meta and meta.fields.get(rec_name) and meta.fields[rec_name].type == "many2one":
            target = meta.fields[rec_name].relation or ""
            return self.display(target, self.record(target, fields.get(rec_name)))
        return str(fields.get(rec_name) or name)
