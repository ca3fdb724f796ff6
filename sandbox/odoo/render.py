"""Records as `read`/`search_read` return them: every requested field, empty ones False.

Odoo never sends null: an unset char, date or many2one is `False`, an unset number
0. A many2one is `[id, display_name]` (or the bare id with `load=None` /
`'_classic_write'`, as OdooRPC asks), a one2many the list of ids, datetimes
"YYYY-MM-DD HH:MM:SS" in UTC. Rendering is the simulator's hottest loop, so a
read compiles one small getter per requested field, once per request.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sandbox.core import Entry
from sandbox.odoo.db import OdooDb
from sandbox.odoo.errors import server_error
from sandbox.odoo.meta import OField
from sandbox.odoo.values import iso_to_odoo, ms_text

LOADS = (None, False, "_classic_read", "_classic_write")
Getter = Callable[[Entry], Any]
Renderer = Callable[[Entry], dict[str, Any]]


def read_fields(db: OdooDb, model: str, fields: Any) -> list[OField]:
    """The fields a read asks for (all of them for None/[]); Odoo's error for unknown ones."""
    meta = db.models[model]
    if fields is None or fields is False or fields == []:
        return list(meta.fields.values())
    if isinstance(fields, str):
        fields = [fields]
    if not isinstance(fields, list | tuple):
        raise server_error(
            f"fields must be a list of field names, got {fields!r}", "builtins.TypeError"
        )
    chosen = [meta.fields["id"]]
    for name in fields:
        found = meta.fields.get(name) if isinstance(name, str) else None
        if found is None:
            raise server_error(f"Invalid field {name!r} on model {model!r}")
        if found.name != "id":
            chosen.append(found)
    return chosen


def renderer(
    db: OdooDb, model: str, fields: Sequence[OField], load: Any = "_classic_read"
) -> Renderer:
    """One read's renderer, generated as a single function returning a literal dict.

    Paging is the simulator's hottest loop and a literal dict is about twice as fast
    as looping over getters. Keys are field names from the model's metadata (Odoo
    identifiers, custom ones validated as `x_` names) emitted with repr(); values
    are plain lookups or calls of the getters below; no request text reaches the
    generated source.
    """
    names = load == "_classic_read"
    helpers: list[Getter] = []
    parts = []
    for f in fields:
        if f.store and f.type in _PLAIN and f.name not in _SPECIAL:
            expr = _PLAIN[f.type].format(repr(f.name))
        else:
            helpers.append(_getter(db, model, f, names))
            expr = f"_g[{len(helpers) - 1}](e)"
        parts.append(f"{f.name!r}: {expr}")
    source = f"def _render(e):\n    f = e.fields\n    return {{{', '.join(parts)}}}\n"
    namespace: dict[str, Any] = {"_g": tuple(helpers)}
    exec(source, namespace)  # noqa: S102 - built from metadata names only, see docstring
    render: Renderer = namespace["_render"]
    return render


_PLAIN = {
    "char": "f.get({0}) or False",
    "text": "f.get({0}) or False",
    "html": "f.get({0}) or False",
    "selection": "f.get({0}) or False",
    "date": "f.get({0}) or False",
    "boolean": "bool(f.get({0}))",
    "integer": "int(f.get({0}) or 0)",
    "float": "float(f.get({0}) or 0.0)",
    "monetary": "float(f.get({0}) or 0.0)",
}
_SPECIAL = frozenset({"id", "write_date", "create_date", "complete_name"})


def _getter(db: OdooDb, model: str, field: OField, names: bool) -> Getter:
    kind, name = field.type, field.name
    if name == "id":
        return lambda e: int(e.id)
    if name == "write_date":
        return lambda e: ms_text(e.modified_ms)
    if name == "create_date":
        return lambda e: ms_text(e.created_ms)
    if kind == "many2one":
        relation = field.relation or ""
        computed = name in ("create_uid", "write_uid") or not field.store

        pairs: dict[Any, Any] = {}  # one [id, name] per linked record and read

        def many2one(e: Entry) -> Any:
            value = db.value(model, e, name) if computed else e.fields.get(name)
            if not value:
                return False
            if not names:
                return int(value)
            found = pairs.get(value)
            if found is None:
                label = db.display_of(relation, value)
                found = pairs[value] = [int(value), label] if label is not None else False
            return found

        return many2one
    if kind in ("one2many", "many2many") or not field.store or name == "complete_name":
        return _computed(db, model, name, kind)
    if kind == "boolean":
        return lambda e: bool(e.fields.get(name))
    if kind == "integer":
        return lambda e: int(e.fields.get(name) or 0)
    if kind in ("float", "monetary"):
        return lambda e: float(e.fields.get(name) or 0.0)
    if kind == "datetime":
        return lambda e: _datetime(e.fields.get(name))
    return lambda e: e.fields.get(name) or False


def _computed(db: OdooDb, model: str, name: str, kind: str) -> Getter:
    def get(e: Entry) -> Any:
        value = db.value(model, e, name)
        if kind in ("one2many", "many2many"):
            return list(value or [])
        if kind in ("float", "monetary"):
            return float(value or 0.0)
        return value if value not in (None, "") else False

    return get


def _datetime(value: Any) -> Any:
    if not value:
        return False
    return iso_to_odoo(value) if isinstance(value, str) else value
