"""Hostile vendor text in a real browser: a Markdown image in a vendor's error loads
nothing, and no element made from data is a link. Runs after test_product.py (file
order) on the same product, so the data planted here disturbs none of those tests.

The links and images point at a live listener on this machine; the test proves the
listener and the request log work (a control image the test itself loads is seen)
before it trusts their silence.
"""

from __future__ import annotations

import http.server
import re
import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import ClassVar

import pytest
from playwright.sync_api import Page, Request, expect

from core.clock import utcnow
from core.models import Alert, AlertKind, AlertSeverity, ConnectionStatus, LogLevel, LogStatus
from core.service import IntegrationService
from core.settings import load_settings
from tests.e2e.conftest import Product, open_page, screenshots, wait_idle
from tests.e2e.test_connection_page import _click_first_row
from tests.support.hostile import hostile_set
from tests.ui.builders import ORG, conflict, log, stored_connection

pytestmark = pytest.mark.e2e
NAME = "![pixel](/x.png) [Re-enter your token here](/phish) <b>evil[/bold]</b>"


class _Listener(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        type(self).hits.append(self.path)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        return None


@pytest.fixture(scope="module")
def beacon() -> Iterator[tuple[str, list[str]]]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Listener)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", _Listener.hits
    finally:
        server.shutdown()
        server.server_close()


def _plant(product: Product, beacon: str) -> None:
    texts = hostile_set(beacon)
    vendor_text = "\n".join(texts[k] for k in ("markdown", "autolink", "html", "streamlit"))
    service = IntegrationService.open(load_settings(data_dir=product.data_dir))
    try:
        connection = stored_connection(service, name=NAME)
        store = service.runtime.store
        stored = store.get_connection(ORG, connection.id)
        assert stored is not None
        store.update_connection(
            stored.model_copy(
                update={"status": ConnectionStatus.ERROR, "status_detail": vendor_text}
            )
        )
        store.raise_alert(
            Alert(organisation_id=ORG, connection_id=connection.id, system=connection.system,
                  kind=AlertKind.CONNECTIVITY, severity=AlertSeverity.CRITICAL,
                  message=vendor_text)
        )  # fmt: skip
        entry = log(connection, vendor_text, level=LogLevel.ERROR, status=LogStatus.ERROR)
        store.append_logs([entry.model_copy(update={"time": utcnow() - timedelta(seconds=5)})])
        held = conflict(connection, external_id=texts["markdown"])
        store.add_conflict(
            held.model_copy(update={"remote": {**(held.remote or {}), "email": vendor_text}})
        )
    finally:
        service.close()


def test_no_request_leaves_and_no_link_comes_from_data(
    page: Page, product: Product, beacon: tuple[str, list[str]]
) -> None:
    address, hits = beacon
    _plant(product, address)
    requested: list[str] = []

    def seen(request: Request) -> None:
        if request.url.startswith(address):
            requested.append(request.url)

    page.on("request", seen)
    open_page(page, product, "", "Overview")
    expect(page.get_by_text("Re-enter your token here").first).to_be_visible(timeout=20_000)
    _no_link_from_data(page, address)
    open_page(page, product, "connections", "Connections")
    _no_link_from_data(page, address)
    # The connection's own page (it replaced the Manage box), opened from its card.
    open_page(page, product, "", "Overview")
    card = page.locator("[class*='st-key-ov_card_']").filter(has_text="Re-enter your token")
    card.get_by_role("link", name="Open connection").first.click()
    expect(page).to_have_url(re.compile(r"/connection\?id="), timeout=30_000)
    wait_idle(page)
    expect(page.get_by_text("[Re-enter your token here]").first).to_be_visible(timeout=20_000)
    _no_link_from_data(page, address)
    screenshots(page, "hostile-connections")
    open_page(page, product, "conflicts", "Conflicts")
    _click_first_row(page.locator(".st-key-cf_rows_0 [data-testid=stDataFrame]"))  # the newest
    detail = page.locator(".st-key-cf_detail")
    expect(detail.get_by_text("![pixel](").first).to_be_visible(timeout=20_000)
    # Streamlit icon codes in data stay text, also inside the HTML diff table.
    expect(page.locator(".tp-diff").get_by_text("material/warning").first).to_be_visible()
    _no_link_from_data(page, address)
    screenshots(page, "hostile-conflicts")
    open_page(page, product, "logs", "Logs")
    _no_link_from_data(page, address)
    page.wait_for_timeout(1000)  # time for any image a page asked for to be fetched
    assert requested == [] and hits == [], (requested, hits)
    # The watch works: an image the test itself loads is seen by both.
    page.evaluate(f"new Image().src = '{address}/control.png'")
    page.wait_for_timeout(1000)
    assert requested == [f"{address}/control.png"] and hits == ["/control.png"]


def _no_link_from_data(page: Page, address: str) -> None:
    wait_idle(page)
    main = page.get_by_test_id("stMain")
    found = main.locator(f"a[href*='{address}'], a[href*='phish']").evaluate_all(
        "(links) => links.map((a) => a.parentElement.outerHTML.slice(0, 600))"
    )
    assert not found, "\n\n".join(found)  # shows where a link from data came from
    for selector in (
        f"a[href*='{address}']",
        "a[href*='phish']",
        "a[href$='/phish']",
        f"img[src*='{address}']",
        "img[src$='/x.png']",
        "script:not([src])",
    ):
        assert main.locator(selector).count() == 0, selector  # fmt: skip
    hrefs = main.locator("a").evaluate_all("(links) => links.map((a) => a.href)")
    assert all(address not in h and "phish" not in h for h in hrefs), hrefs
