"""The product in a real browser: `toothpick up` as the README starts it (on a temporary
data directory and free ports), driven by Playwright with Debian's chromium.

One product per session (dashboard, worker, scheduler and sandbox, with the demo
organisation seeded); the whole process group is stopped at the end.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

ROOT = Path(__file__).resolve().parents[2]
TOOTHPICK = ROOT / ".venv" / "bin" / "toothpick"
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-sync"]
DESKTOP, PHONE = 1280, 390
_OUR_VARIABLES = ("INTEGRATION_ENCRYPTION_", "MONGODB_URI", "REDIS_URL", "TOOTHPICK_")


@dataclass(frozen=True)
class Product:
    url: str
    data_dir: Path
    sandbox_port: int
    sandbox_tls_port: int
    log: Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_healthy(url: str, process: subprocess.Popen[bytes], log: Path, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"toothpick up exited early:\n{log.read_text()[-3000:]}")
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=1) as answer:  # noqa: S310
            if answer.read() == b"ok":
                return
        time.sleep(0.2)
    pytest.fail(f"the dashboard did not become healthy:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def product(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Product]:
    base = tmp_path_factory.mktemp("product")
    log = base / "toothpick-up.log"
    ports = {name: _free_port() for name in ("DASHBOARD", "SANDBOX", "SANDBOX_TLS", "API")}
    env = {k: v for k, v in os.environ.items() if not k.startswith(_OUR_VARIABLES)}
    env.update({f"TOOTHPICK_{name}_PORT": str(port) for name, port in ports.items()})
    env.update({"TOOTHPICK_DATA_DIR": str(base / "data"), "TOOTHPICK_ENV": "development"})
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(TOOTHPICK), "up"], cwd=base, env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{ports['DASHBOARD']}"
        _wait_healthy(f"{url}/_stcore/health", process, log, timeout_s=60)
        yield Product(url, base / "data", ports["SANDBOX"], ports["SANDBOX_TLS"], log)
    finally:
        _stop_group(process)


def _stop_group(process: subprocess.Popen[bytes]) -> None:
    """`toothpick up` stops its children on SIGTERM; then the group, to be sure."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": {"width": DESKTOP, "height": 900}}


def wait_idle(page: Page, timeout: float = 30_000) -> None:
    app = page.locator('[data-testid="stApp"]')
    expect(app).to_have_attribute("data-test-connection-state", "CONNECTED", timeout=timeout)
    expect(app).to_have_attribute("data-test-script-state", "notRunning", timeout=timeout)


def open_page(page: Page, product: Product, path: str, heading: str) -> None:
    page.goto(f"{product.url}/{path}")
    wait_idle(page)
    expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()


def screenshots(page: Page, name: str) -> None:
    """The whole page at desktop and phone widths (Streamlit scrolls inside stMain, so
    the viewport is made as tall as the content first)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for width in (DESKTOP, PHONE):
        page.set_viewport_size({"width": width, "height": 900})
        wait_idle(page)
        page.wait_for_timeout(600)
        height = page.evaluate("document.querySelector('[data-testid=stMain]').scrollHeight")
        page.set_viewport_size({"width": width, "height": max(900, min(int(height), 6000))})
        page.wait_for_timeout(600)
        page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"))
    page.set_viewport_size({"width": DESKTOP, "height": 900})
