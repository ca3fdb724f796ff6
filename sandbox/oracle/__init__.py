"""Oracle Fusion Cloud ERP/SCM and Sales REST simulator (see sandbox/README.md)."""

from __future__ import annotations

from sandbox.oracle.vendor import OracleVendor


def create_vendor() -> OracleVendor:
    return OracleVendor()
