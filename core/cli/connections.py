"""`toothpick connections add|list|test|remove`."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from core.cli import app
from core.cli.common import (
    OrgOption,
    find_connection,
    open_service,
    organisation,
    plain_console,
    shown,
)
from core.errors import InvalidInputError
from core.models import ConflictPolicy, Direction, Entity, System
from core.schemas import ConnectionCreate

connections = typer.Typer(help="Connect, list, test and remove connections.", no_args_is_help=True)
app.add_typer(connections, name="connections")
console = plain_console()


def _parse_fields(pairs: list[str]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise InvalidInputError(f"--field {pair!r}: write it as name=value", field="field")
        fields[name.strip()] = value
    return fields


@connections.command("add")
def add(
    system: Annotated[
        System, typer.Argument(help="sap, odoo, oracle, salesforce, hubspot, zoho or pipedrive")
    ],
    name: Annotated[str, typer.Argument(help="A name for this connection")],
    field: Annotated[
        list[str], typer.Option("--field", "-f", help="Form field as name=value")
    ] = [],  # noqa: B006
    entity: Annotated[
        list[Entity], typer.Option("--entity", "-e", help="Entity to sync (repeatable)")
    ] = [],  # noqa: B006
    direction: Annotated[Direction, typer.Option(help="pull, push or both")] = Direction.PULL,
    conflict_policy: Annotated[
        ConflictPolicy, typer.Option(help="timestamp, manual or skip")
    ] = ConflictPolicy.TIMESTAMP,
    no_test: Annotated[
        bool, typer.Option("--no-test", help="Save without testing against the vendor")
    ] = False,
    org: OrgOption = None,
) -> None:
    """Connect a system. Secret fields not given with --field are asked for (hidden)."""
    with open_service() as service:
        info = service.connections.system(system)
        fields: dict[str, str] = _parse_fields(field)
        for form_field in info.form:
            if form_field.secret and form_field.required and form_field.name not in fields:
                fields[form_field.name] = typer.prompt(form_field.label, hide_input=True)
        created = service.connections.connect(
            organisation(service, org),
            ConnectionCreate(
                system=system,
                name=name,
                fields=fields,
                entities=list(entity),
                direction=direction,
                conflict_policy=conflict_policy,
            ),
            test_first=not no_test,
        )
        console.print(f"Connected {shown(created.name)} ({info.label}) as {created.id}")


@connections.command("list")
def list_(org: OrgOption = None) -> None:
    """List connections with their health and records held."""
    with open_service() as service:
        table = Table(
            "id", "name", "system", "status", "health", "last sync", "next sync", "records"
        )
        for view in service.monitoring.connection_statuses(organisation(service, org)):
            c = view.connection
            last = view.last_run.finished_at if view.last_run else None
            table.add_row(
                c.id,
                shown(c.name),
                c.system.value,
                c.status.value,
                view.health.value,
                last.strftime("%Y-%m-%d %H:%M") if last else "never",
                view.next_sync_at.strftime("%Y-%m-%d %H:%M") if view.next_sync_at else "-",
                str(view.records_total),
            )
        console.print(table)


@connections.command("test")
def check_connection(
    connection: Annotated[str, typer.Argument(help="Name or id")], org: OrgOption = None
) -> None:
    """Test a stored connection against its vendor."""
    with open_service() as service:
        org_id = organisation(service, org)
        found = find_connection(service, org_id, connection)
        result = service.connections.test_connection(org_id, found.id)
        colour = "green" if result.ok else "red"
        verdict = "OK" if result.ok else "FAILED"
        console.print(
            Text.assemble(
                (verdict, colour), f" {shown(result.message)} ({result.duration_ms:.0f} ms)"
            )
        )
        if not result.ok:
            raise typer.Exit(1)


@connections.command("remove")
def remove(
    connection: Annotated[str, typer.Argument(help="Name or id")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation")] = False,
    org: OrgOption = None,
) -> None:
    """Delete a connection and the records synced through it (logs are kept)."""
    with open_service() as service:
        org_id = organisation(service, org)
        found = find_connection(service, org_id, connection)
        if not yes:
            typer.confirm(f"Delete {found.name!r} and its synced records?", abort=True)
        service.connections.delete_connection(org_id, found.id)
        console.print(f"Deleted {shown(found.name)}")
