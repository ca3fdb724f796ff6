from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from core.errors import ConfigError
from core.keys import load_key_ring
from core.settings import Environment, load_settings
from core.vault import generate_key

ROOT = Path(__file__).resolve().parents[2]


def test_defaults_match_the_issue(isolated_environment: Path) -> None:
    settings = load_settings()
    assert settings.log_retention_days == 90
    assert settings.sync_interval_hours == 6
    assert settings.data_dir == isolated_environment
    assert settings.mongodb_uri is None and settings.redis_url is None


def test_seed_variable_names_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    key = generate_key()
    monkeypatch.setenv("INTEGRATION_ENCRYPTION_KEY", key)
    monkeypatch.setenv("MONGODB_URI", "mongodb://db.example:27017")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    settings = load_settings()
    assert settings.encryption_key is not None and settings.encryption_key.get_secret_value() == key
    assert settings.mongodb_uri is not None and settings.redis_url is not None


def test_dotenv_file_is_read(isolated_environment: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TOOTHPICK_ENV")
    Path(".env").write_text("TOOTHPICK_LOG_RETENTION_DAYS=30\nTOOTHPICK_ENV=production\n")
    settings = load_settings()
    assert settings.log_retention_days == 30
    assert settings.environment is Environment.PRODUCTION


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("TOOTHPICK_LOG_RETENTION_DAYS", "ninety"),
        ("TOOTHPICK_LOG_RETENTION_DAYS", "0"),
        ("TOOTHPICK_SYNC_INTERVAL_HOURS", "-2"),
        ("TOOTHPICK_ENV", "staging"),
        ("MONGODB_URI", "http://not-mongo"),
        ("REDIS_URL", "localhost:6379"),
        ("TOOTHPICK_ORGANISATION", "Bad Org!"),
    ],
)
def test_invalid_setting_is_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as error:
        load_settings()
    message = str(error.value)
    assert variable in message and "\n" not in message


def test_a_retired_setting_is_refused_naming_the_one_that_replaced_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TOOTHPICK_PAGES_BUFFERED", "32")
    with pytest.raises(ConfigError, match=r"TOOTHPICK_PAGES_BUFFERED.*TOOTHPICK_RECORDS_BUFFERED"):
        load_settings()


def test_development_key_is_generated_once_with_0600(isolated_environment: Path) -> None:
    settings = load_settings()
    first = load_key_ring(settings)
    path = settings.development_key_path
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    second = load_key_ring(settings)
    assert first.current.key_id == second.current.key_id


def test_production_refuses_to_start_without_a_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOOTHPICK_ENV", "production")
    with pytest.raises(ConfigError, match="toothpick generate-key"):
        load_key_ring(load_settings())


def test_production_refuses_the_seed_placeholder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOOTHPICK_ENV", "production")
    monkeypatch.setenv("INTEGRATION_ENCRYPTION_KEY", "your-32-character-key-here")
    with pytest.raises(ConfigError, match="placeholder"):
        load_key_ring(load_settings())


def test_cli_reports_a_bad_setting_in_one_line_without_traceback(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOOTHPICK_")}
    env.update(TOOTHPICK_LOG_RETENTION_DAYS="abc", TOOTHPICK_DATA_DIR=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "-c", "from core.cli import main; main(['config'])"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == [lines[0]] and "TOOTHPICK_LOG_RETENTION_DAYS" in lines[0]
