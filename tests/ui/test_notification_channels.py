"""The notification channels panel: add a signed webhook, press Test, remove it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from standardwebhooks.webhooks import Webhook

from core.service import IntegrationService
from tests.support.receivers import HttpReceiver
from tests.ui.builders import ORG
from tests.ui.conftest import OpenPage, press, shown, texts

SECRET = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


@pytest.fixture
def receiver() -> Iterator[HttpReceiver]:
    started = HttpReceiver().start()
    yield started
    started.stop()


def test_add_test_and_remove_a_webhook_channel(
    open_page: OpenPage, service: IntegrationService, receiver: HttpReceiver
) -> None:
    at = open_page("connections")
    key = "con_channel_new"
    at.text_input(key=f"{key}_name").input("ops hook")
    at.text_input(key=f"{key}_url").input("ftp://nowhere")
    press(at, "Add channel")
    assert any("url:" in shown(e.value) for e in at.error)
    at.text_input(key=f"{key}_url").input(f"{receiver.base_url}/hook")
    at.text_input(key=f"{key}_signing_secret").input(SECRET)
    press(at, "Add channel")
    assert any("Added the channel" in shown(s.value) for s in at.success)
    assert SECRET not in texts(at)
    [channel] = service.notifications.list_channels(ORG)

    press(at, "Test")
    assert any("Delivered a test message" in shown(s.value) for s in at.success)
    [request] = receiver.requests
    assert Webhook(SECRET).verify(request.body, request.headers)["type"] == "test"

    press(at, "Remove")
    assert service.notifications.list_channels(ORG) == []
    assert channel.name == "ops hook"
