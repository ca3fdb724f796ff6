"""The production sign-in in chromium: a dashboard started with TOOTHPICK_ENV=production
and two built-in users (an admin and a viewer) of its organisation.

A wrong password is refused with a plain message, the right one lands on the overview,
an expired session sends back to the sign-in form, and a viewer is offered no write.
(Expiry is reached by moving the session row's end to now: the session TTL is counted in
whole minutes, and a test that waits one out would cost a minute of the suite.)
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from core.clock import utcnow
from core.models import Role
from core.schemas import UserCreate
from core.service import IntegrationService
from core.settings import load_settings
from core.store.sqlite.codec import to_us
from core.vault import generate_key
from tests.e2e.conftest import (
    _OUR_VARIABLES,
    ARTIFACTS,
    ROOT,
    _free_port,
    _stop_group,
    _wait_healthy,
    wait_idle,
)
from tests.e2e.test_connection_page import _click_first_row
from tests.ui.builders import ORG, conflict, stored_connection

pytestmark = pytest.mark.e2e
PASSWORD = "correct horse battery"


def _environment(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(_OUR_VARIABLES)}
    env.update(
        {
            "TOOTHPICK_ENV": "production",
            "TOOTHPICK_DATA_DIR": str(data_dir),
            "INTEGRATION_ENCRYPTION_KEY": generate_key(),
            "TOOTHPICK_ORGANISATION": ORG,
        }
    )
    return env


@pytest.fixture(scope="module")
def signed_dashboard(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[str, Path, str]]:
    base = tmp_path_factory.mktemp("signin")
    env = _environment(base / "data")
    saved = {k: os.environ.get(k) for k in env if k.startswith(_OUR_VARIABLES)}
    os.environ.update({k: v for k, v in env.items() if k.startswith(_OUR_VARIABLES)})
    try:
        service = IntegrationService.open(load_settings())
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    try:
        for role in (Role.ADMIN, Role.VIEWER):
            service.access.create_user(
                ORG, UserCreate(username=role.value, password=PASSWORD, role=role)
            )
        connection = stored_connection(service, name="HubSpot EU")
        service.runtime.store.add_conflict(conflict(connection))
    finally:
        service.close()
    port, log = _free_port(), base / "streamlit.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "streamlit_app.py"),
             "--server.headless=true", "--server.address=127.0.0.1", f"--server.port={port}",
             "--server.fileWatcherType=none", "--server.runOnSave=false",
             "--browser.gatherUsageStats=false"],
            cwd=base, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_healthy(f"{url}/_stcore/health", process, log, timeout_s=60)
        yield url, base / "data" / "toothpick.db", connection.id
    finally:
        _stop_group(process)


def _shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    wait_idle(page)
    page.screenshot(path=str(ARTIFACTS / f"login-{name}.png"), full_page=True)


def _sign_in(page: Page, username: str, password: str) -> None:
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_wrong_password_refused_right_one_lands_on_overview_expiry_signs_out(
    page: Page, signed_dashboard: tuple[str, Path, str]
) -> None:
    url, database, _ = signed_dashboard
    page.goto(url)
    wait_idle(page)
    expect(page.get_by_role("heading", name="ToothPick Integration Hub")).to_be_visible()
    expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)
    _shot(page, "form")
    _sign_in(page, "admin", "not the password")
    expect(page.get_by_text("Wrong user name or password.")).to_be_visible()
    _shot(page, "refused")
    _sign_in(page, "admin", PASSWORD)
    expect(page.get_by_role("heading", name="Overview", exact=True)).to_be_visible()
    _shot(page, "overview")
    with sqlite3.connect(database) as db:  # the session's time is up
        db.execute("UPDATE sessions SET expires_at = ?", (to_us(utcnow()),))
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Logs").click()
    expect(page.get_by_text("Your session ended; sign in again.")).to_be_visible()
    expect(page.get_by_label("User name")).to_be_visible()
    expect(page.get_by_role("heading", name="Logs", exact=True)).to_have_count(0)
    _shot(page, "expired")


def test_a_viewer_is_offered_no_write(page: Page, signed_dashboard: tuple[str, Path, str]) -> None:
    url, _, _ = signed_dashboard
    page.goto(url)
    wait_idle(page)
    _sign_in(page, "viewer", PASSWORD)
    expect(page.get_by_role("heading", name="Overview", exact=True)).to_be_visible()
    nav = page.get_by_test_id("stSidebarNav")
    nav.get_by_role("link", name="Conflicts").click()
    _click_first_row(page.locator(".st-key-cf_rows_0 [data-testid=stDataFrame]"))
    expect(page.get_by_text("Resolving a conflict needs the operator role.")).to_be_visible()
    expect(page.get_by_role("button", name="Keep ToothPick's version")).to_have_count(0)
    _shot(page, "viewer-conflicts")
    nav.get_by_role("link", name="Connections").click()
    expect(page.get_by_text("Connecting a system needs the admin role.")).to_be_visible()
    nav.get_by_role("link", name="Overview").click()
    page.get_by_role("link", name="Open connection").first.click()  # the card's link
    expect(page.get_by_role("heading", name="HubSpot EU")).to_be_visible(timeout=15_000)
    wait_idle(page)
    for label in ("Sync now", "Test connection", "Delete…", "Save changes"):
        expect(page.get_by_role("button", name=label)).to_have_count(0)
    _shot(page, "viewer-connection")
