"""Entities as SAP Gateway renders them in OData V2 JSON.

A rendered entity carries `__metadata` (id, uri, type and, where the entity
set has one, its weak ETag), every property of its type (derived timestamps
included), and each navigation property either `{"__deferred": {"uri": ...}}`
or, when expanded, `{"results": [...]}`. `api_record` is the same rendering
from a sandbox truth record, so tests compare like with like.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from sandbox.core import Entry, FieldDef, Tenant
from sandbox.sap.catalog import ALL_SETS
from sandbox.sap.compiled import datetimeoffset_etag, getters, uri_safe
from sandbox.sap.edm import EntitySet, Prop
from sandbox.sap.keys import predicate

ODATA_ROOT = "/sap/opu/odata/sap"
_ID_KEYS = frozenset({"Product", "BusinessPartner", "SalesOrder", "SalesQuotation"})  # = entry.id
Expand = Mapping[str, "Expand"]
EVERYTHING: dict[str, Any] = {}


def sets_for(tenant: Tenant) -> dict[str, EntitySet]:
    """The tenant's entity sets: the standard ones plus its YY1_ extension fields."""
    found: dict[str, EntitySet] | None = tenant.schema_cache.get("sap.sets")
    if found is None:
        found = {
            name: entity_set.with_custom(tuple(tenant.custom_fields(name)))
            for name, entity_set in ALL_SETS.items()
        }
        tenant.schema_cache["sap.sets"] = found
    return found


def value_of(prop: Prop, row: Mapping[str, Any], entry: Entry | None) -> Any:
    """A property's stored (neutral) value: derived, inherited from the parent, or stored."""
    if prop.derived is not None and entry is not None:
        return prop.derived(entry)
    if prop.name in row:
        return row[prop.name]
    return _INITIAL.get(prop.edm)  # SAP answers initial values, never an absent property


_INITIAL: dict[str, Any] = {"Edm.String": "", "Edm.Boolean": False, "Edm.Decimal": "0"}


def etag_of(entity_set: EntitySet, row: Mapping[str, Any], entry: Entry | None) -> str | None:
    """SAP's weak ETag: the LastChangeDateTime literal (colons escaped), or the ETag field."""
    if entity_set.etag is None or entry is None:
        return None
    prop = entity_set.prop_index[entity_set.etag]
    value = value_of(prop, row, entry)
    if prop.edm == "Edm.DateTimeOffset":
        return datetimeoffset_etag(int(value))
    return f"W/\"'{value}'\""


@dataclass(frozen=True)
class Renderer:
    base_url: str  # scheme://host of the request, no trailing slash
    sets: Mapping[str, EntitySet]

    def uri(self, entity_set: EntitySet, keys: Mapping[str, str]) -> str:
        path = f"{ODATA_ROOT}/{entity_set.service}/{entity_set.name}{predicate(entity_set, keys)}"
        return self.base_url + (path if uri_safe(path) else quote(path, safe="/()=',_-"))

    def entity(
        self,
        entity_set: EntitySet,
        row: Mapping[str, Any],
        entry: Entry | None,
        *,
        inherited: Mapping[str, str] | None = None,
        expand: Expand = EVERYTHING,
        select: frozenset[str] | None = None,
    ) -> dict[str, Any]:
        values = inherited or {}
        if entry is not None and len(entity_set.keys) == 1 and not values:
            keys = {
                entity_set.keys[0]: entry.id
                if entity_set.keys[0] in _ID_KEYS
                else str(row.get(entity_set.keys[0]))
            }
        else:
            keys = {
                k: str(values[k] if k in values else value_of(entity_set.prop_index[k], row, entry))
                for k in entity_set.keys
            }
        uri = self.uri(entity_set, keys)
        meta: dict[str, Any] = {"id": uri, "uri": uri, "type": entity_set.qualified_type}
        etag = etag_of(entity_set, row, entry)
        if etag is not None:
            meta["etag"] = etag
        out: dict[str, Any] = {"__metadata": meta}
        for name, get in getters(entity_set):
            if select is None or name in select:
                out[name] = get(row, entry, values)
        for nav in entity_set.navs:
            if select is not None and nav.name not in select and nav.name not in expand:
                continue
            if nav.name in expand:
                target = self.sets[nav.target]
                passed = {child: keys[parent] for child, parent in target.parent_key}
                children = row.get(nav.name) or []
                out[nav.name] = {
                    "results": [
                        self.entity(target, child, None, inherited=passed, expand=expand[nav.name])
                        for child in children
                    ]
                }
            else:
                out[nav.name] = {"__deferred": {"uri": f"{uri}/{nav.name}"}}
        return out


def parse_expand(text: str | None) -> dict[str, Any]:
    """`to_Item,to_BusinessPartnerAddress/to_EmailAddress` as a tree of names."""
    tree: dict[str, Any] = {}
    for path in (part.strip() for part in (text or "").split(",")):
        if not path:
            continue
        node = tree
        for step in path.split("/"):
            node = node.setdefault(step.strip(), {})
    return tree


def full_expand(entity_set: EntitySet, sets: Mapping[str, EntitySet]) -> dict[str, Any]:
    return {nav.name: full_expand(sets[nav.target], sets) for nav in entity_set.navs}


def api_record(
    object_name: str,
    fields: Mapping[str, Any],
    *,
    created_ms: int,
    modified_ms: int,
    record_id: str,
    custom_fields: Sequence[FieldDef] = (),
    base_url: str = "http://sandbox",
) -> dict[str, Any]:
    """A stored record rendered as the list endpoint returns it with every navigation
    expanded (for tests comparing the API with the sandbox's truth)."""
    entity_set = ALL_SETS[object_name]
    entry = Entry(0, record_id, dict(fields), created_ms, modified_ms)
    entity_set = entity_set.with_custom(tuple(custom_fields))
    renderer = Renderer(base_url, ALL_SETS)
    return renderer.entity(entity_set, fields, entry, expand=full_expand(entity_set, ALL_SETS))
