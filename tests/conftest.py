"""Suite-wide fixtures: every test runs with a clean, isolated configuration."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# Four test processes share two cores, so one example can take a second on a busy
# machine: hypothesis's 200 ms deadline would fail correct code ("unreliable timings").
# Properties are about values, never speed (speed lives in bench/).
settings.register_profile("suite", deadline=None)
settings.load_profile("suite")

_OUR_VARIABLES = ("INTEGRATION_ENCRYPTION_", "MONGODB_URI", "REDIS_URL", "TOOTHPICK_")


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test sees the developer's own settings, `.env` or data directory."""
    for name in list(os.environ):
        if name.startswith(_OUR_VARIABLES):
            monkeypatch.delenv(name, raising=False)
    data_dir = tmp_path / "data"
    monkeypatch.setenv("TOOTHPICK_DATA_DIR", str(data_dir))
    monkeypatch.setenv("TOOTHPICK_ENV", "test")
    monkeypatch.chdir(tmp_path)
    return data_dir


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    """Under `-n N`: every test is its own unit of work, except the browser tests, which
    run on one worker, in order, against one product server.

    (xdist's own `--dist loadgroup` cannot group here: it renames items through an
    attribute pytest 9 no longer reads.)
    """
    from xdist.scheduler import LoadScopeScheduling

    class BrowserTestsTogether(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return "tests/e2e" if nodeid.startswith("tests/e2e/") else nodeid

    return BrowserTestsTogether(config, log)
