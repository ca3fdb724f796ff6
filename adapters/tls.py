"""Which certificate authorities vendor calls trust: the standard ones, plus extras.

`TOOTHPICK_CA_BUNDLE` names a PEM file of *extra* CAs (the sandbox's local CA,
a corporate TLS-inspecting proxy). requests' `verify=<path>` would *replace*
the standard bundle with it, so the two are joined into one file, written once
per process and content:

    >>> session.verify = trust_store(Path("data/sandbox/tls/ca.pem"))  # doctest: +SKIP
    >>> trust_store(None)
    True

Certificates are always verified; there is no setting that turns that off.
"""

from __future__ import annotations

import hashlib
import tempfile
from functools import lru_cache
from pathlib import Path

import certifi

from core.errors import ConfigError


def trust_store(extra: Path | None) -> str | bool:
    """requests' `verify` value: True (the standard bundle) or a joined bundle's path."""
    if extra is None:
        return True
    try:
        added = extra.read_bytes()
    except OSError as exc:
        raise ConfigError(f"TOOTHPICK_CA_BUNDLE: cannot read {extra} ({exc.strerror})") from None
    if b"-----BEGIN CERTIFICATE-----" not in added:
        raise ConfigError(f"TOOTHPICK_CA_BUNDLE: {extra} holds no PEM certificate")
    return _joined(added)


@lru_cache(maxsize=8)
def _joined(added: bytes) -> str:
    standard = Path(certifi.where()).read_bytes()
    content = standard.rstrip(b"\n") + b"\n" + added
    digest = hashlib.sha256(content).hexdigest()[:16]
    path = Path(tempfile.gettempdir()) / f"toothpick-ca-{digest}.pem"
    if not path.is_file() or path.read_bytes() != content:
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False) as out:
            out.write(content)
        Path(out.name).replace(path)  # atomic: concurrent workers never read half a bundle
    return str(path)
