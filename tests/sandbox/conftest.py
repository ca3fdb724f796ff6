"""One sandbox per test session (in a thread, on free ports); faults, webhooks and
statistics are cleared after every test so tests stay independent."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox.testing import RunningSandbox, run_sandbox


@pytest.fixture(scope="session")
def running_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSandbox]:
    data_dir: Path = tmp_path_factory.mktemp("sandbox-data")
    with run_sandbox(data_dir=data_dir) as sandbox:
        yield sandbox


@pytest.fixture
def sandbox(running_sandbox: RunningSandbox) -> Iterator[RunningSandbox]:
    control = running_sandbox.control
    control.clear_faults()
    control.reset_stats()
    yield running_sandbox
    control.clear_faults()
    control.reset_stats()
    for system, info in control.info()["systems"].items():
        for tenant in info["tenants"]:
            control.clear_webhooks(system, tenant)
