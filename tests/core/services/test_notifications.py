"""The notifications area against real receivers: a local HTTP server (signed
webhook, Slack-compatible) and a local SMTP server with STARTTLS and login.

Alert transitions come from real recorded outcomes (the alerts area); the
dispatcher's `deliver_due` is called by hand where a process would call it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr
from standardwebhooks.webhooks import Webhook

from core.errors import FailureCategory, InvalidInputError
from core.models import ChannelKind, DeliveryState, RunState, SyncOptions
from core.runtime import Runtime
from core.schemas import ChannelCreate, RunOutcome
from core.services.alerts import AlertService
from core.services.connections import ConnectionService
from core.services.notifications import NotificationService
from core.services.syncs import SyncService
from tests.core.service_support import ORG
from tests.core.services.conftest import create
from tests.support.receivers import HttpReceiver, SmtpReceiver, free_port

SECRET = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
OFFLINE = RunOutcome(
    state=RunState.FAILED, counts={}, error="timed out", error_category=FailureCategory.TRANSIENT
)
OK = RunOutcome(state=RunState.SUCCEEDED, counts={})


@pytest.fixture
def receiver() -> Iterator[HttpReceiver]:
    started = HttpReceiver().start()
    yield started
    started.stop()


@pytest.fixture
def smtp(tmp_path: Path) -> Iterator[SmtpReceiver]:
    started = SmtpReceiver(tmp_path, username="alerts", password="s3cret-pw").start()
    yield started
    started.stop()


@pytest.fixture
def notifications(runtime: Runtime, alerts: AlertService) -> NotificationService:
    return NotificationService(
        settings=runtime.settings, store=runtime.store, vault=runtime.vault, alerts=alerts
    )


def _finish(syncs: SyncService, connection_id: str, outcome: RunOutcome) -> None:
    run = syncs.queue_sync(ORG, connection_id, SyncOptions())
    claimed = syncs.claim_run(run.id, "w1", stale_after_s=60)
    assert claimed is not None and syncs.record_outcome(claimed, "w1", outcome)


def _webhook(url: str, secret: str = SECRET) -> ChannelCreate:
    return ChannelCreate.model_validate(
        {
            "kind": "webhook",
            "name": "ops",
            "config": {"url": url},
            "secrets": {"signing_secret": secret},
        }
    )


def test_each_transition_reaches_a_signed_webhook_once(
    notifications: NotificationService,
    syncs: SyncService,
    connections: ConnectionService,
    receiver: HttpReceiver,
) -> None:
    channel = notifications.add_channel(ORG, _webhook(f"{receiver.base_url}/hook"))
    assert channel.secret_fields == ["signing_secret"]
    connection_id = create(connections, ORG).id
    _finish(syncs, connection_id, OFFLINE)
    _finish(syncs, connection_id, OFFLINE)  # the same open alert: no second message
    assert receiver.requests == []  # recording an outcome only queues
    assert notifications.deliver_due() == 1
    _finish(syncs, connection_id, OK)
    assert notifications.deliver_due() == 1
    assert notifications.deliver_due() == 0

    hook = Webhook(SECRET)
    bodies = [hook.verify(r.body, r.headers) for r in receiver.to("/hook")]
    assert [b["type"] for b in bodies] == ["alert.opened", "alert.resolved"]
    assert bodies[1]["data"]["alert"]["resolved_by"] == "system"
    assert len({r.headers["webhook-id"] for r in receiver.requests}) == 2
    tampered = receiver.requests[0]
    with pytest.raises(Exception, match="signature"):
        hook.verify(tampered.body.replace(b"opened", b"closed"), tampered.headers)
    assert {n.state for n in notifications.deliveries(ORG)} == {DeliveryState.DELIVERED}


def test_the_test_button_sends_a_signed_test_message(
    notifications: NotificationService, receiver: HttpReceiver
) -> None:
    channel = notifications.add_channel(ORG, _webhook(f"{receiver.base_url}/hook"))
    result = notifications.test_channel(ORG, channel.id)
    assert result.ok, result.message
    [request] = receiver.requests
    assert Webhook(SECRET).verify(request.body, request.headers)["type"] == "test"
    assert SECRET not in notifications.list_channels(ORG)[0].model_dump_json()


def test_retriable_answers_are_retried_with_backoff(
    notifications: NotificationService,
    syncs: SyncService,
    connections: ConnectionService,
    receiver: HttpReceiver,
) -> None:
    receiver.scripts["/flaky"] = [503, 503, 200]
    notifications.add_channel(ORG, _webhook(f"{receiver.base_url}/flaky"))
    _finish(syncs, create(connections, ORG).id, OFFLINE)
    assert notifications.deliver_due(initial_wait_s=0.01) == 1
    assert len(receiver.to("/flaky")) == 3
    [note] = notifications.deliveries(ORG)
    assert note.state is DeliveryState.DELIVERED and note.attempts == 1


def test_an_unreachable_receiver_is_retried_later_not_lost(
    notifications: NotificationService, syncs: SyncService, connections: ConnectionService
) -> None:
    notifications.add_channel(ORG, _webhook(f"http://127.0.0.1:{free_port()}/gone"))
    _finish(syncs, create(connections, ORG).id, OFFLINE)
    assert notifications.deliver_due(initial_wait_s=0.01) == 0
    [note] = notifications.deliveries(ORG)
    assert note.state is DeliveryState.PENDING and note.attempts == 1
    assert note.last_error and note.last_error.startswith("url: could not reach")
    assert notifications.deliver_due() == 0  # not due again yet


def test_a_slack_url_that_answers_404_fails_with_the_setting_named(
    notifications: NotificationService,
    syncs: SyncService,
    connections: ConnectionService,
    receiver: HttpReceiver,
) -> None:
    receiver.scripts["/services/T0/B0/x"] = [404]
    receiver.scripts["/services/T1/B1/y"] = [200]
    form = ChannelCreate(
        kind=ChannelKind.SLACK,
        name="slack",
        secrets={"webhook_url": SecretStr(f"{receiver.base_url}/services/T0/B0/x")},
    )
    broken = notifications.add_channel(ORG, form)
    result = notifications.test_channel(ORG, broken.id)
    assert not result.ok and "webhook_url" in result.message and "404" in result.message
    good = form.model_copy(
        update={"secrets": {"webhook_url": SecretStr(f"{receiver.base_url}/services/T1/B1/y")}}
    )
    notifications.add_channel(ORG, good)
    _finish(syncs, create(connections, ORG).id, OFFLINE)
    assert notifications.deliver_due() == 1  # the good one; the broken one gives up at once
    states = {n.channel_id: n for n in notifications.deliveries(ORG)}
    assert states[broken.id].state is DeliveryState.FAILED
    assert "HTTP 404" in (states[broken.id].last_error or "")
    [delivered] = receiver.to("/services/T1/B1/y")
    assert b"connectivity" in delivered.body


def test_email_goes_over_starttls_with_login(
    notifications: NotificationService,
    syncs: SyncService,
    connections: ConnectionService,
    smtp: SmtpReceiver,
    runtime: Runtime,
) -> None:
    trusting = NotificationService(
        settings=runtime.settings.model_copy(update={"ca_bundle": smtp.cert}),
        store=runtime.store,
        vault=runtime.vault,
        alerts=AlertService(
            settings=runtime.settings, store=runtime.store, connections=connections
        ),
    )
    form = ChannelCreate.model_validate(
        {
            "kind": "email",
            "name": "on-call",
            "config": {
                "host": "127.0.0.1",
                "port": smtp.port,
                "sender": "hub@toothpick.test",
                "recipients": "ops@toothpick.test, lead@toothpick.test",
                "username": "alerts",
            },
            "secrets": {"password": "wrong"},
        }
    )
    refused = trusting.add_channel(ORG, form)
    result = trusting.test_channel(ORG, refused.id)
    assert not result.ok and "username/password" in result.message
    form.secrets["password"] = SecretStr("s3cret-pw")
    channel = trusting.add_channel(ORG, form)
    assert trusting.test_channel(ORG, channel.id).ok
    assert smtp.messages[-1]["Subject"] == "[ToothPick] test notification"
    trusting.delete_channel(ORG, refused.id)

    _finish(syncs, create(connections, ORG).id, OFFLINE)  # `notifications` queued it
    assert trusting.deliver_due() == 1
    mail = smtp.messages[-1]
    assert mail["Subject"] == "[ToothPick] warning alert opened: connectivity"
    assert smtp.recipients[-1] == ["ops@toothpick.test", "lead@toothpick.test"]
    assert "s3cret-pw" not in str(notifications.list_channels(ORG))


def test_email_without_a_trusted_certificate_is_refused(
    notifications: NotificationService, smtp: SmtpReceiver
) -> None:
    channel = notifications.add_channel(
        ORG,
        ChannelCreate.model_validate(
            {
                "kind": "email",
                "name": "mail",
                "config": {
                    "host": "127.0.0.1",
                    "port": smtp.port,
                    "sender": "hub@toothpick.test",
                    "recipients": "ops@toothpick.test",
                },
            }
        ),
    )
    result = notifications.test_channel(ORG, channel.id)
    assert not result.ok and "host/port" in result.message and smtp.messages == []


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"kind": "webhook", "name": "x", "config": {"url": "ftp://x"}}, "url"),
        ({"kind": "webhook", "name": "x", "config": {"url": "http://x"}}, "signing_secret"),
        (
            {
                "kind": "webhook",
                "name": "x",
                "config": {"url": "http://x"},
                "secrets": {"signing_secret": "plain"},
            },
            "signing_secret",
        ),
        ({"kind": "slack", "name": "x"}, "webhook_url"),
        ({"kind": "email", "name": "x", "config": {"host": "h", "sender": "a@b"}}, "recipients"),
        ({"kind": "email", "name": "x", "config": {"host": "h", "port": 0}}, "port"),
    ],
)
def test_bad_channel_settings_are_named(
    notifications: NotificationService, form: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidInputError) as caught:
        notifications.add_channel(ORG, ChannelCreate.model_validate(form))
    assert caught.value.field == field and str(caught.value).startswith(field)
    assert notifications.list_channels(ORG) == []
