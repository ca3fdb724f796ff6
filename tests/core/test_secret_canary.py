"""A canary secret goes through every code path we have; it must come out nowhere.

Paths: connect (CLI and service), list, test (passing and refused), edit, sync
(inline worker), runs, logs, exports (CSV and JSON), config, status cards,
alerts, exceptions, log records — and the bytes of the database files.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from typer.testing import CliRunner

from core.cli import _register_commands, app
from core.models import Entity, System
from core.schemas import ExportFormat
from core.service import IntegrationService
from core.store.queries import LogFilter
from tests.core.service_support import ORG, TOKEN

CANARY = TOKEN  # the memory vendor accepts it, so every path past the test runs too
runner = CliRunner()
_register_commands()


def _everything_printed(*commands: list[str]) -> str:
    outputs = []
    for command in commands:
        result = runner.invoke(app, [*command])
        outputs.append(result.output)
        if result.exception is not None:
            outputs.append(repr(result.exception) + str(result.exception))
    return "\n".join(outputs)


def test_the_canary_appears_nowhere(
    service: IntegrationService,
    isolated_environment: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("TOOTHPICK_ORGANISATION", ORG)
    seen = _everything_printed(
        ["connections", "add", "hubspot", "Canary CRM", "--field", f"api_token={CANARY}",
         "--entity", "contact", "--direction", "both"],
        ["connections", "add", "hubspot", "Refused", "--field", f"api_token={CANARY}-nope"],
        ["connections", "list"],
        ["connections", "test", "Canary CRM"],
        ["sync", "Canary CRM", "--inline"],
        ["runs"],
        ["export-logs", "--format", "csv"],
        ["export-logs", "--format", "json"],
        ["config"],
    )  # fmt: skip
    [connection] = service.connections.list_connections(ORG)
    service.review.edit_record(ORG, connection.id, Entity.CONTACT, "c1", {"title": "Canary tester"})
    service.syncs.queue_sync(ORG, connection.id)
    from core.worker import Worker

    Worker(service).run_once()
    bad = service.connections.test_credentials(ORG, System.HUBSPOT, {"api_token": CANARY + "x"})
    everything = [
        seen,
        caplog.text,
        bad.model_dump_json(),
        *(c.model_dump_json() for c in service.connections.list_connections(ORG)),
        *(v.model_dump_json() for v in service.monitoring.connection_statuses(ORG)),
        *(e.model_dump_json() for e in service.monitoring.logs(ORG, LogFilter(), limit=500).items),
        *(r.model_dump_json() for r in service.syncs.list_runs(ORG).items),
        *(a.model_dump_json() for a in service.monitoring.alerts(ORG, open_only=False)),
        "".join(service.monitoring.export_logs(ORG, LogFilter(), ExportFormat.CSV)),
        "".join(service.monitoring.export_logs(ORG, LogFilter(), ExportFormat.JSON)),
        repr(service.runtime.store.get_connection(ORG, connection.id)),
    ]
    assert "Connected Canary CRM" in seen  # the paths really ran
    assert "Run " in seen and "succeeded" in seen
    assert "refused the API token" in seen
    for text in everything:
        assert CANARY not in text
    files = list(isolated_environment.glob("toothpick.db*"))
    assert files, "the SQLite files exist"
    for path in files:
        assert CANARY.encode() not in path.read_bytes(), path.name
