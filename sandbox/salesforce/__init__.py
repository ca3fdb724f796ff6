"""Salesforce REST API simulator (see sandbox/README.md for what is faithful)."""

from sandbox.salesforce.vendor import SalesforceVendor


def create_vendor() -> SalesforceVendor:
    return SalesforceVendor()
