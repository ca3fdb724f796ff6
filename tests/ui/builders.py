"""Data for the page tests, written through the service where it can be and through
the store where a test needs history the service only produces over time."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from adapters.base import FieldKind, SystemInfo
from core.clock import utcnow
from core.demo.history import history
from core.demo.profiles import DEMO_CONNECTIONS
from core.models import (
    Conflict,
    Connection,
    Direction,
    Entity,
    IssueDirection,
    LogEntry,
    LogLevel,
    LogStatus,
    Operation,
    RecordIssue,
    RecordWrite,
    System,
    content_hash,
)
from core.schemas import ConnectionPublic
from core.service import IntegrationService

ORG = "toothpick"
SECRET = "s3cr3t-Value-that-must-never-show-9Q"


def stored_connection(
    service: IntegrationService,
    *,
    system: System = System.HUBSPOT,
    name: str = "HubSpot EU",
    secret: str = SECRET,
) -> ConnectionPublic:
    """A connection stored directly (no adapter needed), its secret sealed as the service does."""
    connection = Connection(organisation_id=ORG, system=system, name=name, sealed_secret="x")
    sealed = service.runtime.vault.seal(
        {"token": secret}, organisation_id=ORG, connection_id=connection.id
    )
    service.runtime.store.create_connection(connection.model_copy(update={"sealed_secret": sealed}))
    return service.connections.get_connection(ORG, connection.id)


def connection_with_records(
    service: IntegrationService,
    *,
    direction: Direction = Direction.BOTH,
    records: dict[str, dict[str, Any]] | None = None,
    name: str = "HubSpot EU",
    entity: Entity = Entity.CONTACT,
) -> ConnectionPublic:
    """A HubSpot connection holding records of one entity, as a pull would leave them."""
    made = stored_connection(service, name=name)
    store = service.runtime.store
    stored = store.get_connection(ORG, made.id)
    assert stored is not None
    store.update_connection(
        stored.model_copy(update={"entities": [entity], "direction": direction})
    )
    held = records or {
        f"c{n}": {"first_name": f"First{n}", "last_name": f"Last{n}"} for n in (1, 2, 3)
    }
    writes = [
        RecordWrite(external_id=ext, data=data, content_hash=content_hash(data))
        for ext, data in held.items()
    ]
    store.upsert_records(ORG, made.id, entity, writes, run_id=None)
    return service.connections.get_connection(ORG, made.id)


def with_history(
    service: IntegrationService, connection: ConnectionPublic, *, days: int = 8
) -> int:
    """Synthetic runs and log entries (the demo's generator) for one connection."""
    profile = next(p for p in DEMO_CONNECTIONS if p.system is connection.system)
    past = history(connection, profile, now=utcnow(), days=days, seed=3)
    for run in past.runs:
        service.runtime.store.create_run(run)
    return service.runtime.store.append_logs(past.logs)


def log(connection: ConnectionPublic, message: str, **fields: Any) -> LogEntry:
    values: dict[str, Any] = {
        "organisation_id": ORG,
        "connection_id": connection.id,
        "system": connection.system,
        "operation": Operation.PULL,
        "time": utcnow() - timedelta(minutes=5),
        "message": message,
        **fields,
    }
    return LogEntry(**values)


def error_log(connection: ConnectionPublic, message: str) -> LogEntry:
    return log(
        connection,
        message,
        level=LogLevel.ERROR,
        status=LogStatus.ERROR,
        metadata={"http_status_text": "Service Unavailable", "attempts": 4},
    )


def conflict(connection: ConnectionPublic, external_id: str = "c-1") -> Conflict:
    now = utcnow()
    return Conflict(
        organisation_id=ORG,
        connection_id=connection.id,
        system=connection.system,
        entity=Entity.CONTACT,
        external_id=external_id,
        local={"last_name": "Ferrer", "email": "lucia@local.example", "title": "Manager"},
        remote={"last_name": "Ferrer", "email": "lucia@vendor.example", "title": "Director"},
        differing_fields=["email", "title"],
        local_changed_at=now - timedelta(hours=2),
        remote_changed_at=now - timedelta(hours=1),
    )


def record_issue(
    connection: ConnectionPublic,
    external_id: str = "c-1",
    *,
    code: str = "INVALID_EMAIL_ADDRESS",
    direction: IssueDirection = IssueDirection.PUSH,
) -> RecordIssue:
    """A record the vendor refused, as a run stores it (core.sync.issues)."""
    return RecordIssue(
        organisation_id=ORG,
        connection_id=connection.id,
        system=connection.system,
        entity=Entity.CONTACT,
        direction=direction,
        external_id=external_id,
        code=code,
        message=f"{code}: **not** <b>valid</b> [x](http://evil.example) {external_id}",
        hint="The vendor does not accept this e-mail address: correct it.",
    )


def form_values(info: SystemInfo, secret: str = SECRET) -> dict[str, str]:
    """Plausible values for every field of a system's connect form."""
    values = {}
    for field in info.form:
        if field.kind is FieldKind.SECRET:
            values[field.name] = secret
        elif field.kind is FieldKind.URL:
            values[field.name] = str(field.default or "https://vendor.example")
        elif field.kind is FieldKind.INTEGER:
            values[field.name] = str(field.default or 1)
        elif field.kind is FieldKind.TEXT:
            values[field.name] = str(field.default or "value")
    return values
