"""Dotted paths into vendor JSON: `properties.email`, `Account.Name`, `d.results`, `items.0.id`.

>>> dig({"paging": {"next": {"after": "a1"}}}, "paging.next.after")
'a1'
>>> put({}, "properties.email", "x@y.z")
{'properties': {'email': 'x@y.z'}}
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

MISSING: Any = object()


def dig(data: Any, path: str, default: Any = None) -> Any:
    """The value at `path` ("" is the whole document), or `default` when any step is absent."""
    if not path:
        return data
    if data.__class__ is dict and "." not in path:
        return data.get(path, default)  # the common case, on every field of every record
    current = data
    for step in path.split("."):
        if current.__class__ is dict or isinstance(current, Mapping):
            if step not in current:
                return default
            current = current[step]
        elif isinstance(current, list) and step.isdigit() and int(step) < len(current):
            current = current[int(step)]
        else:
            return default
    return current


def digger(path: str) -> Callable[[Any, Any], Any]:
    """`dig` for one path, split once: `digger(path)(data, default) == dig(data, path, default)`.

    Field maps and entity specs read the same few paths from every record of a sync;
    splitting the path and testing each step's kind again per record cost more than
    the lookups themselves (HubSpot's `properties.*`, SAP's `to_Description.results.0.*`).

    >>> digger("paging.next.after")({"paging": {"next": {"after": "a1"}}}, None)
    'a1'
    """
    if not path:
        return lambda data, default: data
    if "." not in path:

        def key(data: Any, default: Any) -> Any:
            if data.__class__ is dict:
                return data.get(path, default)
            return dig(data, path, default)

        return key
    steps = tuple(path.split("."))

    def walk(data: Any, default: Any) -> Any:  # dig's loop, over the steps split once
        current = data
        for step in steps:
            if current.__class__ is dict:  # the common case: decoded JSON
                current = current.get(step, MISSING)
                if current is MISSING:
                    return default
            elif isinstance(current, Mapping):
                if step not in current:
                    return default
                current = current[step]
            elif isinstance(current, list) and step.isdigit() and int(step) < len(current):
                current = current[int(step)]
            else:
                return default
        return current

    return walk


def has(data: Any, path: str) -> bool:
    return dig(data, path, MISSING) is not MISSING


def put(target: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """Set `path` in `target`, creating the nested dicts on the way; returns `target`."""
    steps = path.split(".")
    current = target
    for step in steps[:-1]:
        nxt = current.get(step)
        if not isinstance(nxt, dict):
            nxt = current[step] = {}
        current = nxt
    current[steps[-1]] = value
    return target


def dig_count(data: Any, path: str) -> int | None:
    """A count at `path`: an integer, or digits as OData V2 sends `__count`; None otherwise.

    >>> dig_count({"d": {"__count": "1250"}}, "d.__count"), dig_count({"total": True}, "total")
    (1250, None)
    """
    value = dig(data, path)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    return None
