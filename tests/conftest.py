"""Suite-wide fixtures: every test runs with a clean, isolated configuration."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

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
