"""`toothpick api` (serve the REST API), `api-keys create|list|revoke`, `users ...`."""

from __future__ import annotations

from typing import Annotated

import typer
from pydantic import SecretStr
from rich.console import Console
from rich.table import Table
from rich.text import Text

from core.cli import app
from core.cli.common import OrgOption, open_service, organisation
from core.models import Role
from core.schemas import ApiKeyCreate, UserCreate
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


users = typer.Typer(help="Built-in users who sign in (dashboard in production, API sessions).")
app.add_typer(users, name="users")


@users.command("create")
def create_user(
    username: Annotated[str, typer.Argument(help="The sign-in name")],
    role: Annotated[Role, typer.Option(help="viewer, operator or admin")] = Role.VIEWER,
    org: OrgOption = None,
) -> None:
    """Create a user; the password is asked for twice, hidden, and stored argon2-hashed."""
    password = typer.prompt("Password (12 characters or more)", hide_input=True,
                            confirmation_prompt=True)  # fmt: skip
    with open_service() as service:
        created = service.access.create_user(
            organisation(service, org),
            UserCreate(username=username, password=SecretStr(password), role=role),
        )
    typer.echo(f"User {created.username} ({created.role.value}) in {created.organisation_id}.")


@users.command("list")
def list_users(org: OrgOption = None) -> None:
    with open_service() as service:
        found = service.access.list_users(organisation(service, org))
    for user in found:
        state = " (disabled)" if user.disabled_at else ""
        typer.echo(f"{user.id}  {user.username}  {user.role.value}{state}")


@users.command("disable")
def disable_user(
    user_id: Annotated[str, typer.Argument(help="The user's id (see `users list`)")],
    org: OrgOption = None,
) -> None:
    """The user can no longer sign in; open sessions stop working at once."""
    with open_service() as service:
        service.access.disable_user(organisation(service, org), user_id)
    typer.echo(f"Disabled {user_id}.")
