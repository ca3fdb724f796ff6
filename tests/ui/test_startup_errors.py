"""What the dashboard shows when the hub cannot start: one line, never a traceback."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from core.store.sqlite import SqliteStore
from tests.ui.conftest import APP, shown


def _run() -> AppTest:
    st.cache_resource.clear()
    at = AppTest.from_file(APP, default_timeout=30).run()
    st.cache_resource.clear()
    return at


def test_an_invalid_setting_is_one_line_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOOTHPICK_LOG_RETENTION_DAYS", "ninety")
    at = _run()
    assert not at.exception
    [error] = at.error
    assert shown(error.value).startswith("The hub cannot start: Invalid setting")
    assert "TOOTHPICK_LOG_RETENTION_DAYS" in shown(error.value)


def test_production_without_a_key_says_how_to_make_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOOTHPICK_ENV", "production")
    at = _run()
    assert not at.exception
    assert "toothpick generate-key" in shown(at.error[0].value)


def test_a_database_from_a_newer_version_is_refused_in_words(isolated_environment: Path) -> None:
    isolated_environment.mkdir(parents=True, exist_ok=True)
    SqliteStore.open(isolated_environment / "toothpick.db").close()
    with sqlite3.connect(isolated_environment / "toothpick.db") as db:
        db.execute("PRAGMA user_version = 999")
    at = _run()
    assert not at.exception
    assert "toothpick.db" in shown(at.error[0].value)
