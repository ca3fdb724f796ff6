"""Leases: one document per name (unique index). Taking one replaces the document
only when it expired or is ours; otherwise the upsert's insert meets the unique
index and the lease is refused. Whole-document replaces keep times as BSON dates."""

from __future__ import annotations

import re
from datetime import datetime

from pymongo import ASCENDING, ReturnDocument
from pymongo.errors import DuplicateKeyError

from core.models import Lease
from core.store.mongo.base import MongoBase
from core.store.mongo.documents import from_document, to_document
from core.store.mongo.schema import LEASES


class LeasesMixin(MongoBase):
    def acquire_lease(self, lease: Lease, *, now: datetime) -> Lease | None:
        leases = self._col(LEASES)
        held = leases.find_one({"name": lease.name, "holder": lease.holder})
        if held is not None:
            lease = lease.model_copy(update={"acquired_at": from_document(Lease, held).acquired_at})
        claim = {
            "name": lease.name,
            "$or": [{"holder": lease.holder}, {"expires_at": {"$lte": now}}],
        }
        try:
            stored = leases.find_one_and_replace(
                claim, to_document(lease), upsert=True, return_document=ReturnDocument.AFTER
            )
        except DuplicateKeyError:
            return None
        return from_document(Lease, stored) if stored else None

    def release_lease(self, name: str, holder: str) -> bool:
        return self._col(LEASES).delete_one({"name": name, "holder": holder}).deleted_count == 1

    def list_leases(self, prefix: str = "") -> list[Lease]:
        query = {"name": {"$regex": "^" + re.escape(prefix)}} if prefix else {}
        cursor = self._col(LEASES).find(query).sort([("name", ASCENDING)])
        return [from_document(Lease, doc) for doc in cursor]
