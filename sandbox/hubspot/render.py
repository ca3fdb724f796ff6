"""Records as HubSpot returns them: {id, properties (strings), createdAt, updatedAt,
archived[, archivedAt]}, with the properties a request asked for (unknown names are
ignored, as HubSpot does) or the object type's defaults."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from sandbox.core import Collection, Entry
from sandbox.core.timefmt import iso_z
from sandbox.hubspot.schema import MODIFIED_NAMES, TYPES, TypeInfo

Renderer = Callable[[Entry], dict[str, Any]]


iso = iso_z  # 2024-01-31T10:00:00.123Z, HubSpot's timestamps


def as_string(value: Any) -> str | None:
    """HubSpot sends every property value as a string."""
    if value is None or value.__class__ is str:
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def property_names(collection: Collection, info: TypeInfo) -> set[str]:
    return {f.name for f in collection.fields} | {"hs_object_id", info.created, info.modified}


def wanted_properties(
    collection: Collection, object_type: str, requested: list[str] | None
) -> list[str]:
    info = TYPES[object_type]
    known = property_names(collection, info)
    names = [n for n in requested if n in known] if requested else list(info.defaults)
    for system in (info.created, info.modified, "hs_object_id"):
        if system not in names:
            names.append(system)
    return sorted(dict.fromkeys(names))


def compile_renderer(collection: Collection, object_type: str, names: list[str]) -> Renderer:
    """A renderer for one property list (cached per type, names and custom names)."""
    custom = tuple(sorted(f.name for f in collection.custom_fields))
    return _compiled(object_type, tuple(names), custom)


@lru_cache(maxsize=512)
def _compiled(object_type: str, names: tuple[str, ...], custom: tuple[str, ...]) -> Renderer:
    """A generated dict display, because listing and searching render every record
    and a loop over getters costs several times more. Property names are schema
    names emitted with repr(); nothing from the request reaches the source."""
    info = TYPES[object_type]
    parts = []
    for name in names:
        if name == "hs_object_id":
            expr = "e.id"
        elif name == info.created:
            expr = "c"
        elif name in MODIFIED_NAMES:
            expr = "m"
        elif name in custom:
            expr = f"_s(f.get({name!r}))"
        else:
            expr = f"f.get({name!r})"
        parts.append(f"{name!r}: {expr}")
    source = (
        "def _render(e):\n"
        "    f = e.fields\n"
        "    c = _iso(e.created_ms)\n"
        "    m = _iso(e.modified_ms)\n"
        f"    p = {{{', '.join(parts)}}}\n"
        "    out = {'id': e.id, 'properties': p, 'createdAt': c, 'updatedAt': m,"
        " 'archived': e.deleted_ms is not None}\n"
        "    if e.deleted_ms is not None:\n"
        "        out['archivedAt'] = _iso(e.deleted_ms)\n"
        "    return out\n"
    )
    namespace: dict[str, Any] = {"_iso": iso, "_s": as_string}
    exec(source, namespace)  # noqa: S102 - generated from schema names only, see docstring
    renderer: Renderer = namespace["_render"]
    return renderer


def requested_properties(values: list[str]) -> list[str] | None:
    """`properties=a,b&properties=c` -> [a, b, c]; None when absent."""
    names = [part.strip() for value in values for part in value.split(",") if part.strip()]
    return names or None
