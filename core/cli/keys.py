"""Key commands: make a new encryption key."""

from __future__ import annotations

import typer

from core.cli import app
from core.vault import generate_key


@app.command("generate-key")
def generate_key_command() -> None:
    """Print a new random AES-256 key for INTEGRATION_ENCRYPTION_KEY."""
    typer.echo(generate_key())
