"""The access area alone: tokens shown once, stored hashed, every failure alike."""

from __future__ import annotations

import pytest

from core.models import Role
from core.runtime import Runtime
from core.schemas import ApiKeyCreate
from core.services.access import AccessService


def test_a_token_authenticates_until_revoked(runtime: Runtime) -> None:
    access = AccessService(store=runtime.store)
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
    access = AccessService(store=runtime.store)
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
    access = AccessService(store=runtime.store)
    caller = access.authenticate(token)
    assert caller is not None and caller.role is Role.ADMIN
    _cli("api-keys", "list", "--org", "acme")
    listed = capsys.readouterr().out
    assert caller.key_id in listed and token not in listed
    _cli("api-keys", "revoke", caller.key_id, "--org", "acme")
    assert access.authenticate(token) is None
