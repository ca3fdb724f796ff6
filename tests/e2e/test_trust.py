"""What the analyst can trust, in a real browser: the Sync history leads to a connection's
page; a dry run's report carries each field's value now and after; a local choice on a
pull-only connection says it stays local and offers the ways out; at 390 px the Logs
filters are folded and the first row is on the first screen.

Runs after test_product.py on the same product (one server per session)."""

from __future__ import annotations

import csv
import io
import re

import pytest
from playwright.sync_api import Page, expect

from sandbox.control import SandboxControl
from tests.e2e.conftest import ARTIFACTS, PHONE, Product, open_page, screenshots, wait_idle
from tests.e2e.test_connection_page import ROW_PX, _click_first_row, _connection_heading
from tests.e2e.test_product import SYNC_TIMEOUT_MS, _choose

pytestmark = pytest.mark.e2e
DEMO_HUBSPOT = "HubSpot (sandbox)"


def test_open_a_connection_from_the_sync_history(page: Page, product: Product) -> None:
    open_page(page, product, "sync", "Sync")
    _click_first_row(page.locator(".st-key-sync_hist_rows_0 [data-testid=stDataFrame]"))
    link = page.locator(".st-key-sync_hist_detail").get_by_role("link", name=re.compile("^Open "))
    expect(link).to_be_visible(timeout=15_000)
    name = link.inner_text().strip().removeprefix("open_in_new").strip().removeprefix("Open ")
    link.click()
    _connection_heading(page, name)
    screenshots(page, "connection-from-sync-history")


def test_a_dry_run_reports_each_fields_value_now_and_after(page: Page, product: Product) -> None:
    open_page(page, product, "sync", "Sync")
    _choose(page, "sync_conn", re.compile(f"^{re.escape(DEMO_HUBSPOT)}"))
    # The demo's first sync of it must have stored the contacts before the vendor edits one.
    expect(page.get_by_role("button", name="Cancel run")).to_have_count(0, timeout=SYNC_TIMEOUT_MS)
    vendor = SandboxControl(f"http://127.0.0.1:{product.sandbox_port}")
    contact = next(vendor.iter_records("hubspot", "acme", "contacts", page_size=1))
    before = str(contact.fields.get("jobtitle") or "")
    vendor.update("hubspot", "acme", "contacts", contact.id, {"jobtitle": "Chief Dry Runner"})
    _queue_a_dry_run(page)
    live = page.locator(".st-key-sync_live")
    expect(live.get_by_text("Succeeded")).to_be_visible(timeout=SYNC_TIMEOUT_MS)
    expect(live.get_by_text("What a real run would change")).to_be_visible()
    with page.expect_download() as download:
        live.get_by_role("button", name="Download the report (CSV)").click()
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text(encoding="utf-8"))))
    changed = [r for r in rows if r["Record"] == contact.id and r["Field"] == "title"]
    assert changed, rows[:5]
    assert (changed[0]["Would"], changed[0]["Now"], changed[0]["After"]) == (
        "update",
        before or "—",
        "Chief Dry Runner",
    )
    assert changed[0]["Direction"] == "vendor → ToothPick"
    screenshots(page, "dry-run-report")


def _queue_a_dry_run(page: Page) -> None:
    """Tick "Dry run" and press Sync now. A run ending just then reruns the whole page
    (its live view hands over to the history) and a click landing in that rerun is lost:
    the form is filled and sent again until the queued message shows."""
    dry = page.get_by_role("checkbox", name=re.compile("^Dry run"))
    queued = page.get_by_text("Queued a dry run of")
    for _attempt in range(3):
        wait_idle(page)
        if not dry.is_checked():
            page.get_by_text("Dry run: report what would change").click()
        expect(dry).to_be_checked()
        page.get_by_role("button", name="Sync now").click()
        try:
            expect(queued).to_be_visible(timeout=10_000)
            return
        except AssertionError:
            continue
    expect(queued).to_be_visible()


def test_a_local_choice_on_a_pull_only_connection_says_it_stays_local(
    page: Page, product: Product
) -> None:
    open_page(page, product, "conflicts", "Conflicts")
    expect(page.get_by_text(re.compile("records? waits? for a decision"))).to_be_visible()
    _click_first_row(page.locator(".st-key-cf_rows_0 [data-testid=stDataFrame]"))
    detail = page.locator(".st-key-cf_detail")
    expect(detail.get_by_text("≠ differs").first).to_be_visible(timeout=15_000)
    detail.get_by_role("button", name="Keep ToothPick's version").click()
    expect(
        page.get_by_text(re.compile("ToothPick's values stay in ToothPick only: this connection"))
    ).to_be_visible(timeout=15_000)
    offer = page.locator(".st-key-cf_resolve_unpushed_box")
    expect(offer.get_by_text("only pulls")).to_be_visible()
    expect(offer.get_by_role("button", name="Push it now")).to_be_visible()
    expect(offer.get_by_role("button", name="Turn on two-way sync")).to_be_visible()
    screenshots(page, "conflict-kept-on-pull-only")


def test_at_phone_width_the_logs_filters_fold_and_the_first_row_shows(
    page: Page, product: Product
) -> None:
    page.set_viewport_size({"width": PHONE, "height": 844})
    try:
        open_page(page, product, "logs", "Logs")
        expect(page.get_by_text("matching entries")).to_be_visible()
        expect(page.get_by_text("Filters:").first).to_be_visible()
        expect(page.locator(".st-key-logs_apply")).to_be_hidden()  # folded: no form shown
        table = page.locator(".st-key-logs_rows_0 [data-testid=stDataFrame]")
        expect(table).to_be_visible()
        box = table.bounding_box()
        assert box is not None and box["y"] + 2 * ROW_PX <= 844, box  # header and first row
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "logs-first-screen-390.png"))
    finally:
        page.set_viewport_size({"width": 1280, "height": 900})
