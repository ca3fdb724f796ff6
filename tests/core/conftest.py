"""Service-level fixtures: a real service on a SQLite file, with the memory vendor served
as HubSpot behind the real adapter registry."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from core.models import Entity
from core.service import IntegrationService
from tests.core.service_support import TOKEN
from tests.support.memory_vendor import MemoryVendor, memory_system


@pytest.fixture
def vendor() -> MemoryVendor:
    vendor = MemoryVendor()
    for n in range(1, 8):
        vendor.put(Entity.CONTACT, f"c{n}", {"first_name": f"F{n}", "last_name": f"L{n}"})
    return vendor


@pytest.fixture
def service(vendor: MemoryVendor) -> Iterator[IntegrationService]:
    with memory_system(vendor, valid_token=TOKEN):
        opened = IntegrationService.open()
        try:
            yield opened
        finally:
            opened.close()
