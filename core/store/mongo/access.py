"""API keys and users: only hashes of their secrets are stored (see core/models/access.py)."""

from __future__ import annotations

from datetime import datetime

from pymongo import DESCENDING
from pymongo.errors import DuplicateKeyError

from core.errors import AlreadyExistsError
from core.models import ApiKey, User
from core.store.mongo.base import MongoBase
from core.store.mongo.documents import from_document, to_document
from core.store.mongo.schema import API_KEYS, USERS


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

    def create_user(self, user: User) -> User:
        try:
            self._col(USERS).insert_one(to_document(user))
        except DuplicateKeyError:
            raise AlreadyExistsError(f"The username {user.username!r} is taken.") from None
        return user

    def get_user(self, user_id: str) -> User | None:
        doc = self._col(USERS).find_one({"id": user_id})
        return from_document(User, doc) if doc else None

    def find_user(self, username: str) -> User | None:
        doc = self._col(USERS).find_one({"username": username})
        return from_document(User, doc) if doc else None

    def list_users(self, organisation_id: str) -> list[User]:
        cursor = self._col(USERS).find({"organisation_id": organisation_id}).sort("id", DESCENDING)
        return [from_document(User, doc) for doc in cursor]

    def disable_user(self, organisation_id: str, user_id: str, *, at: datetime) -> bool:
        result = self._col(USERS).update_one(
            {"id": user_id, "organisation_id": organisation_id, "disabled_at": None},
            {"$set": {"disabled_at": at}},
        )
        return result.modified_count == 1
