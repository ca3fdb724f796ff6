"""MongoStore: the Store protocol on MongoDB through pymongo.

Needs MongoDB 7.0 or newer (`$percentile`). `connect` checks that the server
answers and is recent enough, runs the migrations and declares indexes and log
retention, so a store that exists is a store that works. Every public method
translates driver errors into StoreError / StoreUnavailableError naming the
host, never the URI (which may hold a password).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator
from datetime import UTC
from typing import Any

from pymongo import MongoClient
from pymongo.database import Database
from pymongo.errors import ConfigurationError, PyMongoError

from core.errors import StoreError, StoreUnavailableError, ToothpickError
from core.store.mongo.access import AccessMixin
from core.store.mongo.base import supports_transactions
from core.store.mongo.connections import ConnectionsMixin
from core.store.mongo.documents import Document
from core.store.mongo.issues import IssuesMixin
from core.store.mongo.kpis import KpisMixin
from core.store.mongo.leases import LeasesMixin
from core.store.mongo.local_changes import LocalChangesMixin
from core.store.mongo.logs import LogsMixin
from core.store.mongo.notifications import NotificationsMixin
from core.store.mongo.records import RecordsMixin
from core.store.mongo.review import ReviewMixin
from core.store.mongo.runs import RunsMixin
from core.store.mongo.schema import ensure_schema, stored_version
from core.store.mongo.sessions import SessionsMixin
from core.store.mongo.status import StatusMixin
from core.store.mongo.upsert import UpsertMixin
from core.store.mongo.uri import hosts_of, scrub, secrets_of, translate

DEFAULT_TIMEOUT_MS = 5_000
MINIMUM_SERVER_VERSION = (7, 0)


class MongoStore(
    ConnectionsMixin,
    LogsMixin,
    KpisMixin,
    UpsertMixin,
    RecordsMixin,
    LocalChangesMixin,
    RunsMixin,
    ReviewMixin,
    IssuesMixin,
    AccessMixin,
    NotificationsMixin,
    LeasesMixin,
    SessionsMixin,
    StatusMixin,
):
    def __init__(
        self,
        client: MongoClient[Document],
        *,
        database: str,
        hosts: str,
        transactions: bool,
        secrets: list[str] | None = None,
    ) -> None:
        self._client = client
        self._db = client[database]
        self._hosts = hosts
        self._transactions = transactions
        self._secrets = secrets or []

    @classmethod
    def connect(
        cls,
        uri: str,
        *,
        database: str,
        log_retention_days: int,
        timeout_ms: int = DEFAULT_TIMEOUT_MS,
        transactions: bool | None = None,
    ) -> MongoStore:
        """Open, check, migrate. `transactions=None` uses them when the server offers them."""
        hosts = hosts_of(uri)
        try:
            client: MongoClient[Document] = MongoClient(
                uri,
                tz_aware=True,
                tzinfo=UTC,
                serverSelectionTimeoutMS=timeout_ms,
                connectTimeoutMS=timeout_ms,
                appname="toothpick-integration-hub",
            )
        except (ConfigurationError, ValueError, TypeError) as exc:
            raise StoreError(
                f"MONGODB_URI for {hosts} is not a valid MongoDB URI: {scrub(str(exc), uri)}"
            ) from None
        secrets = secrets_of(uri)
        try:
            hello = client.admin.command("hello")
            _require_version(client, hosts)
            store = cls(
                client,
                database=database,
                hosts=hosts,
                transactions=supports_transactions(hello) if transactions is None else transactions,
                secrets=secrets,
            )
            ensure_schema(store._db, log_retention_days=log_retention_days)
        except ToothpickError:
            client.close()
            raise
        except PyMongoError as exc:
            client.close()
            raise translate(exc, hosts, secrets) from None
        except Exception as exc:  # e.g. a server answering the handshake in an odd way
            client.close()
            raise StoreUnavailableError(
                f"MongoDB at {hosts} could not be used ({type(exc).__name__}: "
                f"{scrub(str(exc), uri)[:200]})"
            ) from None
        return store

    @property
    def description(self) -> str:
        return f"MongoDB {self._hosts}/{self._db.name}"

    @property
    def database(self) -> Database[Document]:
        """The pymongo handle, for operational checks and tests (not for product code)."""
        return self._db

    def schema_version(self) -> int:
        return stored_version(self._db)

    def ping(self) -> None:
        self._client.admin.command("ping")

    def close(self) -> None:
        self._client.close()

    def __repr__(self) -> str:
        return f"<MongoStore {self.description}>"


def _require_version(client: MongoClient[Document], hosts: str) -> None:
    """The KPI pipelines use `$percentile` (7.0); refuse older servers with one clear line."""
    version = str(client.admin.command("buildInfo").get("version", ""))
    parts = tuple(int(p) for p in version.split(".")[:2] if p.isdigit())
    if len(parts) == 2 and parts < MINIMUM_SERVER_VERSION:
        wanted = ".".join(map(str, MINIMUM_SERVER_VERSION))
        raise StoreError(f"MongoDB at {hosts} is version {version}; the hub needs {wanted}+.")


def _guarded(method: Callable[..., Any]) -> Callable[..., Any]:
    """Driver errors leave as StoreError naming the host (generators too, per item)."""
    if inspect.isgeneratorfunction(method):

        @functools.wraps(method)
        def stream(self: MongoStore, *args: Any, **kwargs: Any) -> Iterator[Any]:
            try:
                yield from method(self, *args, **kwargs)
            except PyMongoError as exc:
                raise translate(exc, self._hosts, self._secrets) from exc

        return stream

    @functools.wraps(method)
    def call(self: MongoStore, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except PyMongoError as exc:
            raise translate(exc, self._hosts, self._secrets) from exc

    return call


for _name, _member in list(inspect.getmembers(MongoStore, inspect.isfunction)):
    if not _name.startswith("_") and _name != "connect":
        setattr(MongoStore, _name, _guarded(_member))
