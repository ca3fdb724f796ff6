"""Key and configuration commands."""

from __future__ import annotations

import typer

from core.cli import app
from core.vault import generate_key


@app.command("generate-key")
def generate_key_command() -> None:
    """Print a new random AES-256 key for INTEGRATION_ENCRYPTION_KEY."""
    typer.echo(generate_key())


@app.command("config")
def show_config() -> None:
    """Show the effective settings (secrets masked) and where data lives."""
    from core.settings import load_settings

    settings = load_settings()
    for name, value in settings.model_dump().items():
        shown = "***" if value is not None and name in _SECRET_SETTINGS else value
        typer.echo(f"{name}: {shown}")
    store = "MongoDB" if settings.mongodb_uri else f"SQLite {settings.database_path}"
    typer.echo(f"store: {store}")


_SECRET_SETTINGS = {"encryption_key", "retired_encryption_keys", "mongodb_uri", "redis_url"}
