"""The access area alone: tokens shown once, stored hashed, every failure alike."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.marks import StoreMarks
from core.models import Role
from core.runtime import Runtime
from core.schemas import ApiKeyCreate, SessionCreate, UserCreate
from core.services.access import AccessService


def _access(runtime: Runtime, ttl: timedelta = timedelta(minutes=5)) -> AccessService:
    return AccessService(
        store=runtime.store,
        session_key=runtime.vault.derive_key("test"),
        session_ttl=ttl,
        marks=StoreMarks(runtime.store),
    )


def test_a_token_authenticates_until_revoked(runtime: Runtime) -> None:
    access = _access(runtime)
    created = access.create_key("acme", ApiKeyCreate(name="ci", role=Role.OPERATOR))
    caller = access.authenticate(created.token)
    assert caller is not None
    assert (caller.organisation_id, caller.role, caller.key_id) == (
        "acme",
        Role.OPERATOR,
        created.key.id,
    )
    stored = runtime.store.get_api_key(created.key.id)
    assert stored is not None and created.token.rsplit("_", 1)[1] not in stored.model_dump_json()
    access.revoke_key("acme", created.key.id)
    assert access.authenticate(created.token) is None


def test_every_bad_token_is_none(runtime: Runtime) -> None:
    access = _access(runtime)
    token = access.create_key("acme", ApiKeyCreate(name="ci")).token
    prefix, key_id, secret = token.split("_")
    for bad in ("", "tpk_", f"tpk_{key_id}", f"tpk_{key_id}_", f"{prefix}_{key_id}_x{secret}",
                f"tpk_nosuchkey_{secret}", token + "x", "x" * 300):  # fmt: skip
        assert access.authenticate(bad) is None, bad


def _cli(*args: str) -> None:
    from core.cli import main

    with pytest.raises(SystemExit) as done:
        main(list(args))
    assert done.value.code == 0


def test_the_cli_creates_lists_and_revokes_keys(
    runtime: Runtime, capsys: pytest.CaptureFixture[str]
) -> None:
    _cli("api-keys", "create", "deploy-bot", "--role", "admin", "--org", "acme")
    out = capsys.readouterr().out
    token = out.strip().splitlines()[-1]
    access = _access(runtime)
    caller = access.authenticate(token)
    assert caller is not None and caller.role is Role.ADMIN
    _cli("api-keys", "list", "--org", "acme")
    listed = capsys.readouterr().out
    assert caller.key_id in listed and token not in listed
    _cli("api-keys", "revoke", caller.key_id, "--org", "acme")
    assert access.authenticate(token) is None


def test_sessions_last_their_ttl_and_end_with_the_user(runtime: Runtime) -> None:
    access = _access(runtime)
    user = access.create_user(
        "acme", UserCreate(username="ana", password="correct horse battery", role=Role.OPERATOR)
    )
    stored = runtime.store.find_user("ana")
    assert stored is not None and stored.password_hash.startswith("$argon2id$")
    assert access.sign_in(SessionCreate(username="ana", password="wrong password")) is None
    assert access.sign_in(SessionCreate(username="bob", password="correct horse battery")) is None
    session = access.sign_in(SessionCreate(username="ana", password="correct horse battery"))
    assert session is not None and session.role is Role.OPERATOR
    caller = access.authenticate(session.token)
    assert caller is not None and caller.organisation_id == "acme" and caller.name == "ana"
    payload, signature = session.token.split(".")
    assert access.authenticate(f"{payload}.{signature[:-2]}AA") is None
    expired = _access(runtime, ttl=timedelta(0))
    stale = expired.sign_in(SessionCreate(username="ana", password="correct horse battery"))
    assert stale is not None and expired.authenticate(stale.token) is None
    access.disable_user("acme", user.id)
    assert access.authenticate(session.token) is None
    assert access.sign_in(SessionCreate(username="ana", password="correct horse battery")) is None
