"""Production is safe by default: no demo data and no sandbox there, `toothpick up`
refuses to announce a dashboard it could not start, and every bad setting or input is
one line naming it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.errors import ConfigError
from core.models import Role, System
from core.schemas import UserCreate
from core.service import IntegrationService
from core.settings import load_settings
from core.vault import generate_key
from tests.core.test_cli_text import toothpick

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOOTHPICK_ENV", "production")
    monkeypatch.setenv("INTEGRATION_ENCRYPTION_KEY", generate_key())


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _up(env: dict[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    ports = {f"TOOTHPICK_{n}_PORT": str(_free_port()) for n in ("SANDBOX", "SANDBOX_TLS")}
    return subprocess.run(
        [sys.executable, "-c", "from core.cli import main; main()", "up", *args],
        cwd=ROOT, env={**os.environ, **ports, **env}, capture_output=True, text=True,
        timeout=timeout, check=False,
    )  # fmt: skip


def test_demo_seeding_is_refused_in_production(
    production: None, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = toothpick(capsys, "demo", "seed")
    assert code == 2 and out == ""
    assert err.strip() == (
        "toothpick: The demo organisation is not available in production "
        "(TOOTHPICK_ENV=production)."
    )
    service = IntegrationService.open(load_settings())
    try:
        with pytest.raises(ConfigError, match="production"):
            service.admin.seed_demo("toothpick")
        assert service.connections.list_connections("toothpick") == []
        assert service.admin.sandbox_preset(System.HUBSPOT) == {}
    finally:
        service.close()


def test_the_sandbox_is_refused_in_production(
    production: None, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = toothpick(capsys, "sandbox", "--port", "0", "--no-tls")
    assert code == 2
    assert err.strip().splitlines() == [
        "toothpick: The vendor sandbox is not available in production (TOOTHPICK_ENV=production)."
    ]


def test_the_demo_page_offers_no_demo_in_production(
    production: None, isolated_environment: Path
) -> None:
    service = IntegrationService.open(load_settings())
    try:
        service.access.create_user(
            "toothpick", UserCreate(username="ana", password="a long password", role=Role.ADMIN)
        )
    finally:
        service.close()
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=30).run()
    assert "Integrations demo" not in [t.value for t in at.title]  # the sign-in form first
    at.text_input(key="login_username").input("ana")
    at.text_input(key="login_password").input("a long password")
    at = at.button[0].click().run()
    at.switch_page("pages/demo.py").run()
    assert not at.exception and at.title[0].value == "Integrations demo"
    assert not [b for b in at.button if b.label == "Load the demo connections"]


def test_up_with_a_fatal_configuration_error_starts_nothing(tmp_path: Path) -> None:
    result = _up({"TOOTHPICK_ENV": "production", "TOOTHPICK_DATA_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "Dashboard:" not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("toothpick: INTEGRATION_ENCRYPTION_KEY: required in production")


def test_up_stops_and_fails_when_the_dashboard_cannot_start(tmp_path: Path) -> None:
    with socket.socket() as taken:  # someone else holds the dashboard's port
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        result = _up(
            {"TOOTHPICK_ENV": "development", "TOOTHPICK_DATA_DIR": str(tmp_path),
             "TOOTHPICK_DASHBOARD_PORT": port},
            "--no-demo", "--no-sandbox",
        )  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Dashboard:" not in result.stdout
    assert "The dashboard could not start" in result.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [("TOOTHPICK_LOG_RETENTION_DAYS", "ninety"), ("TOOTHPICK_ORGANISATION", "Not Valid!")],
)
def test_a_bad_setting_is_one_line_naming_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    code, _out, err = toothpick(capsys, "connections", "list")
    assert code == 2
    [line] = err.strip().splitlines()
    assert line.startswith(f"toothpick: Invalid setting {variable}:"), line
