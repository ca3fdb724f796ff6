"""What every command shares: the service handle, the organisation option, lookups."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from core.errors import NotFoundError
from core.schemas import ConnectionPublic
from core.service import IntegrationService
from core.settings import load_settings

OrgOption = Annotated[
    str | None,
    typer.Option("--org", help="Organisation to act for (default: TOOTHPICK_ORGANISATION)."),
]


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
