"""The production sign-in with the hub's own users (AppTest, the real entry point)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.models import Role
from core.schemas import UserCreate
from core.service import IntegrationService
from core.settings import load_settings
from core.vault import generate_key
from tests.ui.conftest import APP, _forget_caches, texts


@pytest.fixture
def production(isolated_environment: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TOOTHPICK_ENV", "production")
    monkeypatch.setenv("INTEGRATION_ENCRYPTION_KEY", generate_key())
    service = IntegrationService.open(load_settings())
    try:
        org = service.settings.organisation
        form = UserCreate(username="ana", password="correct horse battery", role=Role.VIEWER)
        service.access.create_user(org, form)
        other = UserCreate(username="eve", password="correct horse battery", role=Role.ADMIN)
        service.access.create_user("globex", other)
    finally:
        service.close()
    _forget_caches()
    yield
    _forget_caches()


def _sign_in(at: AppTest, username: str, password: str) -> AppTest:
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(password)
    return at.button[0].click().run()


@pytest.mark.usefixtures("production")
def test_production_asks_for_a_sign_in_and_refuses_wrong_ones() -> None:
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    assert at.title[0].value == "ToothPick Integration Hub"
    assert "Overview" not in [t.value for t in at.title]
    _sign_in(at, "ana", "not the password")
    assert "Wrong user name or password." in texts(at)
    _sign_in(at, "eve", "correct horse battery")  # another organisation's user
    assert "Wrong user name or password." in texts(at)
    _sign_in(at, "ana", "correct horse battery")
    assert not at.exception
    assert at.title[0].value == "Overview"


def test_development_needs_no_sign_in(isolated_environment: Path) -> None:
    _forget_caches()
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception and at.title[0].value == "Overview"
    _forget_caches()
