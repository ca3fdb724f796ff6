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


def _load(system: str) -> Vendor:
    module_name = KNOWN_SYSTEMS.get(system)
    if module_name is None or not _present(module_name):
        known = ", ".join(available_systems())
        raise ValueError(f"unknown sandbox system {system!r} (available: {known})")
    try:
        vendor = importlib.import_module(module_name).create_vendor()
    except Exception as exc:
        raise ValueError(f"sandbox vendor {system} cannot be loaded: {exc!r}") from exc
    if not isinstance(vendor, Vendor) or vendor.system != system:
        raise ValueError(f"{module_name}.create_vendor() must return the {system} Vendor")
    return vendor


def load_vendors(systems: Iterable[str] | None = None) -> list[Vendor]:
    """One Vendor per requested system (ValueError naming the one that fails), or,
    by default, per present package, skipping (with a warning) any that cannot load
    yet, so one vendor being built does not take the whole sandbox down."""
    if systems is not None:
        return [_load(system) for system in systems]
    vendors: list[Vendor] = []
    for system in available_systems():
        try:
            vendors.append(_load(system))
        except ValueError as exc:
            log.warning("%s; serving the other vendors", exc)
    return vendors
