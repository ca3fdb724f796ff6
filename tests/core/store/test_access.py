"""Contract: API keys (found by id alone, listed and revoked within their organisation)."""

from __future__ import annotations

import pytest

from core.errors import AlreadyExistsError
from core.models import ApiKey, Role, User
from core.store.base import Store
from tests.core.store.builders import ORG, OTHER_ORG, T0, at


def key(org: str = ORG, name: str = "ci", role: Role = Role.VIEWER, **extra: object) -> ApiKey:
    return ApiKey.model_validate(
        {
            "organisation_id": org,
            "name": name,
            "role": role,
            "salt": "ab" * 16,
            "secret_hash": "cd" * 32,
            "created_at": T0,
            **extra,
        }
    )


def test_a_key_reads_back_as_written(store: Store) -> None:
    written = store.create_api_key(key(role=Role.OPERATOR))
    assert store.get_api_key(written.id) == written
    assert store.get_api_key("missing") is None


def test_a_reused_key_id_is_refused(store: Store) -> None:
    written = store.create_api_key(key())
    with pytest.raises(AlreadyExistsError):
        store.create_api_key(key(OTHER_ORG, id=written.id))


def test_keys_are_listed_per_organisation_newest_first(store: Store) -> None:
    first = store.create_api_key(key(name="first"))
    second = store.create_api_key(key(name="second"))
    store.create_api_key(key(OTHER_ORG, name="theirs"))
    assert [k.id for k in store.list_api_keys(ORG)] == [second.id, first.id]
    assert [k.name for k in store.list_api_keys(OTHER_ORG)] == ["theirs"]


def test_revoking_is_scoped_and_happens_once(store: Store) -> None:
    mine = store.create_api_key(key())
    assert store.revoke_api_key(OTHER_ORG, mine.id, at=at(hours=1)) is False
    assert store.get_api_key(mine.id).revoked_at is None  # type: ignore[union-attr]
    assert store.revoke_api_key(ORG, mine.id, at=at(hours=1)) is True
    assert store.revoke_api_key(ORG, mine.id, at=at(hours=2)) is False
    revoked = store.get_api_key(mine.id)
    assert revoked is not None and revoked.revoked_at == at(hours=1) and not revoked.is_active


def test_a_connection_is_located_by_id_alone(store: Store) -> None:
    from tests.core.store.builders import connection

    stored = store.create_connection(connection())
    assert store.locate_connection(stored.id) == stored
    assert store.locate_connection("missing") is None


def user(org: str = ORG, username: str = "ana", **extra: object) -> User:
    return User.model_validate(
        {
            "organisation_id": org,
            "username": username,
            "role": Role.ADMIN,
            "password_hash": "$argon2id$v=19$m=65536,t=3,p=4$" + "x" * 40,
            "created_at": T0,
            **extra,
        }
    )


def test_users_are_found_by_name_and_scoped_by_organisation(store: Store) -> None:
    ana = store.create_user(user())
    store.create_user(user(OTHER_ORG, "bob"))
    assert store.find_user("ana") == ana and store.get_user(ana.id) == ana
    assert store.find_user("nobody") is None
    assert [u.username for u in store.list_users(ORG)] == ["ana"]
    with pytest.raises(AlreadyExistsError):
        store.create_user(user(OTHER_ORG, "ana"))
    assert store.disable_user(OTHER_ORG, ana.id, at=at(hours=1)) is False
    assert store.disable_user(ORG, ana.id, at=at(hours=1)) is True
    assert store.disable_user(ORG, ana.id, at=at(hours=2)) is False
    disabled = store.find_user("ana")
    assert disabled is not None and disabled.disabled_at == at(hours=1)
