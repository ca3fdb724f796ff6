"""The Store protocol: everything the product persists, and nothing more.

Two implementations (core.store.sqlite, core.store.mongo) pass one contract
suite (tests/core/store/). Every read and write of tenant data takes the
organisation id and never returns another organisation's objects; the only
unscoped calls are the ones system processes need (the scheduler listing all
connections, a worker claiming the next run, retention purges).

Contracts every implementation keeps:
- Writes are atomic per call: a failed call leaves what was stored as it was.
- Times are timezone-aware UTC in and out.
- `upsert_records` compares content hashes in the database and reports
  created / updated / unchanged; it writes one RecordChange per real change.
- `create_run` refuses a second active (queued, running, paused) run of a
  connection with RunAlreadyActiveError; `claim_next_run` gives each run to
  exactly one worker even when many call it at once.
- Aggregations (KPIs, counts) run inside the database.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any, Protocol

from core.errors import FailureCategory
from core.models import (
    Alert,
    AlertKind,
    ApiKey,
    Conflict,
    ConflictStatus,
    Connection,
    Entity,
    EntityCounts,
    IssueState,
    Lease,
    LogEntry,
    Notification,
    NotificationChannel,
    Organisation,
    PlannedChange,
    Record,
    RecordChange,
    RecordIssue,
    RecordVersion,
    RecordWrite,
    RunProgress,
    RunState,
    Session,
    SyncRun,
    SyncState,
    User,
)
from core.store.queries import (
    Bucket,
    CountRow,
    ErrorGroup,
    HeartbeatAck,
    KpiGroup,
    KpiRow,
    LogFilter,
    Page,
    PageState,
    UpsertResult,
    VolumeRow,
)


class ConnectionStore(Protocol):
    def ensure_organisation(self, organisation: Organisation) -> Organisation: ...
    def get_organisation(self, organisation_id: str) -> Organisation | None: ...

    def create_connection(self, connection: Connection) -> Connection:
        """AlreadyExistsError if the organisation has a connection of that name."""
        ...

    def get_connection(self, organisation_id: str, connection_id: str) -> Connection | None: ...
    def get_connection_by_name(self, organisation_id: str, name: str) -> Connection | None: ...

    def locate_connection(self, connection_id: str) -> Connection | None:
        """Unscoped, for inbound webhooks only: the vendor's URL names the connection
        alone, and the caller is trusted only after its signature checks out."""
        ...

    def list_connections(self, organisation_id: str | None) -> list[Connection]:
        """`None` lists every organisation's: for the scheduler and key rotation only."""
        ...

    def update_connection(
        self, connection: Connection, *, expected_secret: str | None = None
    ) -> Connection:
        """Replace the stored connection's settings (same id and organisation); NotFoundError
        if absent. The sealed secret is left as stored (a worker may have just refreshed a
        token into it) unless `expected_secret` is given: then it is written too, only if the
        stored one still equals `expected_secret` (compare-and-set; ChangedMeanwhileError
        otherwise, and nothing is written). Returns the connection as stored."""
        ...

    def reseal_connection_secret(
        self, organisation_id: str, connection_id: str, *, expected: str, sealed_secret: str
    ) -> bool:
        """Compare-and-set of the sealed secret (key rotation, OAuth refresh write-back)."""
        ...

    def delete_connection(self, organisation_id: str, connection_id: str) -> bool:
        """Removes the connection with its records, changes, sync states and open
        conflicts; runs and log entries stay for the audit trail."""
        ...


class LogStore(Protocol):
    def append_logs(self, entries: Sequence[LogEntry]) -> int:
        """Insert in one batch; entries whose id is already stored are skipped
        (so re-importing a file is harmless). Returns how many were new."""
        ...

    def get_log(self, organisation_id: str, log_id: str) -> LogEntry | None: ...

    def query_logs(
        self, organisation_id: str, query: LogFilter, *, offset: int = 0, limit: int = 50
    ) -> Page[LogEntry]:
        """Newest first, with the total count of matching entries."""
        ...

    def iter_logs(
        self, organisation_id: str, query: LogFilter, *, batch_size: int = 1000
    ) -> Iterator[LogEntry]:
        """Every matching entry, newest first, streamed (exports never load all rows)."""
        ...

    def kpis(
        self,
        organisation_id: str,
        *,
        since: datetime,
        until: datetime,
        group_by: KpiGroup | None = KpiGroup.SYSTEM,
        bucket: Bucket | None = None,
    ) -> list[KpiRow]: ...

    def sync_p95_ms(
        self, organisation_id: str, connection_id: str, *, since: datetime, until: datetime
    ) -> float | None:
        """One connection's p95 sync duration in [since, until), as `kpis` computes it (the
        alert rules ask after every run; a whole organisation's KPIs would cost more with
        every connection)."""
        ...

    def volume_by_entity(
        self,
        organisation_id: str,
        *,
        since: datetime,
        until: datetime,
        bucket: Bucket | None = None,
    ) -> list[VolumeRow]: ...

    def error_counts(
        self, organisation_id: str, *, since: datetime, until: datetime, group_by: ErrorGroup
    ) -> list[CountRow]: ...

    def purge_logs(self, older_than: datetime) -> int:
        """Retention: delete entries older than the cut-off in every organisation."""
        ...


class RecordStore(Protocol):
    def get_records(
        self, organisation_id: str, connection_id: str, entity: Entity, external_ids: Sequence[str]
    ) -> dict[str, Record]: ...

    def get_record_versions(
        self, organisation_id: str, connection_id: str, entity: Entity, external_ids: Sequence[str]
    ) -> dict[str, RecordVersion]:
        """Hash, deletion and pending local change of the stored ones (the pull's view)."""
        ...

    def upsert_records(
        self,
        organisation_id: str,
        connection_id: str,
        entity: Entity,
        writes: Sequence[RecordWrite],
        *,
        run_id: str | None,
        state: PageState | None = None,
    ) -> UpsertResult:
        """Create, update (hash differs), or leave unchanged; `deleted=True` soft-deletes.
        A pending local change on a record is left as it is. `state` (the same stream's
        sync state, a page's checkpoint) is saved with the records, in one transaction
        where the store has them; given as a function, it is called in that transaction
        with the write's result. A creation's RecordChange keeps no data (`after` is
        None): `record_history` fills it in from the record."""
        ...

    def iter_records(
        self,
        organisation_id: str,
        connection_id: str,
        entity: Entity,
        *,
        pending_only: bool = False,
        include_deleted: bool = False,
        batch_size: int = 1000,
    ) -> Iterator[Record]: ...

    def iter_external_ids(
        self, organisation_id: str, connection_id: str, entity: Entity, *, batch_size: int = 5000
    ) -> Iterator[str]:
        """External ids of the live (not deleted) records, in id order, without their data
        (a full sync's sweep and reconciliation compare them with the vendor's)."""
        ...

    def save_record_issues(self, issues: Sequence[RecordIssue]) -> None:
        """Insert or replace per-record failures by id."""
        ...

    def list_record_issues(
        self,
        organisation_id: str,
        *,
        connection_id: str | None = None,
        states: Sequence[IssueState] = (IssueState.OPEN,),
    ) -> list[RecordIssue]:
        """Per-record failures in those states (all states when empty)."""
        ...

    def count_records(self, organisation_id: str, connection_id: str) -> dict[Entity, int]:
        """Live (not deleted) records held per entity."""
        ...

    def set_local_change(
        self,
        organisation_id: str,
        connection_id: str,
        entity: Entity,
        external_id: str,
        fields: dict[str, Any],
        *,
        at: datetime,
    ) -> Record:
        """Apply an edit made in ToothPick: merged into `data` and into `local_change`
        (pending push); writes a LOCAL_EDIT change. NotFoundError if no such record.
        An unknown `external_id` starting with `local:` creates a new local record."""
        ...

    def delete_locally(
        self,
        organisation_id: str,
        connection_id: str,
        entity: Entity,
        external_id: str,
        *,
        at: datetime,
    ) -> Record:
        """A deletion made in ToothPick: the record leaves the live ones at once, any
        pending edit is dropped, and a LOCAL_DELETE change is written. The deletion is
        pending push (`Record.local_delete`) unless the record is a `local:` one the
        vendor never had. NotFoundError if no such live record."""
        ...

    def undo_local_delete(
        self,
        organisation_id: str,
        connection_id: str,
        entity: Entity,
        external_id: str,
        *,
        at: datetime,
    ) -> Record:
        """A deletion made in ToothPick taken back before its push: the record is live
        again as it was (a RESTORED change). NotFoundError unless a deletion is pending."""
        ...

    def mark_delete_pushed(
        self,
        organisation_id: str,
        connection_id: str,
        entity: Entity,
        external_id: str,
        *,
        run_id: str | None,
    ) -> None:
        """The vendor's copy is deleted too (or was already gone): the pending deletion
        is cleared and a DELETED change is written. A record no longer pending deletion
        (a pull restored it meanwhile) is left alone."""
        ...

    def mark_pushed(
        self,
        organisation_id: str,
        connection_id: str,
        entity: Entity,
        external_id: str,
        *,
        new_external_id: str,
        data: dict[str, Any],
        content_hash: str,
        source_updated_at: datetime | None,
        run_id: str | None,
    ) -> None:
        """After a successful push: clear `local_change`, store the vendor's id
        (renaming a `local:` record) and timestamp, write a PUSHED change."""
        ...

    def clear_local_change(
        self, organisation_id: str, connection_id: str, entity: Entity, external_id: str
    ) -> None: ...

    def record_history(
        self,
        organisation_id: str,
        connection_id: str,
        entity: Entity,
        external_id: str,
        *,
        limit: int = 100,
    ) -> list[RecordChange]: ...

    def get_sync_state(
        self, organisation_id: str, connection_id: str, entity: Entity
    ) -> SyncState | None: ...

    def save_sync_state(self, state: SyncState) -> None: ...


class RunStore(Protocol):
    def create_run(self, run: SyncRun) -> SyncRun:
        """RunAlreadyActiveError if the connection has a queued, running or paused run."""
        ...

    def get_run(self, organisation_id: str, run_id: str) -> SyncRun | None: ...

    def list_runs(
        self,
        organisation_id: str,
        *,
        connection_id: str | None = None,
        states: Sequence[RunState] = (),
        offset: int = 0,
        limit: int = 50,
    ) -> Page[SyncRun]:
        """Newest first."""
        ...

    def latest_runs(self, organisation_id: str) -> dict[str, SyncRun]:
        """The most recent run of each connection (for status cards)."""
        ...

    def claim_next_run(
        self, worker_id: str, *, now: datetime, stale_before: datetime
    ) -> SyncRun | None:
        """Atomically take the oldest claimable run: queued, paused whose
        `resume_after` has passed, or running whose heartbeat is older than
        `stale_before`. Sets running, worker, heartbeat, started_at (first time)
        and increments `attempt`."""
        ...

    def claim_run(
        self, run_id: str, worker_id: str, *, now: datetime, stale_before: datetime
    ) -> SyncRun | None:
        """The same claim for one given run (a task-queue message names it)."""
        ...

    def heartbeat_run(
        self,
        run_id: str,
        worker_id: str,
        *,
        now: datetime,
        progress: RunProgress,
        counts: dict[Entity, EntityCounts],
    ) -> HeartbeatAck: ...

    def finish_run(
        self,
        run_id: str,
        worker_id: str,
        *,
        now: datetime,
        state: RunState,
        counts: dict[Entity, EntityCounts],
        planned: Sequence[PlannedChange] = (),
        error: str | None = None,
        error_category: FailureCategory | None = None,
        resume_after: datetime | None = None,
        retries: int | None = None,
    ) -> bool:
        """End (or pause) a run this worker owns; False if it no longer owns it.
        `retries` set: the run's retry count becomes it (a failed attempt to retry later)."""
        ...

    def request_cancel(self, organisation_id: str, run_id: str, *, now: datetime) -> SyncRun:
        """A queued or paused run is cancelled at once; a running one is flagged and its
        worker stops at the next checkpoint. NotFoundError if absent."""
        ...


class ReviewStore(Protocol):
    def add_conflict(self, conflict: Conflict) -> Conflict:
        """One open conflict per record: a newer one replaces the open one's versions."""
        ...

    def get_conflict(self, organisation_id: str, conflict_id: str) -> Conflict | None: ...

    def list_conflicts(
        self,
        organisation_id: str,
        *,
        status: ConflictStatus | None = ConflictStatus.OPEN,
        connection_id: str | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> Page[Conflict]: ...

    def save_conflict(self, conflict: Conflict) -> Conflict: ...

    def raise_alert(self, alert: Alert) -> Alert:
        """Deduplicated: an unresolved alert of the same (connection, kind) has its
        count, message and last_seen_at updated instead (the returned id then differs
        from the given one, which is how callers tell "opened" from "seen again")."""
        ...

    def list_alerts(self, organisation_id: str, *, open_only: bool = True) -> list[Alert]:
        """Most recently seen first; `open_only` lists the unresolved ones."""
        ...

    def acknowledge_alert(
        self, organisation_id: str, alert_id: str, *, at: datetime, by: str | None = None
    ) -> Alert | None:
        """The alert if this call acknowledged it (unresolved, not yet acknowledged)."""
        ...

    def resolve_alerts(
        self,
        organisation_id: str,
        *,
        at: datetime,
        by: str,
        connection_id: str | None = None,
        kinds: Sequence[AlertKind] = (),
        alert_id: str | None = None,
    ) -> list[Alert]:
        """Resolve the matching unresolved alerts; each is returned to exactly one caller."""
        ...


class NotificationStore(Protocol):
    def save_channel(self, channel: NotificationChannel) -> NotificationChannel:
        """Insert, or replace the organisation's channel of that id."""
        ...

    def get_channel(self, organisation_id: str, channel_id: str) -> NotificationChannel | None: ...
    def list_channels(self, organisation_id: str) -> list[NotificationChannel]:
        """Oldest first."""
        ...

    def delete_channel(self, organisation_id: str, channel_id: str) -> bool:
        """Removes the channel and its undelivered notifications."""
        ...

    def enqueue_notifications(self, notifications: Sequence[Notification]) -> int:
        """Queue each once: a second one for the same (channel, alert, transition) is
        skipped. Returns how many were new."""
        ...

    def claim_notifications(
        self, *, now: datetime, lease_until: datetime, limit: int
    ) -> list[Notification]:
        """Atomically take pending notifications due by `now`, oldest due first, and
        move their `next_attempt_at` to `lease_until`, so that no other dispatcher
        sends them meanwhile (a dispatcher that dies lets the lease run out)."""
        ...

    def save_notification(self, notification: Notification) -> None:
        """Replace the stored notification (the dispatcher's result)."""
        ...

    def list_notifications(self, organisation_id: str, *, limit: int = 50) -> list[Notification]:
        """Newest first."""
        ...


class LeaseStore(Protocol):
    def acquire_lease(self, lease: Lease, *, now: datetime) -> Lease | None:
        """Take or renew the named lease: granted when nobody holds it, it expired by
        `now`, or `lease.holder` holds it already (then `acquired_at` is kept).
        None when another holder's lease is still valid. Atomic across processes."""
        ...

    def release_lease(self, name: str, holder: str) -> bool: ...
    def list_leases(self, prefix: str = "") -> list[Lease]:
        """Every stored lease whose name starts with `prefix` (expired ones too)."""
        ...


class AccessStore(Protocol):
    def create_api_key(self, key: ApiKey) -> ApiKey:
        """AlreadyExistsError if the id is taken."""
        ...

    def get_api_key(self, key_id: str) -> ApiKey | None:
        """Unscoped on purpose: authentication learns the organisation from the key."""
        ...

    def list_api_keys(self, organisation_id: str) -> list[ApiKey]:
        """Newest first, revoked ones included."""
        ...

    def revoke_api_key(self, organisation_id: str, key_id: str, *, at: datetime) -> bool:
        """True if this call revoked an active key of the organisation."""
        ...

    def create_user(self, user: User) -> User:
        """AlreadyExistsError if the username is taken (usernames are global: sign-in
        names no organisation)."""
        ...

    def get_user(self, user_id: str) -> User | None: ...
    def find_user(self, username: str) -> User | None: ...

    def list_users(self, organisation_id: str) -> list[User]:
        """Newest first, disabled ones included."""
        ...

    def disable_user(self, organisation_id: str, user_id: str, *, at: datetime) -> bool:
        """True if this call disabled an active user of the organisation."""
        ...


class SessionStore(Protocol):
    def create_session(self, session: Session) -> Session: ...
    def get_session(self, session_id: str) -> Session | None:
        """Unscoped on purpose: authentication learns the organisation from the session."""
        ...

    def list_sessions(
        self, organisation_id: str, *, active_at: datetime, user_id: str | None = None
    ) -> list[Session]:
        """Unrevoked sessions expiring after `active_at`, newest first."""
        ...

    def revoke_sessions(
        self,
        organisation_id: str,
        *,
        at: datetime,
        session_id: str | None = None,
        user_id: str | None = None,
    ) -> int:
        """Revoke one session, or every session of a user; the number revoked."""
        ...


class MarkStore(Protocol):
    """Short-lived shared marks: replay fingerprints and rate-limit counters that hold
    across every process using the store (expired marks count as absent)."""

    def add_marks(self, names: Sequence[str], *, expires_at: datetime, now: datetime) -> bool:
        """Add every name; False (adding none) if one of them is already marked."""
        ...

    def count_mark(self, name: str, *, expires_at: datetime, now: datetime) -> int:
        """Add one to the named counter (created expiring at `expires_at`); its new value."""
        ...

    def read_mark(self, name: str, *, now: datetime) -> int:
        """The named counter's value; 0 if absent or expired."""
        ...


class StatusStore(Protocol):
    """Per-connection facts for the whole organisation in one query each (status cards)."""

    def latest_real_runs(
        self,
        organisation_id: str,
        states: Sequence[RunState],
        *,
        connection_id: str | None = None,
    ) -> dict[str, SyncRun]:
        """Each connection's (or only `connection_id`'s) newest run in `states` that was
        not a dry run."""
        ...

    def count_open_conflicts(self, organisation_id: str) -> dict[str, int]:
        """Open conflicts per connection (connections without any are absent)."""
        ...

    def count_records_by_connection(self, organisation_id: str) -> dict[str, dict[Entity, int]]:
        """Live (not deleted) records held per connection and entity."""
        ...


class Store(
    ConnectionStore,
    LogStore,
    RecordStore,
    RunStore,
    ReviewStore,
    AccessStore,
    SessionStore,
    MarkStore,
    NotificationStore,
    LeaseStore,
    StatusStore,
    Protocol,
):
    """The whole persistence surface; `core.store.open_store(settings)` picks one."""

    @property
    def description(self) -> str:
        """Human-readable location without credentials, e.g. `SQLite data/toothpick.db`."""
        ...

    def schema_version(self) -> int: ...
    def ping(self) -> None:
        """Raise StoreUnavailableError if the database cannot be used."""
        ...

    def close(self) -> None: ...
