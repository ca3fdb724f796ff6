"""`toothpick sync CONNECTION` and `toothpick runs`."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
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
from core.clock import as_utc, utcnow
from core.models import ConflictPolicy, Direction, Entity, RunState, SyncOptions, SyncRun, eta
from core.service import IntegrationService
from core.wording import plural
from core.worker import Worker

console = plain_console()


def _summary(run: SyncRun) -> Table:
    table = Table(
        "entity", "pages", "read", "created", "updated", "unchanged", "deleted", "pushed",
        "failed", "conflicts", "api calls", "retries", "rate-limit wait",
        title=f"Run {run.id}: {run.state.value}",
    )  # fmt: skip
    rows = [*run.counts.items(), ("total", run.totals)]
    for entity, c in rows:
        name = entity.value if isinstance(entity, Entity) else entity
        table.add_row(
            name, str(c.pages), str(c.read), str(c.created), str(c.updated), str(c.unchanged),
            str(c.deleted), str(c.pushed), str(c.failed), str(c.conflicts), str(c.api_calls),
            str(c.retries), f"{c.rate_limit_wait_s:.1f} s",
        )  # fmt: skip
    return table


def _follow(service: IntegrationService, org: str, run: SyncRun) -> SyncRun:
    """Progress until the run ends: the dashboard's reading (core.models.eta) as text."""
    earlier = service.syncs.list_runs(org, connection_id=run.connection_id, limit=20).items
    with Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(bar_width=24),
        TextColumn("{task.fields[detail]}", markup=False),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        task = progress.add_task(f"run {run.id}", detail="queued", total=None)
        while True:
            run = service.syncs.get_run(org, run.id)
            progress.update(task, **follow_fields(run, earlier, now=utcnow()))
            if run.state.is_finished or run.state is RunState.PAUSED:
                return run
            time.sleep(0.5)


def follow_fields(run: SyncRun, earlier: list[SyncRun], *, now: datetime) -> dict[str, Any]:
    """The progress line's bar and words for one reading of the run."""
    p = run.progress
    entity = p.current_entity.value if p.current_entity else "-"
    if p.entity_count > 1:
        entity += f" ({p.entity_number} of {p.entity_count})"
    parts = [run.state.value, entity, plural(p.records, "record"), plural(p.pages, "page")]
    found = eta.forecast(run, earlier, now=now)
    if found is not None:
        parts.append(eta.in_words(found))
    waiting = eta.vendor_wait(run)
    if waiting:
        parts.append(waiting)
    share = found.share * 100 if found is not None else None
    return {"detail": shown(" · ".join(parts)), "total": 100 if share is not None else None,
            "completed": share or 0}  # fmt: skip


@app.command("sync")
def sync(
    connection: Annotated[str, typer.Argument(help="Connection name or id")],
    entity: Annotated[
        list[Entity], typer.Option("--entity", "-e", help="Entity (repeatable)")
    ] = [],  # noqa: B006
    direction: Annotated[Direction | None, typer.Option(help="pull, push or both")] = None,
    full: Annotated[bool, typer.Option("--full", help="Read everything, not only changes")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Report, change nothing")] = False,
    reconcile: Annotated[
        bool,
        typer.Option("--reconcile", help="Compare with the vendor's counts, repair differences"),
    ] = False,
    conflict_policy: Annotated[
        ConflictPolicy | None, typer.Option(help="Override the policy")
    ] = None,
    modified_since: Annotated[
        datetime | None, typer.Option(help="Only records changed since")
    ] = None,
    wait: Annotated[
        bool, typer.Option("--wait", help="Follow progress until the run ends")
    ] = False,
    inline: Annotated[
        bool, typer.Option("--inline", help="Execute in this process instead of a worker")
    ] = False,
    org: OrgOption = None,
) -> None:
    """Queue a sync (a worker runs it); --wait follows it with a progress bar and a summary."""
    with open_service() as service:
        org_id = organisation(service, org)
        found = find_connection(service, org_id, connection)
        run = service.syncs.queue_sync(
            org_id,
            found.id,
            SyncOptions(
                entities=list(entity) or None,
                direction=direction,
                full=full,
                dry_run=dry_run,
                reconcile=reconcile,
                conflict_policy=conflict_policy,
                modified_since=as_utc(modified_since) if modified_since else None,
            ),
        )
        console.print(f"Queued run {run.id} for {shown(found.name)}")
        if inline:
            Worker(service).run_by_id(run.id)
        if wait or inline:
            run = _follow(service, org_id, run)
            console.print(_summary(run))
            if run.error:
                console.print(Text(shown(run.error), style="red"))
            for change in run.planned[:50]:
                console.print(
                    f"  would {change.action} {change.entity.value} {shown(change.external_id)}"
                )
            if run.state is RunState.FAILED:
                raise typer.Exit(1)


@app.command("runs")
def runs(
    connection: Annotated[str | None, typer.Option(help="Only this connection")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 20,
    org: OrgOption = None,
) -> None:
    """Recent runs, newest first."""
    with open_service() as service:
        org_id = organisation(service, org)
        connection_id = find_connection(service, org_id, connection).id if connection else None
        page = service.syncs.list_runs(org_id, connection_id=connection_id, limit=limit)
        table = Table(
            "run", "connection", "trigger", "state", "created", "read", "written",
            "calls", "calls/1k", "daily %", "error",
        )  # fmt: skip
        for run in page.items:
            totals = run.totals
            usage = service.monitoring.run_usage(org_id, run)
            per_1k, share = usage.calls_per_1000_records, usage.share_of_allowance
            table.add_row(
                run.id,
                run.connection_id,
                run.trigger.value,
                run.state.value,
                run.created_at.strftime("%Y-%m-%d %H:%M:%S"),
                str(totals.read),
                str(totals.created + totals.updated + totals.deleted + totals.pushed),
                str(usage.api_calls),
                f"{per_1k:.1f}" if per_1k is not None else "-",
                f"{share:.3%}" if share is not None else "-",
                shown((run.error or "")[:60]),
            )
        console.print(table)
        console.print(f"{page.total} run(s) in all")
