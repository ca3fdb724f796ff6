"""Where SAP entities live in the sandbox: top-level sets are collections, child sets
(items, descriptions, addresses, emails) live inside their parent's record.

A `Row` is one entity wherever it lives: its stored fields, the collection
entry of its top-level document (for derived timestamps and for writes), and
the key values it inherits from its parent (SalesOrderItem.SalesOrder).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from sandbox.core import Entry, Tenant
from sandbox.sap.edm import EntitySet, comparable
from sandbox.sap.render import value_of


@dataclass(frozen=True)
class Row:
    entity_set: EntitySet
    fields: Mapping[str, Any]
    top: Entry  # the document this row belongs to (itself for top-level rows)
    inherited: Mapping[str, str] = field(default_factory=dict)
    path: tuple[tuple[str, int], ...] = ()  # (navigation, position) steps from `top`

    @property
    def entry(self) -> Entry | None:
        return self.top if not self.path else None

    def value(self, name: str) -> Any:
        if name in self.inherited:
            return self.inherited[name]
        return value_of(self.entity_set.prop_index[name], self.fields, self.entry)

    def comparable(self, name: str) -> Any:
        return comparable(self.entity_set.prop_index[name], self.value(name))

    def keys(self) -> dict[str, str]:
        return {k: str(self.value(k)) for k in self.entity_set.keys}


def record_id(entity_set: EntitySet, keys: Mapping[str, str]) -> str:
    """The sandbox id of a top-level entity from its OData key."""
    if entity_set.name == "A_MatlStkInAcctMod":
        parts = ("Material", "Plant", "StorageLocation", "InventoryStockType")
        return "_".join(keys[p] for p in parts)
    return keys[entity_set.keys[0]]


def children(row: Row, nav: str, target: EntitySet) -> Iterator[Row]:
    keys = row.keys()
    inherited = {child: keys[parent] for child, parent in target.parent_key}
    for position, child in enumerate(row.fields.get(nav) or ()):
        yield Row(target, child, row.top, inherited, (*row.path, (nav, position)))


def all_rows(tenant: Tenant, sets: Mapping[str, EntitySet], name: str) -> Iterator[Row]:
    """Every entity of a set, top-level documents in key order, children within them."""
    entity_set = sets[name]
    if entity_set.parent is None:
        for entry in tenant.collection(name).scan():
            yield Row(entity_set, entry.fields, entry)
        return
    assert entity_set.via is not None
    for parent in all_rows(tenant, sets, entity_set.parent):
        yield from children(parent, entity_set.via, entity_set)


def find(
    tenant: Tenant, sets: Mapping[str, EntitySet], entity_set: EntitySet, keys: Mapping[str, str]
) -> Row | None:
    """The entity with these key values, or None."""
    if entity_set.parent is None:
        entry = tenant.collection(entity_set.name).get(record_id(entity_set, keys))
        if entry is None:
            return None
        row = Row(entity_set, entry.fields, entry)
        return row if row.keys() == dict(keys) else None
    parent_set = sets[entity_set.parent]
    candidates: Iterator[Row]
    if parent_set.parent is None and entity_set.parent_key:
        parent_keys = {parent: keys[child] for child, parent in entity_set.parent_key}
        parent = find(tenant, sets, parent_set, parent_keys)
        candidates = (
            iter(()) if parent is None else children(parent, entity_set.via or "", entity_set)
        )
    else:
        candidates = all_rows(tenant, sets, entity_set.name)
    return next((row for row in candidates if row.keys() == dict(keys)), None)


def replace_child(
    top: Mapping[str, Any], path: tuple[tuple[str, int], ...], fields: Mapping[str, Any]
) -> dict[str, Any]:
    """The top document's navigation field (first step of `path`) with one child replaced,
    as the value for `Tenant.update`."""
    nav, position = path[0]
    items = [dict(item) for item in top.get(nav) or ()]
    if len(path) == 1:
        items[position] = dict(fields)
    else:
        items[position] = {**items[position], **replace_child(items[position], path[1:], fields)}
    return {nav: items}
