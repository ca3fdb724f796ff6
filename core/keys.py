"""Where the encryption key comes from: the environment, or a development key file.

Production must be given `INTEGRATION_ENCRYPTION_KEY`; a development machine
gets a key generated once into the data directory (mode 0600) so that the
README's run command works on a fresh clone without any set-up.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from core.errors import ConfigError
from core.settings import Settings
from core.vault import KeyRing, generate_key

log = logging.getLogger(__name__)


def _read_or_create_development_key(path: Path) -> str:
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if path.parent.stat().st_mode & 0o077:
        path.parent.chmod(0o700)  # the data directory holds the key and the CA bundle
    key = generate_key()
    # O_EXCL: two processes starting at once must not write two different keys.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    log.warning(
        "Generated a development encryption key at %s (mode 0600). Set "
        "INTEGRATION_ENCRYPTION_KEY in production; keep this file to open the secrets it sealed.",
        path.resolve(),
    )
    return key


def load_key_ring(settings: Settings) -> KeyRing:
    retired = (
        settings.retired_encryption_keys.get_secret_value()
        if settings.retired_encryption_keys
        else None
    )
    if settings.encryption_key is not None:
        return KeyRing.from_strings(settings.encryption_key.get_secret_value(), retired)
    if settings.is_production:
        raise ConfigError(
            "INTEGRATION_ENCRYPTION_KEY: required in production (TOOTHPICK_ENV=production); "
            "make one with `toothpick generate-key` and keep it in your secret manager"
        )
    return KeyRing.from_strings(
        _read_or_create_development_key(settings.development_key_path), retired
    )
