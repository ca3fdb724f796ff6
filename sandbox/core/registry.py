"""Which vendor packages exist. Each is imported only if its package is present,
so engineers adding a vendor never need to edit this file."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterable
from importlib.util import find_spec

from sandbox.core.vendor import Vendor

log = logging.getLogger(__name__)

KNOWN_SYSTEMS: dict[str, str] = {
    "salesforce": "sandbox.salesforce",
    "hubspot": "sandbox.hubspot",
    "zoho": "sandbox.zoho",
    "pipedrive": "sandbox.pipedrive",
    "odoo": "sandbox.odoo",
    "sap": "sandbox.sap",
    "oracle": "sandbox.oracle",
}


def _present(module: str) -> bool:
    """A regular package: a folder without __init__.py yet (a vendor being written) is a
    namespace package, which has no origin and no create_vendor."""
    spec = find_spec(module)
    return spec is not None and spec.origin is not None


def available_systems() -> list[str]:
    return [system for system, module in KNOWN_SYSTEMS.items() if _present(module)]


def load_vendors(systems: Iterable[str] | None = None) -> list[Vendor]:
    """Create one Vendor per requested (default: every present) system package."""
    wanted = list(systems) if systems is not None else available_systems()
    vendors: list[Vendor] = []
    for system in wanted:
        module_name = KNOWN_SYSTEMS.get(system)
        if module_name is None or not _present(module_name):
            known = ", ".join(available_systems())
            raise ValueError(f"unknown sandbox system {system!r} (available: {known})")
        module = importlib.import_module(module_name)
        vendor = module.create_vendor()
        if not isinstance(vendor, Vendor) or vendor.system != system:
            raise TypeError(f"{module_name}.create_vendor() must return the {system} Vendor")
        vendors.append(vendor)
    return vendors
