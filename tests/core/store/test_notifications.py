"""Contract: notification channels, and an outbox that queues each transition once
and hands each due notification to exactly one dispatcher."""

from __future__ import annotations

from core.models import ChannelKind, DeliveryState, Notification, NotificationChannel
from core.store.base import Store
from tests.core.store.builders import ORG, OTHER_ORG, T0, at


def _channel(name: str = "ops hook", **fields: object) -> NotificationChannel:
    return NotificationChannel.model_validate(
        {
            "organisation_id": ORG,
            "kind": ChannelKind.WEBHOOK,
            "name": name,
            "config": {"url": "http://127.0.0.1:9/hook"},
            "sealed_secret": "sealed",
            "created_at": T0,
            **fields,
        }
    )


def _note(channel: NotificationChannel, alert_id: str, transition: str = "opened") -> Notification:
    return Notification(
        organisation_id=channel.organisation_id,
        channel_id=channel.id,
        alert_id=alert_id,
        transition=transition,
        payload={"alert": {"id": alert_id}},
        next_attempt_at=T0,
        created_at=T0,
    )


def test_channels_are_scoped_saved_and_deleted(store: Store) -> None:
    first = store.save_channel(_channel())
    second = store.save_channel(_channel("mail", kind=ChannelKind.EMAIL, created_at=at(hours=1)))
    assert [c.id for c in store.list_channels(ORG)] == [first.id, second.id]
    assert store.list_channels(OTHER_ORG) == []
    assert store.get_channel(OTHER_ORG, first.id) is None
    renamed = store.save_channel(first.model_copy(update={"name": "renamed", "enabled": False}))
    assert store.get_channel(ORG, first.id) == renamed
    assert not store.delete_channel(OTHER_ORG, first.id)
    assert store.delete_channel(ORG, first.id)
    assert [c.id for c in store.list_channels(ORG)] == [second.id]


def test_each_transition_is_queued_once_and_claimed_once(store: Store) -> None:
    channel = store.save_channel(_channel())
    assert store.enqueue_notifications([_note(channel, "a1"), _note(channel, "a2")]) == 2
    again = [_note(channel, "a1"), _note(channel, "a1", "resolved")]
    assert store.enqueue_notifications(again) == 1  # a1/opened was queued already
    assert store.enqueue_notifications([]) == 0

    taken = store.claim_notifications(now=at(minutes=1), lease_until=at(minutes=5), limit=2)
    assert len(taken) == 2 and {n.next_attempt_at for n in taken} == {at(minutes=5)}
    rest = store.claim_notifications(now=at(minutes=1), lease_until=at(minutes=5), limit=10)
    assert [(n.alert_id, n.transition) for n in rest] == [("a1", "resolved")]
    assert store.claim_notifications(now=at(minutes=2), lease_until=at(minutes=6), limit=10) == []

    done = taken[0].model_copy(
        update={"state": DeliveryState.DELIVERED, "attempts": 1, "delivered_at": at(minutes=2)}
    )
    store.save_notification(done)
    # The lease of the others runs out: they are due again; the delivered one never is.
    later = store.claim_notifications(now=at(minutes=10), lease_until=at(minutes=15), limit=10)
    assert {n.id for n in later} == {taken[1].id, rest[0].id}
    listed = {n.id: n for n in store.list_notifications(ORG)}
    assert listed[done.id] == done
    assert store.list_notifications(OTHER_ORG) == []
