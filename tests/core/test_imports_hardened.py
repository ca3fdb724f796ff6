"""Imports act for the organisation that runs them, store only redacted text, and
report every malformed row or file by line while the rest goes in, once."""

from __future__ import annotations

import csv
import io
import shutil
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import InvalidInputError
from core.service import IntegrationService
from core.store.queries import LogFilter
from tests.core.service_support import ORG, OTHER_ORG, TOKEN

BEARER = "Bearer eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXBheWxvYWQ.sig"


def _jsonl(path: Path, rows: list[Any]) -> Path:
    path.write_text("".join(orjson.dumps(row).decode() + "\n" for row in rows))
    return path


def _log(n: int, **extra: Any) -> dict[str, Any]:
    return {"id": str(n), "timestamp": "2026-01-02T03:04:05Z", "action": "sync",
            "message": f"entry {n}", **extra}  # fmt: skip


def _organisations(service: IntegrationService) -> set[str]:
    store = service.runtime.store
    owners = {c.organisation_id for c in store.list_connections(None)}
    for org in (ORG, OTHER_ORG, "victim-org"):
        if service.monitoring.logs(org, LogFilter()).total:
            owners.add(org)
    return owners


def _stored_organisations(service: IntegrationService) -> set[str]:
    """Every organisation id in any table of the SQLite file (read beside the store)."""
    path = service.settings.data_dir / "toothpick.db"
    with sqlite3.connect(path) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        owners: set[str] = set()
        for table in tables:
            columns = {r[1] for r in db.execute(f"PRAGMA table_info({table})")}
            column = "organisation_id" if "organisation_id" in columns else None
            if table == "organisations":
                column = "id"
            if column:
                query = f"SELECT DISTINCT {column} FROM {table}"  # noqa: S608 (names from the schema)
                owners |= {r[0] for r in db.execute(query)}
    return owners


def test_a_credential_row_naming_another_organisation_is_refused_by_line(
    service: IntegrationService, tmp_path: Path
) -> None:
    path = _jsonl(tmp_path / "creds.jsonl", [
        {"system": "hubspot", "name": "Ours", "api_token": TOKEN, "organisation": ORG},
        {"system": "hubspot", "name": "Theirs", "api_token": TOKEN,
         "organisation": "victim-org"},
        {"system": "hubspot", "name": "Theirs too", "api_token": TOKEN,
         "organizationId": "victim-org"},
    ])  # fmt: skip
    report = service.admin.import_credentials(ORG, path)
    assert report.imported == 1
    assert [p.line for p in report.problems] == [2, 3]
    assert all(p.message.startswith("organisation:") for p in report.problems)
    assert _organisations(service) == {ORG}
    assert service.runtime.store.get_organisation("victim-org") is None


def test_a_log_row_naming_another_organisation_is_refused_by_line(
    service: IntegrationService, tmp_path: Path
) -> None:
    path = _jsonl(tmp_path / "logs.jsonl", [_log(1), _log(2, organizationId="victim-org")])
    report = service.admin.import_logs(ORG, path)
    assert (report.imported, [p.line for p in report.problems]) == (1, [2])
    assert service.monitoring.logs("victim-org", LogFilter()).total == 0


def test_one_organisations_log_ids_never_drop_anothers(
    service: IntegrationService, tmp_path: Path
) -> None:
    path = _jsonl(tmp_path / "logs.jsonl", [_log(1), _log(2)])
    assert service.admin.import_logs(OTHER_ORG, path).imported == 2
    report = service.admin.import_logs(ORG, path)
    assert (report.imported, report.already_present) == (2, 0)
    assert service.admin.import_logs(ORG, path).already_present == 2  # and still only once
    ours = service.monitoring.logs(ORG, LogFilter())
    assert ours.total == 2
    assert sorted(e.metadata["imported_id"] for e in ours.items) == ["1", "2"]


def test_imported_log_text_is_redacted(service: IntegrationService, tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "logs.jsonl", [
        _log(1, message=f"call failed; Authorization: {BEARER}",
             metadata={"request": {"headers": f"Authorization: {BEARER}"},
                       "url": "https://x.example/?api_key=abcdef123456"}),
    ])  # fmt: skip
    assert service.admin.import_logs(ORG, path).imported == 1
    [entry] = service.monitoring.logs(ORG, LogFilter()).items
    stored = orjson.dumps(entry.model_dump(mode="json")).decode()
    assert "eyJhbGciOiJIUzI1NiJ9" not in stored and "abcdef123456" not in stored


def test_a_credential_name_carrying_a_secret_is_redacted(
    service: IntegrationService, tmp_path: Path
) -> None:
    path = _jsonl(tmp_path / "creds.jsonl", [
        {"system": "hubspot", "name": "old api_key=abcdef123456", "api_token": TOKEN},
    ])  # fmt: skip
    assert service.admin.import_credentials(ORG, path).imported == 1
    [connection] = service.connections.list_connections(ORG)
    assert "abcdef123456" not in connection.name


def test_malformed_csv_lines_are_reported_and_the_rest_imported(
    service: IntegrationService, tmp_path: Path
) -> None:
    path = tmp_path / "logs.csv"
    huge = "x" * 131_073
    path.write_bytes(
        b"id,time,operation,message\n"
        b"1,2026-01-02T03:04:05Z,sync,first\n"
        b"2,2026-01-02T03:04:05Z,sync,caf\xe9 latin-1\n"
        + f'3,2026-01-02T03:04:05Z,sync,"{huge}"\n'.encode()
        + b"4,2026-01-02T03:04:05Z,sync,last\n"
    )
    report = service.admin.import_logs(ORG, path)
    assert report.imported == 2
    assert [p.line for p in report.problems] == [3, 4]
    assert "UTF-8" in report.problems[0].message
    assert sorted(e.message for e in service.monitoring.logs(ORG, LogFilter()).items) == [
        "first",
        "last",
    ]
    again = service.admin.import_logs(ORG, path)
    assert (again.imported, again.already_present) == (0, 2)


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ({"system": "hubspot", "name": "A", "fields": [1, 2, 3]}, "fields"),
        ({"system": "hubspot", "name": "B", "credentials": "[1, 2]"}, "credentials"),
        ({"system": ["hubspot"], "name": "C", "api_token": TOKEN}, "system"),
        ({"system": "hubspot", "name": {"x": 1}, "api_token": TOKEN}, "name"),
        ({"system": "hubspot", "name": "E", "api_token": ["t"]}, "API token"),
        ({"system": "hubspot", "name": "", "api_token": TOKEN, "entities": 7}, ""),
    ],
)
def test_wrong_types_in_a_credential_row_are_one_problem_by_line(
    service: IntegrationService, tmp_path: Path, row: dict[str, Any], field: str
) -> None:
    good = {"system": "hubspot", "name": "Good", "api_token": TOKEN}
    path = _jsonl(tmp_path / "creds.jsonl", [row, good])
    report = service.admin.import_credentials(ORG, path)
    assert [p.line for p in report.problems] == [1]
    assert report.problems[0].message.startswith(field), report.problems[0].message
    assert [c.name for c in service.connections.list_connections(ORG)] == ["Good"]


@pytest.mark.parametrize(
    "row",
    [
        _log(1, metadata=[1, 2, 3]),
        _log(1, metadata="not json"),
        _log(1, message=["a"]),
        _log(1, duration=-5),
        _log(1, recordsProcessed="many"),
        _log(1, action={"op": "sync"}),
        _log(1, timestamp=12.5e300),
    ],
)
def test_wrong_types_in_a_log_row_are_one_problem_by_line(
    service: IntegrationService, tmp_path: Path, row: dict[str, Any]
) -> None:
    path = _jsonl(tmp_path / "logs.jsonl", [row, _log(2)])
    report = service.admin.import_logs(ORG, path)
    assert (report.imported, [p.line for p in report.problems]) == (1, [1])


# --- fuzz ------------------------------------------------------------------------------

_KEYS = st.sampled_from([
    "id", "system", "provider", "name", "organisation", "organizationId", "organisation_id",
    "api_token", "fields", "credentials", "config", "timestamp", "time", "action",
    "operation", "status", "level", "message", "metadata", "duration", "recordsProcessed",
    "httpStatus", "base_url", "entities",
])  # fmt: skip
_SCALARS = (
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.floats(allow_nan=False)
    | st.text(max_size=40) | st.sampled_from(
        ["hubspot", "sync", "error", ORG, OTHER_ORG, "2026-01-02T03:04:05Z", TOKEN, "{}", "[1]"]
    )
)  # fmt: skip
_VALUES = st.recursive(
    _SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.text(max_size=8), inner, max_size=3), max_leaves=6
)  # fmt: skip
_ROWS = st.lists(st.dictionaries(_KEYS, _VALUES, max_size=8) | _VALUES, max_size=6)


def _write(path: Path, rows: list[Any], kind: str) -> Path:
    if kind == "json":
        path.write_bytes(orjson.dumps(rows))
    elif kind == "jsonl":
        _jsonl(path, rows)
    else:
        buffer = io.StringIO()
        names = sorted({k for row in rows if isinstance(row, dict) for k in row}) or ["id"]
        writer = csv.writer(buffer)
        writer.writerow(names)
        for row in rows:
            cells = row if isinstance(row, dict) else {}
            writer.writerow([
                v if isinstance(v, str) else orjson.dumps(v).decode()
                for v in (cells.get(n, "") for n in names)
            ])  # fmt: skip
        path.write_text(buffer.getvalue(), encoding="utf-8", errors="surrogatepass")
    return path


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=_ROWS, kind=st.sampled_from(["json", "jsonl", "csv"]), raw=st.binary(max_size=200))
def test_fuzzed_imports_never_raise_nor_leave_the_organisation(
    service: IntegrationService, rows: list[Any], kind: str, raw: bytes
) -> None:
    folder = Path(tempfile.mkdtemp())
    try:
        path = _write(folder / f"in.{kind}", rows, kind)
        junk = folder / f"junk.{kind}"
        junk.write_bytes(path.read_bytes()[:50] + raw)
        for file in (path, junk):
            for run in (service.admin.import_credentials, service.admin.import_logs):
                try:
                    report = run(ORG, file)
                except InvalidInputError as exc:  # only a whole-file problem stops a file
                    problem = str(exc)
                else:
                    problem = file.name
                    assert all(p.line >= 1 for p in report.problems)
                assert problem.startswith(file.name), problem
        assert _stored_organisations(service) <= {ORG}
    finally:
        shutil.rmtree(folder, ignore_errors=True)
