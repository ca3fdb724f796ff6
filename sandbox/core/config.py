"""How one sandbox process is configured (ports, data directory, scale, systems)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

_SCALE = re.compile(r"^(?:(?P<key>[A-Za-z0-9_.*-]+)=)?(?P<count>\d[\d_]*)$")


@dataclass(frozen=True)
class SandboxConfig:
    """`scale` keys: "*" (every object), "Contact" (that object in every system) or
    "salesforce.Contact"; the most specific wins over a tenant's shipped scale.
    A port of 0 picks a free one; `tls_port=None` serves plain HTTP only."""

    host: str = "127.0.0.1"
    port: int = 8765
    tls_port: int | None = 8766
    data_dir: Path = Path("data/sandbox")
    systems: tuple[str, ...] | None = None
    scale: Mapping[str, int] = field(default_factory=dict)
    public_url: str | None = None
    public_tls_url: str | None = None
    webhooks: bool = True
    log_level: str = "warning"
    latency: bool = False  # realistic vendor timing and limits (sandbox.core.latency)


def parse_scale(values: Iterable[str]) -> dict[str, int]:
    """ "1000", "Contact=5000", "salesforce.Contact=1_000_000" -> {key: count}."""
    scale: dict[str, int] = {}
    for value in values:
        for part in value.split(","):
            match = _SCALE.match(part.strip())
            if not match:
                raise ValueError(
                    f"bad scale {part!r}: use N, OBJECT=N or SYSTEM.OBJECT=N (e.g. Contact=5000)"
                )
            scale[match.group("key") or "*"] = int(match.group("count").replace("_", ""))
    return scale


@dataclass
class SandboxUrls:
    """Where the running sandbox can be reached (known once sockets are bound)."""

    http: str = ""
    tls: str | None = None
    ca_path: Path | None = None

    @property
    def secure_or_plain(self) -> str:
        return self.tls or self.http
