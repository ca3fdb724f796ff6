"""`toothpick api` (serve the REST API) and `toothpick api-keys create|list|revoke`."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from core.cli import app
from core.cli.common import OrgOption, open_service, organisation
from core.models import Role
from core.schemas import ApiKeyCreate
from core.settings import load_settings

keys = typer.Typer(help="Create, list and revoke REST API keys.", no_args_is_help=True)
app.add_typer(keys, name="api-keys")
console = Console()


@app.command("api")
def serve() -> None:
    """Serve the REST API (TOOTHPICK_API_HOST:TOOTHPICK_API_PORT) with uvicorn."""
    import uvicorn

    settings = load_settings()
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=settings.api_host,
        port=settings.api_port,
        log_level=settings.log_level.lower(),
        server_header=False,
    )


@keys.command("create")
def create(
    name: Annotated[str, typer.Argument(help="Who or what will use the key")],
    role: Annotated[Role, typer.Option(help="viewer, operator or admin")] = Role.VIEWER,
    org: OrgOption = None,
) -> None:
    """Create a key and print its token once (only a hash of it is stored)."""
    with open_service() as service:
        created = service.access.create_key(
            organisation(service, org), ApiKeyCreate(name=name, role=role)
        )
    typer.echo(
        f"Key {created.key.id} ({created.key.role.value}) for {created.key.organisation_id}."
    )
    typer.echo("Token (shown once; store it now):")
    typer.echo(created.token)


@keys.command("list")
def list_keys(org: OrgOption = None) -> None:
    """The organisation's keys (never their tokens)."""
    with open_service() as service:
        found = service.access.list_keys(organisation(service, org))
    table = Table("name", "role", "created", "revoked")
    table.add_column("id", no_wrap=True, min_width=26)
    for key in found:
        table.add_row(
            Text(key.name),
            key.role.value,
            f"{key.created_at:%Y-%m-%d %H:%M}",
            f"{key.revoked_at:%Y-%m-%d %H:%M}" if key.revoked_at else "",
            key.id,
        )
    console.print(table)


@keys.command("revoke")
def revoke(
    key_id: Annotated[str, typer.Argument(help="The key's id (see `api-keys list`)")],
    org: OrgOption = None,
) -> None:
    """Revoke a key at once; requests carrying it answer 401 from now on."""
    with open_service() as service:
        service.access.revoke_key(organisation(service, org), key_id)
    typer.echo(f"Revoked {key_id}.")
