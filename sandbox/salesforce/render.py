"""Records as Salesforce writes them: attributes first, then the selected fields in
SELECT order, parent relationships as nested objects (null when absent)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sandbox.core import Entry, Tenant
from sandbox.salesforce.sfschema import SfObject, sf_datetime
from sandbox.salesforce.soql_ast import FieldRef

Column = tuple[str, Any, bool]  # (key, getter, getter is a nested parent)


def column_tree(
    tenant: Tenant, schema: dict[str, SfObject], obj: SfObject, refs: list[FieldRef]
) -> list[Column]:
    """Compile selected field paths into (key, json getter | nested relationship) columns."""
    columns: list[tuple[str, Any]] = []
    nested: dict[str, tuple[str, str, list[FieldRef]]] = {}
    seen: set[str] = set()
    for ref in refs:
        if len(ref.path) == 1:
            name = obj.canonical(ref.path[0])
            if name is not None and name not in seen:
                seen.add(name)
                columns.append((name, obj.json_getter(name)))
            continue
        fk, target = obj.relationships[ref.path[0].lower()]
        rel_key = fk[:-2]
        if rel_key not in nested:
            nested[rel_key] = (fk, target, [])
            columns.append((rel_key, None))
        nested[rel_key][2].append(FieldRef(ref.path[1:], ref.pos))
    resolved: list[Column] = []
    for key, getter in columns:
        if getter is not None:
            resolved.append((key, getter, False))
            continue
        fk, target, sub_refs = nested[key]
        parent = schema[target.lower()]
        sub_columns = column_tree(tenant, schema, parent, sub_refs)
        resolved.append((key, _parent_getter(tenant, obj.getter(fk), parent, sub_columns), True))
    return resolved


def _parent_getter(
    tenant: Tenant, fk_getter: Callable[[Entry], Any], parent: SfObject, columns: list[Column]
) -> Callable[[Entry], Any]:
    def get(entry: Entry, version: str = "59.0") -> Any:
        fk = fk_getter(entry)
        found = tenant.collection(parent.name).get(fk) if fk else None
        if found is None:
            return None
        return render(parent, columns, found, version)

    return get


def render(obj: SfObject, columns: list[Column], entry: Entry, version: str) -> dict[str, Any]:
    record: dict[str, Any] = {"attributes": obj.attributes(version, entry.id)}
    for key, getter, nested in columns:
        record[key] = getter(entry, version) if nested else getter(entry)
    return record


def full_columns(obj: SfObject) -> list[Column]:
    """Every field of the object, as GET /sobjects/{Obj}/{id} returns them."""
    return [(name, obj.json_getter(name), False) for name in obj.fields]


Renderer = Callable[[Entry], dict[str, Any]]


def compile_renderer(obj: SfObject, columns: list[Column], version: str) -> Renderer:
    """One query's record renderer as a single generated dict display.

    Paging through query results is the sandbox's hottest loop; a generated function
    with one literal dict per record is about five times faster than looping over
    column getters. Keys are schema field names (validated identifiers), emitted
    with repr(); nothing from the request text reaches the generated source.
    """
    helpers: list[Any] = []
    parts = []
    for key, getter, nested in columns:
        if nested:
            helpers.append(getter)
            expr = f"_g[{len(helpers) - 1}](e, _v)"
        elif key == "Id":
            expr = "e.id"
        elif key == "IsDeleted":
            expr = "e.deleted_ms is not None"
        elif key == "CreatedDate":
            expr = "_fmt(e.created_ms)"
        elif key in ("LastModifiedDate", "SystemModstamp"):
            expr = "_fmt(e.modified_ms)"
        elif obj.is_stored(key):
            expr = f"f.get({key!r})"
        else:
            helpers.append(getter)
            expr = f"_g[{len(helpers) - 1}](e)"
        parts.append(f"{key!r}: {expr}")
    source = (
        "def _render(e):\n"
        "    f = e.fields\n"
        f"    return {{'attributes': {{'type': {obj.name!r}, 'url': _url + e.id}}, "
        f"{', '.join(parts)}}}\n"
    )
    namespace: dict[str, Any] = {
        "_g": tuple(helpers),
        "_fmt": sf_datetime,
        "_url": f"/services/data/v{version}/sobjects/{obj.name}/",
        "_v": version,
    }
    exec(source, namespace)  # noqa: S102 - generated from schema names only, see docstring
    renderer: Renderer = namespace["_render"]
    return renderer
