"""The connect form's Test button against the HubSpot simulator over real HTTP: it
reports what the vendor said and saves nothing; Save then stores the connection."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from streamlit.testing.v1 import AppTest

from adapters import registry
from core.errors import NotFoundError
from core.models import System
from core.service import IntegrationService
from sandbox.testing import RunningSandbox, run_sandbox
from tests.ui.builders import ORG
from tests.ui.conftest import OpenPage, press, shown
from tests.ui.conftest import shown as unescaped

TOKEN = "pat-na1-acme0000-0000-4000-8000-000000000001"  # sandbox/README.md, tenant acme
PREFIX = "con_new_hubspot"


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSandbox]:
    with run_sandbox(
        systems=("hubspot",), data_dir=tmp_path_factory.mktemp("sandbox"), tls=False
    ) as running:
        yield running


@pytest.fixture
def hubspot_form(open_page: OpenPage, sandbox: RunningSandbox) -> AppTest:
    try:
        registry.system_info(System.HUBSPOT)
    except NotFoundError as exc:
        pytest.skip(f"HubSpot is not available yet: {exc}")
    at = open_page("connections")
    at.selectbox(key="con_new_system").select(System.HUBSPOT).run()
    at.text_input(key=f"{PREFIX}_name").input("HubSpot (test)")
    at.text_input(key=f"{PREFIX}_f_base_url").input(sandbox.url)
    return at


def test_a_refused_token_is_reported_in_the_vendors_words(
    hubspot_form: AppTest, service: IntegrationService
) -> None:
    at = hubspot_form
    at.text_input(key=f"{PREFIX}_f_private_app_token").input("pat-na1-not-a-real-token")
    press(at, "Test connection")
    errors = [unescaped(e.value) for e in at.error]
    assert any(
        e.startswith("The HubSpot connection test failed: HubSpot refused") for e in errors
    ), errors
    assert any("Nothing was saved" in e for e in errors)
    assert service.connections.list_connections(ORG) == []


def test_the_sandbox_token_is_accepted_then_saved(
    hubspot_form: AppTest, service: IntegrationService
) -> None:
    at = hubspot_form
    at.text_input(key=f"{PREFIX}_f_private_app_token").input(TOKEN)
    press(at, "Test connection")
    assert any("HubSpot accepted the connection" in unescaped(s.value) for s in at.success)
    assert service.connections.list_connections(ORG) == []  # testing saves nothing
    press(at, "Save connection")
    [saved] = service.connections.list_connections(ORG)
    assert saved.name == "HubSpot (test)" and saved.secret_fields == ["private_app_token"]


def test_save_tests_first_and_a_wrong_token_saves_nothing(
    hubspot_form: AppTest, service: IntegrationService
) -> None:
    at = hubspot_form
    at.text_input(key=f"{PREFIX}_f_private_app_token").input("pat-na1-not-a-real-token")
    press(at, "Save connection")
    errors = [e.value for e in at.error]
    assert any(
        shown(e).startswith("Not saved: the HubSpot connection test failed") for e in errors
    ), errors
    assert service.connections.list_connections(ORG) == []
    assert [b for b in at.button if b.label == "Save it disabled anyway"]


def test_save_with_the_sandbox_token_says_it_was_tested(
    hubspot_form: AppTest, service: IntegrationService
) -> None:
    at = hubspot_form
    at.text_input(key=f"{PREFIX}_f_private_app_token").input(TOKEN)
    press(at, "Save connection")
    assert any(s.value.startswith("Tested and saved HubSpot") for s in at.success)
    [saved] = service.connections.list_connections(ORG)
    assert saved.status.value == "active"
