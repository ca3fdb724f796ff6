"""Odoo model metadata: the fields each simulated model has, as `fields_get` tells them.

The sandbox core only knows neutral `FieldDef`s; Odoo's own vocabulary (char,
many2one, one2many, selection pairs, readonly computed fields) lives here,
because `fields_get`, the domain evaluator, the renderer and write validation
all need it. A `ModelMeta` is built per tenant, since fields differ between
server versions (16 has state `done`, 17 added `locked`, 19 has `is_storable`)
and each database has its own `x_` custom fields.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sandbox.core import FieldDef

MAGIC = ("id", "display_name", "create_date", "create_uid", "write_date", "write_uid")
"""Fields every model has; the ORM fills them, a client can never write them."""

RELATIONAL = frozenset({"many2one", "one2many", "many2many"})

_NEUTRAL: dict[str, str] = {
    "char": "string",
    "text": "text",
    "html": "text",
    "integer": "integer",
    "float": "number",
    "monetary": "currency",
    "boolean": "boolean",
    "date": "date",
    "datetime": "datetime",
    "selection": "picklist",
    "many2one": "reference",
    "one2many": "text",
}
_FROM_NEUTRAL: dict[str, str] = {
    "string": "char",
    "text": "text",
    "email": "char",
    "phone": "char",
    "url": "char",
    "picklist": "selection",
    "boolean": "boolean",
    "integer": "integer",
    "number": "float",
    "currency": "monetary",
    "percent": "float",
    "date": "date",
    "datetime": "datetime",
    "reference": "many2one",
}


@dataclass(frozen=True, slots=True)
class OField:
    """One field as Odoo describes it. `store=False` fields are computed when read."""

    name: str
    type: str
    string: str
    relation: str | None = None
    selection: tuple[tuple[str, str], ...] = ()
    required: bool = False
    readonly: bool = False
    store: bool = True
    inverse: str | None = None  # one2many: the many2one on the comodel
    custom: bool = False
    help: str = ""

    @property
    def writable(self) -> bool:
        return not self.readonly and self.name not in MAGIC

    def describe(self, attributes: Iterable[str] | None) -> dict[str, Any]:
        """This field's `fields_get` entry, limited to `attributes` when given."""
        full: dict[str, Any] = {
            "type": self.type,
            "string": self.string,
            "help": self.help,
            "required": self.required,
            "readonly": self.readonly,
            "store": self.store,
            "sortable": self.store,
            "searchable": True,
            "manual": self.custom,
            "name": self.name,
        }
        if self.relation:
            full["relation"] = self.relation
        if self.inverse:
            full["relation_field"] = self.inverse
        if self.type == "selection":
            full["selection"] = [list(pair) for pair in self.selection]
        if attributes is None:
            return full
        return {key: full[key] for key in attributes if key in full}

    def field_def(self) -> FieldDef:
        """The neutral definition the sandbox core validates control-API edits with."""
        neutral: Any = _NEUTRAL.get(self.type, "string")
        return FieldDef(
            self.name,
            neutral,
            label=self.string,
            options=tuple(key for key, _label in self.selection),
            reference_to=self.relation if self.type == "many2one" else None,
            required=self.required,
            updateable=self.writable,
            custom=self.custom,
        )


def custom_field(definition: FieldDef) -> OField:
    """An `x_` field of a tenant, described in Odoo's words."""
    kind = _FROM_NEUTRAL.get(definition.type, "char")
    return OField(
        definition.name,
        kind,
        definition.display_label,
        relation=definition.reference_to,
        selection=tuple((o, o.replace("_", " ").title()) for o in definition.options),
        custom=True,
        help=definition.description,
    )


@dataclass(frozen=True)
class ModelMeta:
    """One model: `order` is its `_order`; `rec_name` feeds name_search; `active` says
    whether archived records are hidden unless a domain or `active_test` asks."""

    name: str
    description: str
    fields: Mapping[str, OField]
    order: str = "id"
    rec_name: str = "name"
    writable: bool = True
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def active(self) -> bool:
        return "active" in self.fields

    def stored(self) -> tuple[FieldDef, ...]:
        """Neutral definitions of the fields a record keeps (for the sandbox core)."""
        return tuple(f.field_def() for f in self.fields.values() if f.store and f.name not in MAGIC)


def magic_fields() -> list[OField]:
    return [
        OField("id", "integer", "ID", readonly=True),
        OField("display_name", "char", "Display Name", readonly=True, store=False),
        OField("create_date", "datetime", "Created on", readonly=True),
        OField("create_uid", "many2one", "Created by", relation="res.users", readonly=True),
        OField("write_date", "datetime", "Last Updated on", readonly=True),
        OField("write_uid", "many2one", "Last Updated by", relation="res.users", readonly=True),
    ]


def model(
    name: str,
    description: str,
    fields: Iterable[OField],
    *,
    order: str = "id",
    rec_name: str = "name",
    writable: bool = True,
    custom: Iterable[FieldDef] = (),
) -> ModelMeta:
    every = [*magic_fields(), *fields, *(custom_field(c) for c in custom)]
    return ModelMeta(
        name,
        description,
        {f.name: f for f in every},
        order=order,
        rec_name=rec_name,
        writable=writable,
    )
