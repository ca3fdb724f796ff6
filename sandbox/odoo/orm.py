"""The public model methods, dispatched as odoo.api.call_kw does.

A "model" method (`@api.model`: search, create, fields_get...) takes its
arguments as given; a "record" method (read, write, unlink...) takes the ids
first: positionally over XML-RPC/JSON-RPC (`args[0]`), as `ids` over /json/2.
Arguments are bound to each method's real signature, so a wrong keyword is
the TypeError Odoo raises. Private methods (`_foo`) are refused as Odoo refuses
them; a method Odoo has but the sandbox does not simulate says so.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from sandbox.odoo import load as importer
from sandbox.odoo import query, writes
from sandbox.odoo.db import OdooDb
from sandbox.odoo.errors import AccessError, UserError, http_error, server_error
from sandbox.odoo.render import LOADS, read_fields, renderer

Method = Callable[..., Any]
NOT_SIMULATED = frozenset({"read_group", "web_search_read", "web_read", "copy", "onchange"})


class Orm:
    """One database, one user, one context: what a call runs against."""

    def __init__(self, db: OdooDb, model: str, context: dict[str, Any]) -> None:
        self.db, self.model, self.context = db, model, context

    # --- model methods ---------------------------------------------------------------

    def search(
        self, domain: Any = None, offset: int = 0, limit: Any = None, order: Any = None
    ) -> Any:
        return query.search_ids(
            self.db,
            self.model,
            domain,
            offset=offset,
            limit=limit,
            order=order,
            context=self.context,
        )

    def search_count(self, domain: Any = None, limit: Any = None) -> int:
        total = query.count(self.db, self.model, domain, self.context)
        return min(total, limit) if isinstance(limit, int) and limit else total

    def search_read(
        self,
        domain: Any = None,
        fields: Any = None,
        offset: int = 0,
        limit: Any = None,
        order: Any = None,
        load: Any = "_classic_read",
    ) -> list[dict[str, Any]]:
        chosen = read_fields(self.db, self.model, fields)
        found = query.search(
            self.db,
            self.model,
            domain,
            offset=offset,
            limit=limit,
            order=order,
            context=self.context,
        )
        render = renderer(self.db, self.model, chosen, _load(load))
        return [render(e) for e in found]

    def create(self, vals_list: Any) -> Any:
        if isinstance(vals_list, list):
            return writes.create_many(self.db, self.model, vals_list)
        return writes.create(self.db, self.model, vals_list)

    def load(self, fields: Any, data: Any) -> dict[str, Any]:
        return importer.load(self.db, self.model, fields, data)

    def fields_get(self, allfields: Any = None, attributes: Any = None) -> dict[str, Any]:
        meta = self.db.models[self.model]
        wanted = set(allfields) if isinstance(allfields, list | tuple) and allfields else None
        return {
            name: field.describe(attributes if isinstance(attributes, list | tuple) else None)
            for name, field in meta.fields.items()
            if wanted is None or name in wanted
        }

    def name_search(
        self,
        name: str = "",
        args: Any = None,
        operator: str = "ilike",
        limit: int = 100,
        domain: Any = None,
    ) -> list[list[Any]]:
        meta = self.db.models[self.model]
        extra = list(domain or args or [])
        term = [(meta.rec_name, operator, name)] if name else []
        found = query.search(
            self.db, self.model, [*term, *extra], limit=limit, context=self.context
        )
        return [[int(e.id), self.db.display(self.model, e)] for e in found]

    def default_get(self, fields_list: Any) -> dict[str, Any]:
        values = writes.defaults(self.db, self.model)
        return {k: v for k, v in values.items() if k in (fields_list or [])}

    def check_access_rights(self, operation: str, raise_exception: bool = True) -> bool:
        return True

    def context_get(self) -> dict[str, Any]:
        return {"lang": "en_US", "tz": "Europe/Brussels", "uid": self.db.uid}

    # --- record methods --------------------------------------------------------------

    def read(
        self, ids: list[int], fields: Any = None, load: Any = "_classic_read"
    ) -> list[dict[str, Any]]:
        chosen = read_fields(self.db, self.model, fields)
        records = writes.existing(self.db, self.model, ids)
        render = renderer(self.db, self.model, chosen, _load(load))
        return [render(e) for e in records]

    def write(self, ids: list[int], vals: Any) -> bool:
        return writes.write(self.db, self.model, ids, vals)

    def unlink(self, ids: list[int]) -> bool:
        return writes.unlink(self.db, self.model, ids)

    def exists(self, ids: list[int]) -> list[int]:
        return [i for i in ids if self.db.record(self.model, i) is not None]

    def name_get(self, ids: list[int]) -> list[list[Any]]:
        records = writes.existing(self.db, self.model, ids)
        return [[int(e.id), self.db.display(self.model, e)] for e in records]

    def action_archive(self, ids: list[int]) -> bool:
        return writes.write(self.db, self.model, ids, {"active": False})

    def action_unarchive(self, ids: list[int]) -> bool:
        return writes.write(self.db, self.model, ids, {"active": True})

    def action_confirm(self, ids: list[int]) -> bool:
        return self._order_state(ids, ("draft", "sent"), "sale")

    def action_cancel(self, ids: list[int]) -> bool:
        return self._order_state(ids, ("draft", "sent", "sale"), "cancel")

    def action_draft(self, ids: list[int]) -> bool:
        return self._order_state(ids, ("cancel", "sent"), "draft")

    def action_quotation_sent(self, ids: list[int]) -> bool:
        return self._order_state(ids, ("draft",), "sent")

    def action_apply_inventory(self, ids: list[int]) -> bool:
        for quant in writes.existing(self.db, self.model, ids):
            counted = float(quant.fields.get("inventory_quantity") or 0)
            self.db.tenant.update(
                self.model, quant.id, {"quantity": counted, "inventory_quantity": 0.0}
            )
        return True

    def _order_state(self, ids: list[int], allowed: tuple[str, ...], state: str) -> bool:
        for order in writes.existing(self.db, self.model, ids):
            if order.fields.get("state") not in allowed:
                raise UserError(f"Some orders are not in a state that allows this ({state}).")
            self.db.tenant.update(self.model, order.id, {"state": state})
        return True


MODEL_METHODS = frozenset(
    {"search", "search_count", "search_read", "create", "load", "fields_get", "name_search"}
    | {"default_get", "check_access_rights", "context_get"}
)
RECORD_METHODS = frozenset(
    {"read", "write", "unlink", "exists", "action_archive", "action_unarchive"}
    | {"action_confirm", "action_cancel", "action_draft", "action_quotation_sent"}
    | {"action_apply_inventory"}
)
ONLY_ON = {
    "context_get": ("res.users",),
    "action_confirm": ("sale.order",),
    "action_cancel": ("sale.order",),
    "action_draft": ("sale.order",),
    "action_quotation_sent": ("sale.order",),
    "action_apply_inventory": ("stock.quant",),
}


def _load(load: Any) -> Any:
    if load not in LOADS:
        raise server_error(f"Invalid load {load!r}")
    return load


def method_of(db: OdooDb, model: str, name: str, *, json2: bool = False) -> tuple[Method, bool]:
    """The method and whether it is a record method; Odoo's errors otherwise (/json/2
    answers an unknown model or method with 404, the RPC services with a fault)."""
    if db.meta(model) is None:
        if json2:
            raise http_error(404, f"the model {model!r} does not exist")
        raise UserError(f"Object {model} doesn't exist")
    if not isinstance(name, str) or name.startswith("_"):
        raise AccessError(f"Private methods (such as '{name}') cannot be called remotely.")
    if name in NOT_SIMULATED:
        raise server_error(
            f"{model}.{name} exists in Odoo but is not simulated by the ToothPick sandbox",
            "builtins.NotImplementedError",
        )
    only = ONLY_ON.get(name)
    known = name in MODEL_METHODS or name in RECORD_METHODS
    if name == "name_get" and db.version <= 16:
        known = True
    if not known or (only is not None and model not in only):
        text = f"The method '{name}' does not exist on the model '{model}'"
        raise http_error(404, text) if json2 else server_error(text, "builtins.AttributeError")
    return getattr(Orm, name), name not in MODEL_METHODS


def call(
    db: OdooDb,
    model: str,
    name: str,
    ids: list[int] | None,
    args: list[Any],
    kwargs: dict[str, Any],
    *,
    json2: bool = False,
) -> Any:
    """Run one method; `ids` is None when the caller passed them positionally (RPC)."""
    function, on_records = method_of(db, model, name, json2=json2)
    context = kwargs.pop("context", None) or {}
    if not isinstance(context, dict):
        raise server_error("context must be a dictionary", "builtins.TypeError")
    orm = Orm(db, model, context)
    positional = list(args)
    if on_records:
        if ids is None:
            if not positional:
                raise server_error(
                    f"{name}() missing 1 required positional argument: 'ids'", "builtins.TypeError"
                )
            ids = ids_of(positional.pop(0))
        positional.insert(0, ids)
    elif ids:
        raise http_error(422, f"cannot call {model}.{name} with ids")
    try:
        inspect.signature(function).bind(orm, *positional, **kwargs)
    except TypeError as exc:
        text = f"{name}() {exc}"
        raise http_error(422, text) if json2 else server_error(text, "builtins.TypeError") from None
    return function(orm, *positional, **kwargs)


def ids_of(value: Any) -> list[int]:
    items = value if isinstance(value, list | tuple) else [value]
    if not all(isinstance(i, int) and not isinstance(i, bool) for i in items):
        raise server_error(f"Invalid ids {value!r}: expected integers", "builtins.TypeError")
    return list(items)
