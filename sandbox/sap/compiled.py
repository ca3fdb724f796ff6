"""Per-property JSON getters, built once per entity set, for rendering pages fast.

Rendering is the simulator's hot path (a bench pages 100,000 products), so each
property gets one small function that turns a stored value into SAP's JSON
with no type dispatch at render time, and stored decimals already written at
the property's scale pass through untouched.
"""

from __future__ import annotations

import re
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any

from sandbox.core import Entry
from sandbox.sap.edm import EntitySet, Prop, decimal_text, ms_of_date, to_json

Getter = Callable[[Mapping[str, Any], Entry | None, Mapping[str, str]], Any]
_CACHE: OrderedDict[int, tuple[EntitySet, tuple[tuple[str, Getter], ...]]] = OrderedDict()
_INITIAL: dict[str, Any] = {"Edm.String": "", "Edm.Boolean": False, "Edm.Decimal": "0"}
_URI_SAFE = re.compile(r"[A-Za-z0-9_\-.'(),=/]*")


def _json(prop: Prop) -> Callable[[Any], Any] | None:
    """The stored -> JSON conversion of a property, or None when the value is already JSON."""
    edm, scale = prop.edm, prop.scale
    if edm == "Edm.DateTime":
        return lambda v: (
            None if v is None else f"/Date({v if isinstance(v, int) else ms_of_date(v)})/"
        )
    if edm == "Edm.Decimal":

        def decimal(value: Any) -> Any:
            if isinstance(value, str) and scale is not None:
                dot = value.find(".")
                if (dot < 0 and scale == 0) or (dot >= 0 and len(value) - dot - 1 == scale):
                    return value
            return None if value is None else decimal_text(value, scale)

        return decimal
    if edm in ("Edm.DateTimeOffset", "Edm.Time"):
        return lambda v: to_json(prop, v)
    return None


def _getter(prop: Prop, inherited: bool) -> Getter:
    name, derived, convert = prop.name, prop.derived, _json(prop)
    initial = _INITIAL.get(prop.edm)
    if derived is not None:
        if convert is None:
            return lambda row, entry, inh: (
                derived(entry) if entry is not None else row.get(name, initial)
            )
        return lambda row, entry, inh: convert(
            derived(entry) if entry is not None else row.get(name)
        )
    if inherited:
        return lambda row, entry, inh: inh[name] if name in inh else row.get(name, initial)
    if convert is None:
        return lambda row, entry, inh: row.get(name, initial)
    return lambda row, entry, inh: convert(row.get(name, initial))


def getters(entity_set: EntitySet) -> tuple[tuple[str, Getter], ...]:
    """(property, getter) for every property of the set, in $metadata order."""
    found = _CACHE.get(id(entity_set))
    if found is not None and found[0] is entity_set:
        return found[1]
    passed = {child for child, _parent in entity_set.parent_key}
    built = tuple((p.name, _getter(p, p.name in passed)) for p in entity_set.props)
    _CACHE[id(entity_set)] = (entity_set, built)  # holding the set keeps its id unique
    while len(_CACHE) > 512:
        _CACHE.popitem(last=False)
    return built


def datetimeoffset_etag(ms: int) -> str:
    """`W/"datetimeoffset'2024-01-31T10%3A00%3A00.1230000Z'"` (SAP's ETag of a timestamp)."""
    t = time.gmtime(ms // 1000)
    stamp = (
        f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}T{t.tm_hour:02d}%3A{t.tm_min:02d}"
        f"%3A{t.tm_sec:02d}.{ms % 1000:03d}0000Z"
    )
    return f"W/\"datetimeoffset'{stamp}'\""


def uri_safe(text: str) -> bool:
    return _URI_SAFE.fullmatch(text) is not None
