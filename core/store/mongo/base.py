"""What every collection module shares: the database handle and atomic scopes.

Multi-document writes (records with their change history, a connection with
everything it owns) run inside a transaction when the deployment offers them
(replica set or sharded cluster, as on Atlas). A standalone server has no
transactions; there the same writes run in an order that keeps retries
harmless: dependents before parents on delete, the records before their
history rows, and every update conditioned on the version it was computed from.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pymongo import MongoClient
from pymongo.client_session import ClientSession
from pymongo.collection import Collection
from pymongo.database import Database

from core.errors import NotFoundError
from core.store.mongo.documents import Document

T = TypeVar("T")


class MongoBase:
    """State shared by the mixins that make up MongoStore."""

    _client: MongoClient[Document]
    _db: Database[Document]
    _transactions: bool
    _hosts: str

    def _col(self, name: str) -> Collection[Document]:
        return self._db[name]

    def _owns_connection(self, organisation_id: str, connection_id: str) -> bool:
        query = {"organisation_id": organisation_id, "id": connection_id}
        return self._db["connections"].count_documents(query, limit=1) == 1

    def _require_connection(self, organisation_id: str, connection_id: str) -> None:
        """NotFoundError unless the organisation owns the connection (another
        organisation's connection is reported exactly like a missing one)."""
        if not self._owns_connection(organisation_id, connection_id):
            raise NotFoundError(f"Connection {connection_id} not found.")

    def _atomic(self, work: Callable[[ClientSession | None], T]) -> T:
        """Run `work` in a transaction when the server supports them, else directly.

        `with_transaction` retries the whole callback on transient errors, so
        `work` must compute everything it writes from what it reads inside.
        """
        if not self._transactions:
            return work(None)
        with self._client.start_session() as session:
            return session.with_transaction(work)


def supports_transactions(hello: dict[str, Any]) -> bool:
    """Replica-set members report `setName`; mongos reports `msg: isdbgrid`."""
    return "setName" in hello or hello.get("msg") == "isdbgrid"
