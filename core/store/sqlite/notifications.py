"""Notification channels and the notification outbox.

Rows keep the columns queries need beside the whole model as JSON (`doc`):
nothing here is aggregated, so one JSON read per row is the simplest faithful
mapping. `notifications_once` makes a second enqueue of the same (channel,
alert, transition) a no-op; the claim runs under `BEGIN IMMEDIATE`, so two
dispatchers never take the same notification.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime

from core.models import Notification, NotificationChannel
from core.store.sqlite.codec import to_us
from core.store.sqlite.db import StoreArea

SCHEMA = (
    """CREATE TABLE notification_channels (
        organisation_id TEXT NOT NULL,
        id TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        doc TEXT NOT NULL,
        PRIMARY KEY (organisation_id, id)
    )""",
    """CREATE TABLE notifications (
        id TEXT PRIMARY KEY,
        organisation_id TEXT NOT NULL,
        channel_id TEXT NOT NULL,
        alert_id TEXT NOT NULL,
        transition TEXT NOT NULL,
        state TEXT NOT NULL,
        next_attempt_at INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        doc TEXT NOT NULL
    )""",
    """CREATE UNIQUE INDEX notifications_once
        ON notifications (channel_id, alert_id, transition)""",
    """CREATE INDEX notifications_due ON notifications (next_attempt_at, id)
        WHERE state = 'pending'""",
    "CREATE INDEX notifications_by_organisation ON notifications (organisation_id, created_at)",
)

_UPSERT_NOTIFICATION = (
    "INSERT INTO notifications (id, organisation_id, channel_id, alert_id, transition, state, "
    "next_attempt_at, created_at, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _values(n: Notification) -> tuple[object, ...]:
    return (
        n.id,
        n.organisation_id,
        n.channel_id,
        n.alert_id,
        n.transition,
        n.state.value,
        to_us(n.next_attempt_at),
        to_us(n.created_at),
        n.model_dump_json(),
    )


class NotificationsMixin(StoreArea):
    def save_channel(self, channel: NotificationChannel) -> NotificationChannel:
        with self._db.write() as db:
            db.execute(
                "INSERT INTO notification_channels (organisation_id, id, created_at, doc) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (organisation_id, id) DO UPDATE SET doc = "
                "excluded.doc",
                (
                    channel.organisation_id,
                    channel.id,
                    to_us(channel.created_at),
                    channel.model_dump_json(),
                ),
            )
        return channel

    def get_channel(self, organisation_id: str, channel_id: str) -> NotificationChannel | None:
        with self._db.read() as db:
            row = db.execute(
                "SELECT doc FROM notification_channels WHERE organisation_id = ? AND id = ?",
                (organisation_id, channel_id),
            ).fetchone()
        return None if row is None else NotificationChannel.model_validate_json(row[0])

    def list_channels(self, organisation_id: str) -> list[NotificationChannel]:
        with self._db.read() as db:
            rows = db.execute(
                "SELECT doc FROM notification_channels WHERE organisation_id = ? "
                "ORDER BY created_at, id",
                (organisation_id,),
            ).fetchall()
        return [NotificationChannel.model_validate_json(row[0]) for row in rows]

    def delete_channel(self, organisation_id: str, channel_id: str) -> bool:
        with self._db.write() as db:
            cursor = db.execute(
                "DELETE FROM notification_channels WHERE organisation_id = ? AND id = ?",
                (organisation_id, channel_id),
            )
            db.execute(
                "DELETE FROM notifications WHERE organisation_id = ? AND channel_id = ? "
                "AND state = 'pending'",
                (organisation_id, channel_id),
            )
            return cursor.rowcount == 1

    def enqueue_notifications(self, notifications: Sequence[Notification]) -> int:
        added = 0
        with self._db.write() as db:
            for notification in notifications:
                try:
                    db.execute(_UPSERT_NOTIFICATION, _values(notification))
                except sqlite3.IntegrityError:
                    continue
                added += 1
        return added

    def claim_notifications(
        self, *, now: datetime, lease_until: datetime, limit: int
    ) -> list[Notification]:
        with self._db.write() as db:
            rows = db.execute(
                "SELECT doc FROM notifications WHERE state = 'pending' AND next_attempt_at <= ? "
                "ORDER BY next_attempt_at, id LIMIT ?",
                (to_us(now), max(limit, 0)),
            ).fetchall()
            claimed = [
                Notification.model_validate_json(row[0]).model_copy(
                    update={"next_attempt_at": lease_until}
                )
                for row in rows
            ]
            if claimed:
                db.executemany(
                    "UPDATE notifications SET next_attempt_at = ?, doc = ? WHERE id = ?",
                    [(to_us(lease_until), n.model_dump_json(), n.id) for n in claimed],
                )
        return claimed

    def save_notification(self, notification: Notification) -> None:
        with self._db.write() as db:
            db.execute(
                "UPDATE notifications SET state = ?, next_attempt_at = ?, doc = ? WHERE id = ?",
                (
                    notification.state.value,
                    to_us(notification.next_attempt_at),
                    notification.model_dump_json(),
                    notification.id,
                ),
            )

    def list_notifications(self, organisation_id: str, *, limit: int = 50) -> list[Notification]:
        with self._db.read() as db:
            rows = db.execute(
                "SELECT doc FROM notifications WHERE organisation_id = ? "
                "ORDER BY created_at DESC, id DESC LIMIT ?",
                (organisation_id, max(limit, 0)),
            ).fetchall()
        return [Notification.model_validate_json(row[0]) for row in rows]
