"""Zoho CRM API simulator (see sandbox/README.md for what is faithful)."""

from sandbox.zoho.vendor import ZohoVendor


def create_vendor() -> ZohoVendor:
    return ZohoVendor()
