"""What every command shares: the service handle, the organisation option, lookups."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.console import Console

from core.errors import NotFoundError
from core.schemas import ConnectionPublic
from core.service import IntegrationService
from core.settings import load_settings
from core.text_safety import visible

OrgOption = Annotated[
    str | None,
    typer.Option("--org", help="Organisation to act for (default: TOOTHPICK_ORGANISATION)."),
]


def plain_console(*, stderr: bool = False) -> Console:
    """A console that prints text as it is: names and vendor messages are data, so no
    Rich markup (`[bold]`), emoji codes or highlighting is read from them. Our own
    styling goes in as `rich.text.Text` spans."""
    return Console(stderr=stderr, markup=False, emoji=False, highlight=False)


def shown(text: object) -> str:
    """Data for the terminal: control and direction characters written as escapes."""
    return visible(str(text))


@contextmanager
def open_service() -> Iterator[IntegrationService]:
    service = IntegrationService.open(load_settings())
    try:
        yield service
    finally:
        service.close()


def organisation(service: IntegrationService, org: str | None) -> str:
    return org or service.settings.organisation


def find_connection(service: IntegrationService, org: str, key: str) -> ConnectionPublic:
    """A connection by id or by (exact, then case-insensitive) name."""
    connections = service.connections.list_connections(org)
    for found in (
        [c for c in connections if c.id == key],
        [c for c in connections if c.name == key],
        [c for c in connections if c.name.lower() == key.lower()],
    ):
        if len(found) == 1:
            return found[0]
    raise NotFoundError(
        f"No connection named or numbered {key!r}; see `toothpick connections list`."
    )
