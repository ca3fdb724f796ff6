"""A connection's page in a real browser, opened the ways users open it: a click on a
row of the Connections table, a card's link on the Overview, a row of the Logs; and
saving a connection whose token the vendor refuses (it is not saved by accident).

Runs after test_product.py on the same product (one server per session)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import Product, open_page, screenshots, wait_idle

pytestmark = pytest.mark.e2e
ROW_PX = 35  # Streamlit's dataframe: header and rows are 35 px tall


def _click_first_row(table: Locator) -> None:
    """Select the first data row: a click on its row marker, left of the first cell."""
    table.scroll_into_view_if_needed()
    expect(table).to_be_visible()
    box = table.bounding_box()
    assert box is not None
    table.page.mouse.click(box["x"] + 18, box["y"] + ROW_PX + ROW_PX / 2)


def _connection_heading(page: Page, name: str | re.Pattern[str]) -> None:
    expect(page).to_have_url(re.compile(r"/connection\?id="), timeout=30_000)
    wait_idle(page)
    expect(page.get_by_role("heading", name=name).first).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Records held").first).to_be_visible()


def test_open_a_connection_from_the_connections_table(page: Page, product: Product) -> None:
    open_page(page, product, "connections", "Connections")
    table = page.locator(".st-key-con_list_rows_0 [data-testid=stDataFrame]")
    _click_first_row(table)
    _connection_heading(page, re.compile(r"\S"))
    expect(page.get_by_role("tab", name="Runs")).to_be_visible()
    screenshots(page, "connection-from-table")


def test_open_a_connection_from_an_overview_card(page: Page, product: Product) -> None:
    open_page(page, product, "", "Overview")
    link = page.get_by_role("link", name="Open connection").first
    expect(link).to_be_visible(timeout=30_000)
    link.click()
    _connection_heading(page, re.compile(r"\S"))
    screenshots(page, "connection-from-card")


def test_open_a_connection_from_a_log_row(page: Page, product: Product) -> None:
    open_page(page, product, "logs", "Logs")
    expect(page.get_by_text("matching entries")).to_be_visible()
    _click_first_row(page.locator(".st-key-logs_rows_0 [data-testid=stDataFrame]"))
    link = page.get_by_role("link", name=re.compile("^Open ")).first
    expect(link).to_be_visible(timeout=15_000)
    name = link.inner_text().strip().removeprefix("open_in_new").strip().removeprefix("Open ")
    link.click()
    _connection_heading(page, name)
    screenshots(page, "connection-from-logs")


def test_saving_with_a_wrong_token_saves_nothing(page: Page, product: Product) -> None:
    open_page(page, product, "connections", "Connections")
    combobox = page.locator(".st-key-con_new_system input[role=combobox]")
    combobox.click()
    page.get_by_role("option", name=re.compile("^HubSpot")).first.click()
    wait_idle(page)
    prefix = "con_new_hubspot"
    expect(page.locator(f".st-key-{prefix}_f_client_id")).to_have_count(0)  # token sign-in
    page.locator(f".st-key-{prefix}_name input").fill("HubSpot (wrong token)")
    page.locator(f".st-key-{prefix}_f_base_url input").fill(
        f"http://127.0.0.1:{product.sandbox_port}"
    )
    page.locator(f".st-key-{prefix}_f_private_app_token input").fill("pat-na1-not-a-real-token")
    page.locator(f".st-key-{prefix}_save button").click()
    expect(
        page.get_by_text(re.compile("^Not saved: the HubSpot connection test failed"))
    ).to_be_visible(timeout=30_000)
    expect(page.get_by_role("button", name="Save it disabled anyway")).to_be_visible()
    expect(page.get_by_text("Tested and saved")).to_have_count(0)
    screenshots(page, "connect-wrong-token")
    page.get_by_role("button", name="Save it disabled anyway").click()  # the user insists
    expect(
        page.get_by_text(re.compile("^Saved “HubSpot \\(wrong token\\)” disabled: "))
    ).to_be_visible(timeout=30_000)
    screenshots(page, "connect-wrong-token-saved-disabled")


def test_a_record_opens_from_the_records_tab_with_its_history(page: Page, product: Product) -> None:
    """The demo's connections only pull: no deletion is offered, the page says why."""
    open_page(page, product, "connections", "Connections")
    _click_first_row(page.locator(".st-key-con_list_rows_0 [data-testid=stDataFrame]"))
    _connection_heading(page, re.compile(r"\S"))
    page.get_by_role("tab", name="Records").click()
    wait_idle(page)
    held = page.locator("[class*='_rec_'][class*='_held'] [data-testid=stDataFrame]").first
    _click_first_row(held)
    wait_idle(page)
    expect(page.get_by_text(re.compile("^As .* last sent it")).first).to_be_visible()
    expect(page.get_by_text("History", exact=True).first).to_be_visible()
    expect(page.get_by_text(re.compile("This connection only pulls")).first).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("Delete in ToothPick"))).to_have_count(0)
    screenshots(page, "connection-records")
