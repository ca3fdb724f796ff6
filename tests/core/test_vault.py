from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import SecretStr

from core.errors import ConfigError, VaultError
from core.vault import EncryptionKey, KeyRing, Vault, generate_key, key_id_of

ORG, CONN = "acme", "conn-1"


def make_vault(*retired: str, current: str | None = None) -> Vault:
    return Vault(KeyRing.from_strings(current or generate_key(), ",".join(retired) or None))


def test_round_trip_keeps_every_field() -> None:
    vault = make_vault()
    blob = vault.seal(
        {"client_secret": "s1", "refresh_token": "r1"}, organisation_id=ORG, connection_id=CONN
    )
    opened = vault.open(blob, organisation_id=ORG, connection_id=CONN)
    assert {k: v.get_secret_value() for k, v in opened.items()} == {
        "client_secret": "s1",
        "refresh_token": "r1",
    }
    assert all(isinstance(v, SecretStr) for v in opened.values())


def test_blob_carries_key_id_and_no_plaintext() -> None:
    vault = make_vault()
    blob = vault.seal({"password": "plain-canary"}, organisation_id=ORG, connection_id=CONN)
    assert key_id_of(blob) == vault.ring.current.key_id
    assert "plain-canary" not in blob
    assert b"plain-canary" not in base64.urlsafe_b64decode(blob.split(".")[3] + "==")


def test_each_seal_uses_a_fresh_nonce() -> None:
    vault = make_vault()
    blobs = {vault.seal({"a": "b"}, organisation_id=ORG, connection_id=CONN) for _ in range(20)}
    assert len(blobs) == 20


def test_blob_copied_to_another_connection_or_organisation_does_not_open() -> None:
    vault = make_vault()
    blob = vault.seal({"a": "b"}, organisation_id=ORG, connection_id=CONN)
    with pytest.raises(VaultError, match="conn-2"):
        vault.open(blob, organisation_id=ORG, connection_id="conn-2")
    with pytest.raises(VaultError, match="another connection"):
        vault.open(blob, organisation_id="globex", connection_id=CONN)


def test_wrong_key_names_the_connection_and_key() -> None:
    blob = make_vault().seal({"a": "b"}, organisation_id=ORG, connection_id=CONN)
    with pytest.raises(VaultError) as error:
        make_vault().open(blob, organisation_id=ORG, connection_id=CONN)
    assert CONN in str(error.value)
    assert key_id_of(blob) in str(error.value)  # type: ignore[operator]


def test_retired_key_still_opens_and_reseal_moves_to_current() -> None:
    old_key = generate_key()
    old = make_vault(current=old_key)
    blob = old.seal({"token": "t"}, organisation_id=ORG, connection_id=CONN)
    rotated = make_vault(old_key)
    assert rotated.needs_rotation(blob)
    resealed = rotated.reseal(blob, organisation_id=ORG, connection_id=CONN)
    assert not rotated.needs_rotation(resealed)
    assert key_id_of(resealed) == rotated.ring.current.key_id
    # Once the retired key is dropped, the new blob still opens, the old one does not.
    dropped = Vault(KeyRing(rotated.ring.current))
    assert (
        dropped.open(resealed, organisation_id=ORG, connection_id=CONN)["token"].get_secret_value()
        == "t"
    )
    with pytest.raises(VaultError, match="not configured"):
        dropped.open(blob, organisation_id=ORG, connection_id=CONN)


@pytest.mark.parametrize("part", [1, 2, 3])
def test_tampering_with_any_part_is_a_clear_error(part: int) -> None:
    vault = make_vault()
    blob = vault.seal({"a": "b"}, organisation_id=ORG, connection_id=CONN)
    pieces = blob.split(".")
    pieces[part] = pieces[part][:-2] + ("AA" if not pieces[part].endswith("AA") else "BB")
    with pytest.raises(VaultError):
        vault.open(".".join(pieces), organisation_id=ORG, connection_id=CONN)


@given(st.text(max_size=300))
def test_any_garbage_blob_is_a_vault_error_never_a_crash(blob: str) -> None:
    vault = make_vault()
    with pytest.raises(VaultError):
        vault.open(blob, organisation_id=ORG, connection_id=CONN)


def test_keys_accept_base64_and_hex_and_refuse_weak_input() -> None:
    raw = bytes(range(32))
    b64 = EncryptionKey.parse(base64.b64encode(raw).decode())
    hexed = EncryptionKey.parse(raw.hex())
    assert b64.key_id == hexed.key_id
    for bad in ("your-32-character-key-here", "short", "x" * 32, raw.hex()[:-2]):
        with pytest.raises(ConfigError, match="INTEGRATION_ENCRYPTION_KEY"):
            EncryptionKey.parse(bad)


@given(st.text(max_size=100))
def test_key_parsing_never_crashes(text: str) -> None:
    try:
        key = EncryptionKey.parse(text)
    except ConfigError:
        return
    assert len(key.material) == 32


def test_key_material_never_in_repr() -> None:
    text = generate_key()
    ring = KeyRing.from_strings(text)
    assert text not in repr(ring) and text not in repr(ring.current)
    assert repr(ring.current.material) not in repr(ring)
