"""One sandbox per test session (in a thread, on free ports); faults, webhooks and
statistics are cleared after every test so tests stay independent.

Every vendor package that loads is served; one that does not (being built, say) is
left out with a warning instead of breaking every other vendor's tests.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox.core.registry import available_systems, load_vendors
from sandbox.testing import RunningSandbox, run_sandbox


def _loadable_systems() -> tuple[str, ...]:
    loaded = []
    for system in available_systems():
        try:
            load_vendors([system])
        except ValueError as exc:  # a half-built package must not break the others
            warnings.warn(f"sandbox vendor {system} not loaded: {exc!r}", stacklevel=1)
        else:
            loaded.append(system)
    return tuple(loaded)


SYSTEMS = _loadable_systems()


@pytest.fixture(scope="session")
def running_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSandbox]:
    data_dir: Path = tmp_path_factory.mktemp("sandbox-data")
    with run_sandbox(data_dir=data_dir, systems=SYSTEMS) as sandbox:
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
