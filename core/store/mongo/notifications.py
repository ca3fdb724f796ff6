"""Notification channels and the notification outbox.

`notifications_once` (unique on channel, alert, transition) makes a second
enqueue a no-op. A claim is a compare-and-set per document: the candidate is
replaced only if it is still pending with the `next_attempt_at` it was read
with, so two dispatchers never take the same notification. Whole-document
replaces keep every top-level time a BSON date.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pymongo import ASCENDING, DESCENDING
from pymongo.errors import BulkWriteError, DuplicateKeyError

from core.models import DeliveryState, Notification, NotificationChannel
from core.store.mongo.base import MongoBase
from core.store.mongo.documents import from_document, to_document
from core.store.mongo.schema import CHANNELS, NOTIFICATIONS


class NotificationsMixin(MongoBase):
    def save_channel(self, channel: NotificationChannel) -> NotificationChannel:
        self._col(CHANNELS).replace_one(
            {"organisation_id": channel.organisation_id, "id": channel.id},
            to_document(channel),
            upsert=True,
        )
        return channel

    def get_channel(self, organisation_id: str, channel_id: str) -> NotificationChannel | None:
        doc = self._col(CHANNELS).find_one({"organisation_id": organisation_id, "id": channel_id})
        return from_document(NotificationChannel, doc) if doc else None

    def list_channels(self, organisation_id: str) -> list[NotificationChannel]:
        cursor = (
            self._col(CHANNELS)
            .find({"organisation_id": organisation_id})
            .sort([("created_at", ASCENDING), ("id", ASCENDING)])
        )
        return [from_document(NotificationChannel, doc) for doc in cursor]

    def delete_channel(self, organisation_id: str, channel_id: str) -> bool:
        self._col(NOTIFICATIONS).delete_many(
            {
                "organisation_id": organisation_id,
                "channel_id": channel_id,
                "state": DeliveryState.PENDING.value,
            }
        )
        result = self._col(CHANNELS).delete_one(
            {"organisation_id": organisation_id, "id": channel_id}
        )
        return result.deleted_count == 1

    def enqueue_notifications(self, notifications: Sequence[Notification]) -> int:
        if not notifications:
            return 0
        try:
            result = self._col(NOTIFICATIONS).insert_many(
                [to_document(n) for n in notifications], ordered=False
            )
        except BulkWriteError as exc:
            duplicates = [e for e in exc.details.get("writeErrors", []) if e.get("code") == 11000]
            if len(duplicates) != len(exc.details.get("writeErrors", [])):
                raise
            return int(exc.details.get("nInserted", 0))
        return len(result.inserted_ids)

    def claim_notifications(
        self, *, now: datetime, lease_until: datetime, limit: int
    ) -> list[Notification]:
        outbox, claimed = self._col(NOTIFICATIONS), list[Notification]()
        due = {"state": DeliveryState.PENDING.value, "next_attempt_at": {"$lte": now}}
        order = [("next_attempt_at", ASCENDING), ("id", ASCENDING)]
        for doc in outbox.find(due).sort(order).limit(max(limit, 0)):
            taken = from_document(Notification, doc).model_copy(
                update={"next_attempt_at": lease_until}
            )
            guard = {
                "_id": doc["_id"],
                "state": DeliveryState.PENDING.value,
                "next_attempt_at": doc["next_attempt_at"],
            }
            try:
                result = outbox.replace_one(guard, to_document(taken))
            except DuplicateKeyError:  # pragma: no cover - the unique keys do not change
                continue
            if result.modified_count == 1:
                claimed.append(taken)
        return claimed

    def save_notification(self, notification: Notification) -> None:
        self._col(NOTIFICATIONS).replace_one(
            {"organisation_id": notification.organisation_id, "id": notification.id},
            to_document(notification),
        )

    def list_notifications(self, organisation_id: str, *, limit: int = 50) -> list[Notification]:
        cursor = (
            self._col(NOTIFICATIONS)
            .find({"organisation_id": organisation_id})
            .sort([("created_at", DESCENDING), ("id", DESCENDING)])
            .limit(max(limit, 0))
        )
        return [from_document(Notification, doc) for doc in cursor]
