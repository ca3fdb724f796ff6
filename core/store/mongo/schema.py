"""Collections, indexes, log retention and the numbered migrations run at connect.

Every query the store sends is served by one of the indexes below; they are
(re)declared on every connect, which MongoDB treats as a no-op when an index
with the same keys and options exists. Two constraints live in the database
rather than in code, because only the database sees concurrent writers:

- one active (queued, running, paused) run per connection: `active_connection`
  is set on a run only while it is active, and a unique index whose
  partialFilterExpression is `{active_connection: {$exists: true}}` (a form
  every MongoDB version accepts) refuses a second one;
- one open conflict per record and one unresolved alert per
  (connection, kind), by the same pattern (`open_record`, `open_alert`).

Documents keep the model's `id` as an ordinary field, unique per organisation
(every read names the organisation), and leave `_id` to MongoDB (an ObjectId),
as the SQLite store keeps `seq` beside `id`; orderings end with `id`, so
"newest first" is total and pages are stable. An organisation is its own
scope: its `_id` is its id.

The schema version lives in `meta` as `{_id: "schema", version: N}`. A database
written by newer code is refused before anything is touched, so an old process
never "repairs" data it does not understand. Migrations must be idempotent:
two processes may connect to an old database at the same moment.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any, NamedTuple

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.database import Database
from pymongo.errors import CollectionInvalid

from core.clock import utcnow
from core.errors import StoreError

META = "meta"
ORGANISATIONS = "organisations"
CONNECTIONS = "connections"
LOGS = "logs"
RECORDS = "records"
RECORD_CHANGES = "record_changes"
SYNC_STATES = "sync_states"
RUNS = "runs"
CONFLICTS = "conflicts"
ALERTS = "alerts"
RECORD_ISSUES = "record_issues"
API_KEYS = "api_keys"
USERS = "users"
CHANNELS = "notification_channels"
NOTIFICATIONS = "notifications"
LEASES = "leases"
SESSIONS = "sessions"
MARKS = "marks"

COLLECTIONS = (
    META,
    ORGANISATIONS,
    CONNECTIONS,
    LOGS,
    RECORDS,
    RECORD_CHANGES,
    SYNC_STATES,
    RUNS,
    CONFLICTS,
    ALERTS,
    RECORD_ISSUES,
    API_KEYS,
    USERS,
    CHANNELS,
    NOTIFICATIONS,
    LEASES,
    SESSIONS,
    MARKS,
)

LOG_TTL_INDEX = "logs_retention_ttl"
SECONDS_PER_DAY = 86_400

_PRESENT = {"$exists": True}


def _index(name: str, *keys: str, **options: Any) -> IndexModel:
    """`_index("logs_org_time", "organisation_id", "-time")`: a leading `-` sorts descending."""
    spec = [(k.lstrip("-"), DESCENDING if k.startswith("-") else ASCENDING) for k in keys]
    return IndexModel(spec, name=name, **options)


def _unique_id(collection: str) -> IndexModel:
    """Ids are unique per organisation, the scope every read names."""
    return _index(f"{collection}_key_unique", "organisation_id", "id", unique=True)


INDEXES: dict[str, list[IndexModel]] = {
    CONNECTIONS: [
        _unique_id(CONNECTIONS),
        _index("connections_name_unique", "organisation_id", "name", unique=True),
    ],
    LOGS: [
        _unique_id(LOGS),  # append_logs skips ids already stored; get_log
        # newest-first pages, exports (keyset on time, id) and the KPI window
        _index("logs_org_time", "organisation_id", "-time", "-id"),
        _index("logs_org_connection_time", "organisation_id", "connection_id", "-time", "-id"),
        _index("logs_org_run_time", "organisation_id", "run_id", "-time", "-id"),
        _index("logs_org_operation_time", "organisation_id", "operation", "-time"),
        _index("logs_org_level_time", "organisation_id", "level", "-time"),
    ],
    RECORDS: [
        _index(
            "records_key_unique",
            "organisation_id",
            "connection_id",
            "entity",
            "external_id",
            unique=True,
        ),
        # count_records: live records per entity, read from the index alone
        _index("records_live", "organisation_id", "connection_id", "deleted", "entity"),
        # iter_records(pending_only=True): `local_change` exists only while a push is pending
        _index(
            "records_pending",
            "organisation_id",
            "connection_id",
            "entity",
            "external_id",
            partialFilterExpression={"local_change": _PRESENT},
        ),
    ],
    RECORD_CHANGES: [
        # one record's history, newest first; ties on `at` are sorted by _id in memory
        # (a record's history is short and the query is limited)
        _index(
            "record_changes_history",
            "organisation_id",
            "connection_id",
            "entity",
            "external_id",
            "-at",
        ),
    ],
    SYNC_STATES: [
        _index("sync_states_key_unique", "organisation_id", "connection_id", "entity", unique=True),
    ],
    RUNS: [
        _unique_id(RUNS),
        _index("runs_id", "id"),  # claim_run, heartbeat_run, finish_run name only the run
        _index("runs_org_created", "organisation_id", "-created_at", "-id"),
        _index(
            "runs_org_connection_created", "organisation_id", "connection_id", "-created_at", "-id"
        ),
        _index("runs_claim", "state", "created_at", "id"),  # oldest claimable first
        _index(
            "runs_one_active_per_connection",
            "organisation_id",
            "active_connection",
            unique=True,
            partialFilterExpression={"active_connection": _PRESENT},
        ),
    ],
    CONFLICTS: [
        _unique_id(CONFLICTS),
        _index("conflicts_org_status", "organisation_id", "status", "-detected_at", "-id"),
        _index(
            "conflicts_org_connection",
            "organisation_id",
            "connection_id",
            "status",
            "-detected_at",
            "-id",
        ),
        _index(
            "conflicts_one_open_per_record",
            "organisation_id",
            "open_record",
            unique=True,
            partialFilterExpression={"open_record": _PRESENT},
        ),
    ],
    RECORD_ISSUES: [
        _unique_id(RECORD_ISSUES),
        _index("record_issues_org_connection", "organisation_id", "connection_id", "state"),
    ],
    ALERTS: [
        _unique_id(ALERTS),
        _index("alerts_org_last_seen", "organisation_id", "-last_seen_at", "-id"),
        _index(
            "alerts_one_open_per_kind",
            "organisation_id",
            "open_alert",
            unique=True,
            partialFilterExpression={"open_alert": _PRESENT},
        ),
    ],
    # Authentication finds a key by id alone (it learns the organisation from it).
    API_KEYS: [
        _index("api_keys_id_unique", "id", unique=True),
        _index("api_keys_org", "organisation_id", "-id"),
    ],
    USERS: [
        _index("users_id_unique", "id", unique=True),
        _index("users_username_unique", "username", unique=True),
        _index("users_org", "organisation_id", "-id"),
    ],
    CHANNELS: [
        _unique_id(CHANNELS),
        _index("channels_org_created", "organisation_id", "created_at", "id"),
    ],
    NOTIFICATIONS: [
        _unique_id(NOTIFICATIONS),
        _index("notifications_once", "channel_id", "alert_id", "transition", unique=True),
        _index("notifications_due", "state", "next_attempt_at", "id"),
        _index("notifications_org_created", "organisation_id", "-created_at", "-id"),
    ],
    LEASES: [_index("leases_name_unique", "name", unique=True)],
    SESSIONS: [
        _index("sessions_id_unique", "id", unique=True),
        _index("sessions_org_user", "organisation_id", "user_id", "expires_at"),
        _index("sessions_org_created", "organisation_id", "-created_at", "-id"),
        _index("sessions_expiry", "expires_at"),
    ],
    # `_id` is the mark's name. Expired marks are swept by the writes (as in SQLite), not
    # by a TTL index, so the store's clock (not the server's) decides what has expired.
    MARKS: [_index("marks_expiry", "expires_at")],
}


class Migration(NamedTuple):
    version: int
    description: str
    apply: Callable[[Database[Any]], None]


def _create_collections(db: Database[Any]) -> None:
    existing = set(db.list_collection_names())
    for name in COLLECTIONS:
        if name not in existing:
            with contextlib.suppress(CollectionInvalid):  # another process was quicker
                db.create_collection(name)


def _alerts_have_a_lifecycle(db: Database[Any]) -> None:
    """Alerts acknowledged before version 5 were closed by it: they count as resolved."""
    alerts = db[ALERTS]
    for doc in alerts.find({"acknowledged_at": {"$ne": None}, "resolved_at": {"$exists": False}}):
        alerts.update_one(
            {"_id": doc["_id"]},
            {"$set": {"resolved_at": doc["acknowledged_at"]}, "$unset": {"open_alert": ""}},
        )


MIGRATIONS: list[Migration] = [
    Migration(1, "create the collections", _create_collections),
    Migration(2, "create the record_issues collection", _create_collections),
    Migration(3, "create the api_keys collection", _create_collections),
    Migration(4, "create the users collection", _create_collections),
    Migration(5, "alerts open until resolved", _alerts_have_a_lifecycle),
    Migration(6, "notification channels and outbox", _create_collections),
    Migration(7, "leases", _create_collections),
    Migration(8, "sign-in sessions and shared marks", _create_collections),
]
SCHEMA_VERSION = MIGRATIONS[-1].version


def stored_version(db: Database[Any]) -> int:
    meta = db[META].find_one({"_id": "schema"})
    return int(meta["version"]) if meta else 0


def ensure_schema(db: Database[Any], *, log_retention_days: int) -> int:
    """Refuse a newer schema, migrate an older one, declare indexes and log retention."""
    current = stored_version(db)
    if current > SCHEMA_VERSION:
        raise StoreError(
            f"The MongoDB database '{db.name}' has schema version {current}, newer than "
            f"this version of ToothPick Integration Hub understands ({SCHEMA_VERSION}); "
            "upgrade the hub before connecting it to this database."
        )
    for migration in MIGRATIONS:
        if migration.version <= current:
            continue
        migration.apply(db)
        db[META].replace_one(
            {"_id": "schema"},
            {
                "_id": "schema",
                "version": migration.version,
                "description": migration.description,
                "migrated_at": utcnow(),
            },
            upsert=True,
        )
    for collection, indexes in INDEXES.items():
        db[collection].create_indexes(indexes)
    ensure_log_retention(db, log_retention_days)
    return max(current, SCHEMA_VERSION)


def ensure_log_retention(db: Database[Any], days: int) -> None:
    """TTL index on log time; a changed retention setting is applied with collMod.

    Found by key rather than by name so an index created by hand is adopted,
    not duplicated (MongoDB refuses two indexes on the same key anyway).
    """
    seconds = days * SECONDS_PER_DAY
    logs = db[LOGS]
    current = next(
        (ix for ix in logs.list_indexes() if dict(ix["key"]) == {"time": ASCENDING}), None
    )
    if current is None:
        logs.create_index([("time", ASCENDING)], name=LOG_TTL_INDEX, expireAfterSeconds=seconds)
    elif current.get("expireAfterSeconds") != seconds:
        db.command("collMod", LOGS, index={"name": current["name"], "expireAfterSeconds": seconds})
