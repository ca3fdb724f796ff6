"""Odoo external API simulator (see sandbox/README.md for what is faithful)."""

from sandbox.odoo.vendor import OdooVendor


def create_vendor() -> OdooVendor:
    return OdooVendor()
