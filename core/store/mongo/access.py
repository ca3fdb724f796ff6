"""API keys: only their salted keyed hash is stored (see core/models/access.py)."""

from __future__ import annotations

from datetime import datetime

from pymongo import DESCENDING
from pymongo.errors import DuplicateKeyError

from core.errors import AlreadyExistsError
from core.models import ApiKey
from core.store.mongo.base import MongoBase
from core.store.mongo.documents import from_document, to_document
from core.store.mongo.schema import API_KEYS


class AccessMixin(MongoBase):
    def create_api_key(self, key: ApiKey) -> ApiKey:
        try:
            self._col(API_KEYS).insert_one(to_document(key))
        except DuplicateKeyError:
            raise AlreadyExistsError(f"An API key with id {key.id!r} exists.") from None
        return key

    def get_api_key(self, key_id: str) -> ApiKey | None:
        doc = self._col(API_KEYS).find_one({"id": key_id})
        return from_document(ApiKey, doc) if doc else None

    def list_api_keys(self, organisation_id: str) -> list[ApiKey]:
        cursor = (
            self._col(API_KEYS).find({"organisation_id": organisation_id}).sort("id", DESCENDING)
        )
        return [from_document(ApiKey, doc) for doc in cursor]

    def revoke_api_key(self, organisation_id: str, key_id: str, *, at: datetime) -> bool:
        result = self._col(API_KEYS).update_one(
            {"id": key_id, "organisation_id": organisation_id, "revoked_at": None},
            {"$set": {"revoked_at": at}},
        )
        return result.modified_count == 1
