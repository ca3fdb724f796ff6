"""What Odoo's `fields_get` says of a model: the names a field map may use, the custom ones.

Kept apart from the adapter's reads and writes: it is the one place the adapter asks
a model's metadata. Custom fields are the `x_` ones (Odoo requires the prefix on
fields made in its interface, Studio's included); `readonly` says whether the hub may
write one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from adapters.base import VendorField
from adapters.spec import EntitySpec

if TYPE_CHECKING:
    from adapters.odoo import OdooAdapter


def field_names(adapter: OdooAdapter, spec: EntitySpec) -> set[str]:
    described = adapter.orm.call(spec.vendor_object, "fields_get", params={"attributes": ["type"]})
    return set(described) if isinstance(described, dict) else set()


def custom_fields(adapter: OdooAdapter, spec: EntitySpec) -> list[VendorField]:
    described = adapter.orm.call(
        spec.vendor_object, "fields_get", params={"attributes": ["string", "type", "readonly"]}
    )
    return [
        VendorField(
            name,
            str(info.get("string") or name),
            str(info.get("type")),
            True,
            not info.get("readonly"),
        )
        for name, info in (described or {}).items()
        if name.startswith("x_") and isinstance(info, dict)
    ]
