"""HubSpot CRM API v3 simulator (see sandbox/README.md for what is faithful)."""

from sandbox.hubspot.vendor import HubSpotVendor


def create_vendor() -> HubSpotVendor:
    return HubSpotVendor()
