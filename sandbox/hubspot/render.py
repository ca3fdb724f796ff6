"""Records as HubSpot returns them: {id, properties (strings), createdAt, updatedAt,
archived[, archivedAt]}, with the properties a request asked for (unknown names are
ignored, as HubSpot does) or the object type's defaults."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from sandbox.core import Collection, Entry
from sandbox.hubspot.schema import MODIFIED_NAMES, TYPES, TypeInfo

Renderer = Callable[[Entry], dict[str, Any]]


@lru_cache(maxsize=4096)
def _day(days: int) -> str:
    t = time.gmtime(days * 86_400)
    return f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}T"


def iso(ms: int) -> str:
    """2024-01-31T10:00:00.123Z (HubSpot's timestamps)."""
    days, rest = divmod(ms, 86_400_000)
    seconds, millis = divmod(rest, 1000)
    minutes, second = divmod(seconds, 60)
    hour, minute = divmod(minutes, 60)
    return f"{_day(days)}{hour:02d}:{minute:02d}:{second:02d}.{millis:03d}Z"


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
    """A renderer for one property list: a generated dict display, because listing and
    searching render every record and a loop over getters costs several times more.
    Property names are schema names emitted with repr(); nothing from requests."""
    info = TYPES[object_type]
    custom = {f.name for f in collection.custom_fields}
    parts = []
    for name in names:
        if name == "hs_object_id":
            expr = "e.id"
        elif name == info.created:
            expr = "_iso(e.created_ms)"
        elif name in MODIFIED_NAMES:
            expr = "_iso(e.modified_ms)"
        elif name in custom:
            expr = f"_s(f.get({name!r}))"
        else:
            expr = f"f.get({name!r})"
        parts.append(f"{name!r}: {expr}")
    source = (
        "def _render(e):\n"
        "    f = e.fields\n"
        f"    p = {{{', '.join(parts)}}}\n"
        "    out = {'id': e.id, 'properties': p, 'createdAt': _iso(e.created_ms),"
        " 'updatedAt': _iso(e.modified_ms), 'archived': e.deleted_ms is not None}\n"
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
