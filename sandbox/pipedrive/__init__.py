"""Pipedrive API simulator (see sandbox/README.md for what is faithful)."""

from sandbox.pipedrive.vendor import PipedriveVendor


def create_vendor() -> PipedriveVendor:
    return PipedriveVendor()
