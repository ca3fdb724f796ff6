"""AES-256-GCM sealing of connection secrets, with a key ring for rotation.

A sealed secret is one ASCII string, `tpv1.<key id>.<nonce>.<ciphertext>`
(base64url), so both stores keep it as a plain field. The key id is derived
from the key itself, so a ring of the current key plus retired keys can open
anything sealed under any of them without extra bookkeeping. The associated
data binds each ciphertext to its organisation and connection: a blob copied
onto another connection fails authentication instead of opening.

>>> ring = KeyRing.from_strings(generate_key())
>>> vault = Vault(ring)
>>> blob = vault.seal({"api_token": "s3cr3t"}, organisation_id="acme", connection_id="c1")
>>> vault.open(blob, organisation_id="acme", connection_id="c1")["api_token"].get_secret_value()
's3cr3t'
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import orjson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import SecretStr

from core.errors import ConfigError, VaultError
from core.redaction import register_fields

_PREFIX = "tpv1"
_NONCE_BYTES = 12
# Values the seed's sample .env (and people copying it) use; never a real key.
_PLACEHOLDERS = {"your-32-character-key-here", "changeme", "change-me", "secret"}

SecretFields = dict[str, SecretStr]


def _b64e(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def generate_key() -> str:
    """A new random 256-bit key, base64url-encoded (what `toothpick generate-key` prints)."""
    return _b64e(os.urandom(32))


@dataclass(frozen=True, repr=False)
class EncryptionKey:
    key_id: str
    material: bytes

    def __repr__(self) -> str:  # the material never reaches a log or traceback
        return f"EncryptionKey(key_id={self.key_id!r})"

    @classmethod
    def parse(cls, text: str, *, variable: str = "INTEGRATION_ENCRYPTION_KEY") -> EncryptionKey:
        """Accept base64/base64url (32 bytes) or 64 hex characters.

        A 32-character passphrase (the seed's "32-character key") is refused:
        typed text carries far less than 256 bits and would pass silently.
        """
        text = text.strip()
        if text.lower() in _PLACEHOLDERS:
            raise ConfigError(
                f"{variable}: is the sample placeholder, not a key; "
                "make one with `toothpick generate-key`"
            )
        material: bytes | None = None
        if len(text) == 64:
            try:
                material = bytes.fromhex(text)
            except ValueError:
                material = None
        if material is None:
            try:
                decoded = _b64d(text.replace("+", "-").replace("/", "_"))
            except (binascii.Error, ValueError):
                decoded = b""
            material = decoded if len(decoded) == 32 else None
        if material is None:
            raise ConfigError(
                f"{variable}: must be 32 random bytes as base64 or 64 hex characters; "
                "make one with `toothpick generate-key`"
            )
        key_id = hashlib.sha256(b"toothpick-key-id" + material).hexdigest()[:12]
        return cls(key_id=key_id, material=material)


class KeyRing:
    """The current key (seals) plus retired keys (still open old blobs)."""

    def __init__(self, current: EncryptionKey, retired: Iterable[EncryptionKey] = ()) -> None:
        self.current = current
        self._keys = {key.key_id: key for key in retired}
        self._keys[current.key_id] = current

    @classmethod
    def from_strings(cls, current: str, retired: str | None = None) -> KeyRing:
        old = [
            EncryptionKey.parse(part, variable="INTEGRATION_ENCRYPTION_RETIRED_KEYS")
            for part in (retired or "").split(",")
            if part.strip()
        ]
        return cls(EncryptionKey.parse(current), old)

    def get(self, key_id: str) -> EncryptionKey | None:
        return self._keys.get(key_id)

    @property
    def key_ids(self) -> list[str]:
        return sorted(self._keys)

    def __repr__(self) -> str:
        return f"KeyRing(current={self.current.key_id!r}, keys={self.key_ids!r})"


def _associated_data(organisation_id: str, connection_id: str) -> bytes:
    return f"toothpick/{_PREFIX}/{organisation_id}/{connection_id}".encode()


def key_id_of(blob: str) -> str | None:
    """The key id a blob was sealed with, or None if it is not one of ours."""
    parts = blob.split(".")
    return parts[1] if len(parts) == 4 and parts[0] == _PREFIX else None


class Vault:
    def __init__(self, ring: KeyRing) -> None:
        self.ring = ring

    def derive_key(self, purpose: str) -> bytes:
        """A key for another purpose (session signing), derived from the current key so
        that no second secret needs configuring; rotating the key retires it too."""
        return hmac.new(self.ring.current.material, purpose.encode(), hashlib.sha256).digest()

    def seal(
        self, secret: Mapping[str, str | SecretStr], *, organisation_id: str, connection_id: str
    ) -> str:
        plain = {
            name: value.get_secret_value() if isinstance(value, SecretStr) else str(value)
            for name, value in secret.items()
        }
        register_fields(plain)
        nonce = os.urandom(_NONCE_BYTES)
        key = self.ring.current
        ciphertext = AESGCM(key.material).encrypt(
            nonce, orjson.dumps(plain), _associated_data(organisation_id, connection_id)
        )
        return ".".join((_PREFIX, key.key_id, _b64e(nonce), _b64e(ciphertext)))

    def open(self, blob: str, *, organisation_id: str, connection_id: str) -> SecretFields:
        where = f"connection {connection_id!r}"
        parts = blob.split(".")
        if len(parts) != 4 or parts[0] != _PREFIX:
            raise VaultError(f"The stored secret of {where} is not a sealed secret (damaged).")
        _, key_id, nonce_text, ciphertext_text = parts
        key = self.ring.get(key_id)
        if key is None:
            raise VaultError(
                f"The secret of {where} was sealed with key {key_id}, which is not configured "
                "(a wrong INTEGRATION_ENCRYPTION_KEY, or a retired key that was dropped)."
            )
        try:
            plain = AESGCM(key.material).decrypt(
                _b64d(nonce_text),
                _b64d(ciphertext_text),
                _associated_data(organisation_id, connection_id),
            )
            fields = orjson.loads(plain)
        except (InvalidTag, ValueError, binascii.Error, orjson.JSONDecodeError):
            raise VaultError(
                f"The secret of {where} failed authentication: it was altered or belongs to "
                "another connection. Re-enter the credentials."
            ) from None
        if not isinstance(fields, dict):
            raise VaultError(f"The secret of {where} has an unexpected shape.")
        register_fields({k: str(v) for k, v in fields.items()})
        return {str(name): SecretStr(str(value)) for name, value in fields.items()}

    def needs_rotation(self, blob: str) -> bool:
        return key_id_of(blob) != self.ring.current.key_id

    def reseal(self, blob: str, *, organisation_id: str, connection_id: str) -> str:
        """Re-encrypt under the current key (what `toothpick rotate-key` does per connection)."""
        secret = self.open(blob, organisation_id=organisation_id, connection_id=connection_id)
        return self.seal(secret, organisation_id=organisation_id, connection_id=connection_id)
