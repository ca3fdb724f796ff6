"""`toothpick sandbox`: serve the vendor simulators (the demo's and the tests' vendors)."""

from __future__ import annotations

from typing import Annotated

import typer

from core.cli import app
from core.errors import ConfigError
from core.settings import load_settings


@app.command("sandbox")
def sandbox_command(
    port: Annotated[int | None, typer.Option(help="Plain HTTP port (default 8765).")] = None,
    tls_port: Annotated[int | None, typer.Option(help="TLS port (default 8766).")] = None,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    no_tls: Annotated[bool, typer.Option("--no-tls", help="Serve plain HTTP only.")] = False,
    scale: Annotated[
        list[str] | None,
        typer.Option(help="Records per object: N, OBJECT=N or SYSTEM.OBJECT=N (repeatable)."),
    ] = None,
    system: Annotated[
        list[str] | None, typer.Option(help="Serve only this system (repeatable).")
    ] = None,
) -> None:
    """Start the vendor sandbox: every simulator on one port, plus a TLS port."""
    from sandbox.__main__ import banner
    from sandbox.core.config import SandboxConfig, parse_scale
    from sandbox.core.server import SandboxServer

    settings = load_settings()
    if settings.is_production:
        raise ConfigError(
            "The vendor sandbox is not available in production (TOOTHPICK_ENV=production)."
        )
    secure_port = settings.sandbox_tls_port if tls_port is None else tls_port
    try:
        config = SandboxConfig(
            host=host,
            port=settings.sandbox_port if port is None else port,  # 0 picks a free port
            tls_port=None if no_tls else secure_port,
            data_dir=settings.data_dir / "sandbox",
            systems=tuple(system) if system else None,
            scale=parse_scale(scale or []),
        )
        server = SandboxServer(config)
        server.bind()
    except (OSError, ValueError) as exc:
        raise ConfigError(f"sandbox: {exc}") from None
    typer.echo(banner(server))
    server.run_forever()
