"""Which certificate authorities vendor calls trust: the standard ones, plus extras.

`TOOTHPICK_CA_BUNDLE` names a PEM file of *extra* CAs (the sandbox's local CA,
a corporate TLS-inspecting proxy). requests' `verify=<path>` would *replace*
the standard bundle with it, so the two are joined into one file, written once
per process and content, under the data directory (`<data_dir>/tls/`, mode
0700, the file 0600): another local user must not be able to swap a CA in, which
a predictable name in the shared temporary directory allowed. Without a data
directory (a bare adapter in a test) it goes to a private temporary directory.

    >>> session.verify = trust_store(Path("data/sandbox/tls/ca.pem"), directory=Path("data"))
    ... # doctest: +SKIP
    >>> trust_store(None)
    True

Certificates are always verified; there is no setting that turns that off.

Every TLS connection urllib3 opens would otherwise build an SSL context of its own
and parse the whole bundle into it (about 1 MB and a few milliseconds each, per
connection, per run): `trust_context` keeps one per bundle for the process. A
context holds only what is trusted and how TLS is spoken, never a credential or
a cookie, so every session may share it.
"""

from __future__ import annotations

import hashlib
import os
import ssl
import tempfile
from functools import lru_cache
from pathlib import Path

import certifi
from urllib3.util.ssl_ import create_urllib3_context

from core.errors import ConfigError


def trust_store(extra: Path | None, *, directory: Path | None = None) -> str | bool:
    """requests' `verify` value: True (the standard bundle) or a joined bundle's path."""
    if extra is None:
        return True
    try:
        added = extra.read_bytes()
    except OSError as exc:
        raise ConfigError(f"TOOTHPICK_CA_BUNDLE: cannot read {extra} ({exc.strerror})") from None
    if b"-----BEGIN CERTIFICATE-----" not in added:
        raise ConfigError(f"TOOTHPICK_CA_BUNDLE: {extra} holds no PEM certificate")
    return _joined(added, directory.resolve() if directory is not None else None)


@lru_cache(maxsize=8)
def _joined(added: bytes, directory: Path | None) -> str:
    standard = Path(certifi.where()).read_bytes()
    content = standard.rstrip(b"\n") + b"\n" + added
    digest = hashlib.sha256(content).hexdigest()[:16]
    folder = private_directory(directory / "tls") if directory else _private_temporary()
    path = folder / f"ca-bundle-{digest}.pem"
    if not path.is_file() or path.read_bytes() != content:
        # mkstemp: created 0600 by the kernel, never readable by others even for an instant
        fd, name = tempfile.mkstemp(dir=folder, suffix=".tmp")
        with os.fdopen(fd, "wb") as out:
            out.write(content)
        Path(name).replace(path)  # atomic: concurrent workers never read half a bundle
    return str(path)


def private_directory(path: Path) -> Path:
    """`path`, created if need be, owner-only (0700) whatever the umask."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    if path.stat().st_mode & 0o077:
        path.chmod(0o700)
    return path


@lru_cache(maxsize=1)
def _private_temporary() -> Path:
    return Path(tempfile.mkdtemp(prefix="toothpick-tls-"))  # 0700, unpredictable name


@lru_cache(maxsize=8)
def trust_context(verify: str | bool) -> ssl.SSLContext:
    """The process's one SSL context for a `trust_store` value (True: the standard
    bundle; a path: a joined one), as urllib3 would build it for each connection."""
    context = create_urllib3_context(cert_reqs=ssl.CERT_REQUIRED)
    context.load_verify_locations(cafile=certifi.where() if verify is True else str(verify))
    return context
