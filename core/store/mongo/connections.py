"""Organisations and connections.

A connection is keyed by (organisation_id, id), as in the SQLite store, and its
name is unique per organisation; both are unique indexes, so two admins saving
the same name at once get one success and one AlreadyExistsError. Connection
documents keep `id` as a field and let MongoDB assign `_id`.
"""

from __future__ import annotations

import contextlib

from pymongo.client_session import ClientSession
from pymongo.errors import DuplicateKeyError

from core.errors import AlreadyExistsError, ChangedMeanwhileError, NotFoundError
from core.models import Connection, Organisation
from core.store.mongo.base import MongoBase
from core.store.mongo.documents import Document, from_document, to_document
from core.store.mongo.schema import (
    CONFLICTS,
    CONNECTIONS,
    ORGANISATIONS,
    RECORD_CHANGES,
    RECORDS,
    SYNC_STATES,
)


class ConnectionsMixin(MongoBase):
    def ensure_organisation(self, organisation: Organisation) -> Organisation:
        """Insert-or-read: the first writer's name and created_at win."""
        orgs = self._col(ORGANISATIONS)
        with contextlib.suppress(DuplicateKeyError):
            orgs.insert_one(_organisation_document(organisation))
        stored = orgs.find_one({"_id": organisation.id})
        return _organisation(stored) if stored else organisation

    def get_organisation(self, organisation_id: str) -> Organisation | None:
        doc = self._col(ORGANISATIONS).find_one({"_id": organisation_id})
        return _organisation(doc) if doc else None

    def create_connection(self, connection: Connection) -> Connection:
        try:
            self._col(CONNECTIONS).insert_one(to_document(connection))
        except DuplicateKeyError:
            raise self._duplicate(connection) from None
        return connection

    def get_connection(self, organisation_id: str, connection_id: str) -> Connection | None:
        doc = self._col(CONNECTIONS).find_one(
            {"organisation_id": organisation_id, "id": connection_id}
        )
        return from_document(Connection, doc) if doc else None

    def locate_connection(self, connection_id: str) -> Connection | None:
        doc = self._col(CONNECTIONS).find_one({"id": connection_id})
        return from_document(Connection, doc) if doc else None

    def get_connection_by_name(self, organisation_id: str, name: str) -> Connection | None:
        doc = self._col(CONNECTIONS).find_one(
            {"organisation_id": organisation_id, "name": name.strip()}
        )
        return from_document(Connection, doc) if doc else None

    def list_connections(self, organisation_id: str | None) -> list[Connection]:
        query = {} if organisation_id is None else {"organisation_id": organisation_id}
        cursor = self._col(CONNECTIONS).find(query).sort([("organisation_id", 1), ("name", 1)])
        return [from_document(Connection, doc) for doc in cursor]

    def update_connection(
        self, connection: Connection, *, expected_secret: str | None = None
    ) -> Connection:
        key = {"organisation_id": connection.organisation_id, "id": connection.id}
        fields = to_document(connection)
        if expected_secret is None:
            fields.pop("sealed_secret")  # left as stored: a refreshed token may be there
            query = key
        else:
            query = {**key, "sealed_secret": expected_secret}
        try:
            result = self._col(CONNECTIONS).update_one(query, {"$set": fields})
        except DuplicateKeyError:
            raise self._duplicate(connection) from None
        if result.matched_count == 1 and expected_secret is not None:
            return connection
        if result.matched_count == 1:
            stored = self._col(CONNECTIONS).find_one(key, {"sealed_secret": 1})
            if stored is not None:
                return connection.model_copy(update={"sealed_secret": stored["sealed_secret"]})
        if self._col(CONNECTIONS).count_documents(key, limit=1) == 0:
            raise NotFoundError(f"Connection {connection.id} was not found.")
        raise ChangedMeanwhileError(
            f"Connection {connection.id}'s credentials changed meanwhile; nothing was saved, "
            "try again."
        )

    def reseal_connection_secret(
        self, organisation_id: str, connection_id: str, *, expected: str, sealed_secret: str
    ) -> bool:
        result = self._col(CONNECTIONS).update_one(
            {"organisation_id": organisation_id, "id": connection_id, "sealed_secret": expected},
            {"$set": {"sealed_secret": sealed_secret}},
        )
        return result.matched_count == 1

    def delete_connection(self, organisation_id: str, connection_id: str) -> bool:
        """Dependents first, the connection last: an interrupted delete can be repeated."""
        scope = {"organisation_id": organisation_id, "connection_id": connection_id}
        if not self._owns_connection(organisation_id, connection_id):
            return False

        def work(session: ClientSession | None) -> bool:
            for name in (RECORD_CHANGES, RECORDS, SYNC_STATES):
                self._col(name).delete_many(scope, session=session)
            self._col(CONFLICTS).delete_many({**scope, "status": "open"}, session=session)
            result = self._col(CONNECTIONS).delete_one(
                {"organisation_id": organisation_id, "id": connection_id}, session=session
            )
            return result.deleted_count == 1

        return self._atomic(work)

    def _duplicate(self, connection: Connection) -> AlreadyExistsError:
        taken = self.get_connection_by_name(connection.organisation_id, connection.name)
        if taken is not None and taken.id != connection.id:
            return AlreadyExistsError(
                f"A connection named '{connection.name}' already exists in this organisation."
            )
        return AlreadyExistsError(f"A connection with id {connection.id} already exists.")


def _organisation_document(organisation: Organisation) -> Document:
    doc = to_document(organisation)
    doc["_id"] = doc.pop("id")
    return doc


def _organisation(doc: Document) -> Organisation:
    return from_document(Organisation, {**doc, "id": doc["_id"]})
