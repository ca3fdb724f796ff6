"""SAP S/4HANA Cloud OData V2 simulator (see sandbox/README.md for what is faithful)."""

from __future__ import annotations

from typing import Any


def create_vendor() -> Any:
    from sandbox.sap.vendor import SapVendor

    return SapVendor()
