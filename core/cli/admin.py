"""Migration and maintenance: rotate-key, import-credentials, import-logs, export-logs,
purge-logs."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from core.cli import app
from core.cli.common import (
    OrgOption,
    find_connection,
    open_service,
    organisation,
    plain_console,
    shown,
)
from core.clock import as_utc
from core.models import LogLevel, LogStatus, Operation, System
from core.schemas import ExportFormat, ImportReport, LogFilter

console = plain_console(stderr=True)


def _print_report(report: ImportReport, what: str) -> None:
    console.print(
        f"{report.imported} {what} imported, {report.already_present} already present, "
        f"{len(report.problems)} line(s) with problems"
    )
    for problem in report.problems[:200]:
        console.print(f"  line {problem.line}: {shown(problem.message)}")
    if len(report.problems) > 200:
        console.print(f"  ... and {len(report.problems) - 200} more")


@app.command("rotate-key")
def rotate_key() -> None:
    """Re-seal every stored secret with the current INTEGRATION_ENCRYPTION_KEY.

    Put the old key in INTEGRATION_ENCRYPTION_RETIRED_KEYS first. Safe to re-run.
    """
    with open_service() as service:
        report = service.admin.rotate_keys()
    console.print(
        f"{report.resealed} secret(s) re-sealed, {report.already_current} already current, "
        f"{len(report.failed)} failed"
    )
    for failure in report.failed:
        console.print(f"  {shown(failure)}")
    if report.failed:
        raise typer.Exit(1)


@app.command("import-credentials")
def import_credentials(
    file: Annotated[Path, typer.Argument(help=".json, .jsonl or .csv of plaintext credentials")],
    test: Annotated[bool, typer.Option("--test", help="Test each against its vendor")] = False,
    org: OrgOption = None,
) -> None:
    """Import credentials from an older system: validated, sealed at once, stored.

    Re-running creates no duplicates (a connection of the same name is left as is).
    """
    with open_service() as service:
        report = service.admin.import_credentials(organisation(service, org), file, test_first=test)
    _print_report(report, "connection(s)")
    if report.problems:
        raise typer.Exit(1)


@app.command("import-logs")
def import_logs(
    file: Annotated[Path, typer.Argument(help=".jsonl or .csv of historical log entries")],
    org: OrgOption = None,
) -> None:
    """Import historical logs; re-running adds nothing twice."""
    with open_service() as service:
        report = service.admin.import_logs(organisation(service, org), file)
    _print_report(report, "log entr(ies)")
    if report.problems:
        raise typer.Exit(1)


@app.command("export-logs")
def export_logs(
    fmt: Annotated[ExportFormat, typer.Option("--format", help="csv or json")] = ExportFormat.CSV,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File (default stdout)")
    ] = None,
    system: Annotated[list[System], typer.Option(help="Filter (repeatable)")] = [],  # noqa: B006
    connection: Annotated[list[str], typer.Option(help="Name or id (repeatable)")] = [],  # noqa: B006
    status: Annotated[list[LogStatus], typer.Option(help="Filter (repeatable)")] = [],  # noqa: B006
    level: Annotated[list[LogLevel], typer.Option(help="Filter (repeatable)")] = [],  # noqa: B006
    operation: Annotated[list[Operation], typer.Option(help="Filter (repeatable)")] = [],  # noqa: B006
    since: Annotated[datetime | None, typer.Option(help="From (UTC)")] = None,
    until: Annotated[datetime | None, typer.Option(help="Until (UTC)")] = None,
    text: Annotated[str | None, typer.Option(help="Message contains")] = None,
    org: OrgOption = None,
) -> None:
    """Export the filtered log set as CSV or JSON (secrets redacted)."""
    with open_service() as service:
        org_id = organisation(service, org)
        query = LogFilter(
            systems=list(system),
            connection_ids=[find_connection(service, org_id, c).id for c in connection],
            statuses=list(status),
            levels=list(level),
            operations=list(operation),
            since=as_utc(since) if since else None,
            until=as_utc(until) if until else None,
            text=text,
        )
        chunks = service.monitoring.export_logs(org_id, query, fmt)
        if output is None:
            for chunk in chunks:
                sys.stdout.write(chunk)
            return
        with output.open("w", encoding="utf-8", newline="") as handle:
            for chunk in chunks:
                handle.write(chunk)
        console.print(f"Wrote {output}")


@app.command("purge-logs")
def purge_logs(
    older_than_days: Annotated[
        int | None, typer.Option(min=1, help="Default: TOOTHPICK_LOG_RETENTION_DAYS")
    ] = None,
) -> None:
    """Delete log entries older than the retention period (every organisation)."""
    with open_service() as service:
        removed = service.monitoring.purge_logs(older_than_days=older_than_days)
    console.print(f"Removed {removed} log entr(ies)")
