"""The API over real HTTP: uvicorn serving create_app on a loopback port."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest
import requests
import uvicorn

from api.app import create_app
from core.service import IntegrationService
from tests.api.conftest import CONNECTION, Keys, bearer


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def base_url(service: IntegrationService) -> Iterator[str]:
    port = _free_port()
    config = uvicorn.Config(create_app(service), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            pytest.fail("uvicorn did not start")
        threading.Event().wait(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_connect_sync_and_read_over_http(base_url: str, keys: Keys) -> None:
    session = requests.Session()
    created = session.post(
        f"{base_url}/api/integrations", json=CONNECTION, headers=bearer(keys.admin), timeout=30
    )
    assert created.status_code == 201, created.text
    queued = session.post(
        f"{base_url}/api/integrations/sync",
        json={"connection_id": created.json()["id"]},
        headers=bearer(keys.operator),
        timeout=30,
    )
    assert queued.status_code == 202
    run = session.get(base_url + queued.json()["url"], headers=bearer(keys.viewer), timeout=30)
    assert run.json()["state"] == "queued"
    export = session.get(
        f"{base_url}/api/integrations/logs",
        headers={**bearer(keys.viewer), "Accept": "text/csv"},
        timeout=30,
        stream=True,
    )
    assert export.headers["content-type"].startswith("text/csv")
    assert export.text.startswith("id,time,organisation_id")
    denied = session.get(f"{base_url}/api/integrations", timeout=30)
    assert denied.status_code == 401 and denied.headers["www-authenticate"] == "Bearer"
