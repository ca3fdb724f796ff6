"""Reading write bodies the way SAP Gateway does: property by property against the
entity type, with deep-insert navigations on create and none on update.

Read-only properties (sap:creatable/updatable false) are ignored, as Gateway
ignores them; unknown properties, values of the wrong type and navigations in
an update are refused with SAP's 400.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sandbox.sap.edm import EntitySet, from_json
from sandbox.sap.errors import BAD_PAYLOAD, fail


def _children(value: Any, where: Mapping[str, str], nav: str) -> list[Any]:
    if isinstance(value, dict) and isinstance(value.get("results"), list):
        return list(value["results"])
    if isinstance(value, list):
        return value
    raise fail(400, BAD_PAYLOAD, f"Deep insert of {nav} needs a list of entities", **where)


def read_body(
    body: Any,
    entity_set: EntitySet,
    sets: Mapping[str, EntitySet],
    where: Mapping[str, str],
    *,
    creating: bool,
) -> dict[str, Any]:
    """The stored fields a create or update body asks for (navigations as lists)."""
    if not isinstance(body, dict):
        raise fail(400, BAD_PAYLOAD, "The request body must be a JSON object", **where)
    fields: dict[str, Any] = {}
    for name, value in body.items():
        if name == "__metadata":
            continue
        prop = entity_set.prop_index.get(name)
        if prop is not None:
            allowed = prop.creatable if creating else prop.updatable
            if not allowed or prop.derived is not None:
                continue
            try:
                fields[name] = from_json(prop, value)
            except ValueError as exc:
                raise fail(400, BAD_PAYLOAD, str(exc), target=name, **where) from None
            continue
        nav = entity_set.nav(name)
        if nav is None:
            raise fail(
                400,
                BAD_PAYLOAD,
                f"Property '{name}' is invalid for type {entity_set.type_name}",
                target=name,
                **where,
            )
        if not creating:
            raise fail(
                400,
                BAD_PAYLOAD,
                f"Deep update via navigation property {name} is not supported",
                target=name,
                **where,
            )
        target = sets[nav.target]
        fields[name] = [
            read_body(child, target, sets, where, creating=True)
            for child in _children(value, where, name)
        ]
    return fields


def require(fields: Mapping[str, Any], names: tuple[str, ...], where: Mapping[str, str]) -> None:
    for name in names:
        if not fields.get(name):
            raise fail(400, BAD_PAYLOAD, f"Enter a value for field {name}", target=name, **where)
