"""Key rotation and migration imports, through the service and the CLI."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from core.cli import _register_commands, app
from core.errors import VaultError
from core.models import Operation
from core.service import IntegrationService
from core.settings import load_settings
from core.store.queries import LogFilter
from core.vault import generate_key
from tests.core.service_support import ORG, TOKEN, connect

runner = CliRunner()
_register_commands()


def test_rotate_key_reseals_everything_and_can_be_rerun(
    service: IntegrationService, monkeypatch: pytest.MonkeyPatch
) -> None:
    old_key, new_key = generate_key(), generate_key()
    monkeypatch.setenv("INTEGRATION_ENCRYPTION_KEY", old_key)
    with _open() as old:
        first = connect(old, "one")
        connect(old, "two")
    monkeypatch.setenv("INTEGRATION_ENCRYPTION_KEY", new_key)
    monkeypatch.setenv("INTEGRATION_ENCRYPTION_RETIRED_KEYS", old_key)
    with _open() as rotated:
        report = rotated.admin.rotate_keys()
        assert (report.resealed, report.already_current, report.failed) == (2, 0, [])
        again = rotated.admin.rotate_keys()
        assert (again.resealed, again.already_current) == (0, 2)
        assert rotated.monitoring.logs(ORG, LogFilter(operations=[Operation.ROTATE_KEY])).total == 2
    monkeypatch.delenv("INTEGRATION_ENCRYPTION_RETIRED_KEYS")
    with _open() as current:  # the retired key is dropped: everything still opens
        assert current.connections.test_connection(ORG, first.id).ok


def test_a_dropped_key_is_a_clear_error_naming_the_connection(
    service: IntegrationService, monkeypatch: pytest.MonkeyPatch
) -> None:
    created = connect(service)
    monkeypatch.setenv("INTEGRATION_ENCRYPTION_KEY", generate_key())
    with _open() as other, pytest.raises(VaultError, match=created.id):
        other.connections.test_connection(ORG, created.id)


class _open:
    def __enter__(self) -> IntegrationService:
        self.service = IntegrationService.open(load_settings())
        return self.service

    def __exit__(self, *exc: object) -> None:
        self.service.close()


def test_import_credentials_reports_bad_lines_and_never_duplicates(
    service: IntegrationService, tmp_path: Path
) -> None:
    path = tmp_path / "old.json"
    rows = [
        {"provider": "hubspot", "name": "Old HubSpot", "credentials": {"api_token": TOKEN}},
        {"provider": "nosuch", "name": "Broken"},
        {"system": "hubspot", "name": "No token"},
        {"system": "hubspot", "name": "Second", "api_token": "another-token-value"},
    ]
    path.write_bytes(orjson.dumps(rows))
    result = runner.invoke(app, ["import-credentials", str(path), "--org", ORG])
    assert result.exit_code == 1
    assert "2 connection(s) imported, 0 already present, 2 line(s)" in result.output
    assert "line 2: system: nosuch is not one of" in result.output
    assert "line 3: API token: is required" in result.output
    again = runner.invoke(app, ["import-credentials", str(path), "--org", ORG])
    assert "0 connection(s) imported, 2 already present" in again.output
    names = sorted(c.name for c in service.connections.list_connections(ORG))
    assert names == ["Old HubSpot", "Second"]
    for text in (result.output, again.output):
        assert TOKEN not in text and "another-token-value" not in text


def test_import_credentials_from_csv(service: IntegrationService, tmp_path: Path) -> None:
    path = tmp_path / "old.csv"
    path.write_text(f"system,name,api_token\nhubspot,From CSV,{TOKEN}\nhubspot,,\n")
    report = service.admin.import_credentials(ORG, path)
    assert report.imported == 1
    assert [(p.line, p.message) for p in report.problems] == [(3, "API token: is required")]


def test_import_logs_is_idempotent_and_reports_lines(
    service: IntegrationService, tmp_path: Path
) -> None:
    path = tmp_path / "logs.jsonl"
    lines = [
        {"timestamp": "2026-01-02T03:04:05Z", "provider": "sap", "action": "sync",
         "status": "success", "message": "nightly", "duration": 1200, "recordsProcessed": 40},
        {"timestamp": "not a date", "provider": "sap", "action": "sync", "message": "x"},
        {"timestamp": "2026-01-03T03:04:05Z", "provider": "zoho", "action": "manual_sync",
         "status": "error", "message": "timeout"},
    ]  # fmt: skip
    path.write_text("\n".join(orjson.dumps(row).decode() for row in lines) + "\n{broken\n")
    report = service.admin.import_logs(ORG, path)
    assert report.imported == 2
    assert [p.line for p in report.problems] == [2, 4]
    assert "time" in report.problems[0].message
    assert service.admin.import_logs(ORG, path).already_present == 2
    stored = service.monitoring.logs(ORG, LogFilter())
    assert stored.total == 2
    error = next(e for e in stored.items if e.status.value == "error")
    assert error.level.value == "error" and error.system is not None


def test_export_and_purge_commands(service: IntegrationService, tmp_path: Path) -> None:
    path = tmp_path / "logs.csv"
    path.write_text(
        "time,operation,status,message\n"
        "2020-01-01T00:00:00Z,sync,success,ancient\n"
        "2099-01-01T00:00:00Z,sync,success,future\n"
    )
    assert service.admin.import_logs(ORG, path).imported == 2
    out = tmp_path / "export.json"
    result = runner.invoke(
        app, ["export-logs", "--org", ORG, "--format", "json", "-o", str(out), "--text", "anc"]
    )
    assert result.exit_code == 0, result.output
    assert [row["message"] for row in orjson.loads(out.read_bytes())] == ["ancient"]
    result = runner.invoke(app, ["purge-logs"])
    assert "Removed 1 log entr(ies)" in result.output
    assert [e.message for e in service.monitoring.logs(ORG, LogFilter()).items] == ["future"]


def test_bad_import_file_is_one_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text("{not json")
    result = runner.invoke(app, ["import-logs", str(path)])
    assert result.exit_code != 0
    assert "not valid JSON" in str(result.exception or result.output)
