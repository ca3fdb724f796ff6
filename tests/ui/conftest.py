"""Page tests with Streamlit's AppTest: the real entry point, the real service on a
SQLite store in the test's own data directory, no browser."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Dataframe

from adapters import registry
from adapters.base import SystemInfo
from core.errors import NotFoundError
from core.models import System
from core.service import IntegrationService
from core.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "streamlit_app.py")
PAGES = {
    "overview": "pages/overview.py",
    "logs": "pages/logs.py",
    "sync": "pages/sync.py",
    "conflicts": "pages/conflicts.py",
    "issues": "pages/issues.py",
    "connections": "pages/connections.py",
    "demo": "pages/demo.py",
}
TITLES = {
    "overview": "Overview",
    "logs": "Logs",
    "sync": "Sync",
    "conflicts": "Conflicts",
    "issues": "Record issues",
    "connections": "Connections",
    "demo": "Integrations demo",
}

OpenPage = Callable[[str], AppTest]


@pytest.fixture
def service(isolated_environment: Path) -> Iterator[IntegrationService]:
    handle = IntegrationService.open(load_settings())
    yield handle
    handle.close()


def _forget_caches() -> None:
    st.cache_data.clear()
    st.cache_resource.clear()  # closes the app's own service handle


@pytest.fixture
def open_page(service: IntegrationService) -> Iterator[OpenPage]:
    """Run the entry point, switch to a page, and check it rendered without an exception."""
    del service  # the store exists (and has the test's data) before the app opens it
    _forget_caches()

    def open_(page: str) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=30).run()
        if page != "overview":
            at.switch_page(PAGES[page]).run()
        assert not at.exception, [e.value for e in at.exception]
        assert at.title[0].value == TITLES[page]
        return at

    yield open_
    _forget_caches()


@pytest.fixture
def system_info() -> SystemInfo:
    """A real adapter's declaration (HubSpot when installed)."""
    for system in (System.HUBSPOT, *System):
        try:
            return registry.system_info(system)
        except NotFoundError:
            continue
    pytest.skip("no vendor adapter is installed yet")


def texts(at: AppTest) -> str:
    """Everything the page rendered, as text: every element's message, every table's cells."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        if getattr(node, "proto", None) is not None:
            parts.append(str(node.proto))
        if isinstance(node, Dataframe):
            parts.append(node.value.to_string())
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return "\n".join(parts)


def shown(body: str) -> str:
    """What a reader sees of an element whose body was escaped for Markdown (ui.text.md)."""
    return re.sub(r"\\(.)", r"\1", body)


def markdown(at: AppTest) -> str:
    return "\n".join(str(m.value) for m in at.markdown)


def press(at: AppTest, label: str) -> AppTest:
    """Click the button with this label (form submit buttons included) and rerun."""
    button = next(b for b in at.button if b.label == label)
    return button.click().run()


def open_connection_page(open_page: OpenPage, connection: Any) -> AppTest:
    """The connection page of one connection (as a click on its row opens it)."""
    at = open_page("overview")
    at.query_params["id"] = connection.id
    at.switch_page("pages/connection.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == connection.name
    return at


def click_row(at: AppTest, key: str, row: int) -> AppTest:
    """What a click on a dataframe row does: that row becomes the table's selection."""
    at.session_state[key] = {"selection": {"rows": [row], "columns": [], "cells": []}}
    return at.run()
