"""Fixtures for the adapter tests: a fake clock and a scripted local HTTP server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.adapters.fakes import FakeClock
from tests.adapters.server import ScriptedServer


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as running:
        yield running
