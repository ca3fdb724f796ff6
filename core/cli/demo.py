"""`toothpick demo seed`: the sandbox connections and their synthetic history."""

from __future__ import annotations

from typing import Annotated

import typer

from core.cli import app
from core.cli.common import OrgOption, open_service, organisation
from core.schemas import DemoReport
from core.text_safety import visible

demo = typer.Typer(help="The demo organisation (sandbox connections).", no_args_is_help=True)
app.add_typer(demo, name="demo")


def describe(report: DemoReport) -> str:
    lines = []
    if report.created:
        lines.append(
            f"Demo: created {len(report.created)} sandbox connections with {report.runs} past "
            f"runs, {report.log_entries} log entries, {report.conflicts} conflicts and "
            f"{report.alerts} alerts; queued {report.queued} first syncs."
        )
    if report.already_present:
        lines.append(f"Demo: {len(report.already_present)} sandbox connections already present.")
    lines.extend(
        f"Demo: skipped {visible(name)}: {visible(why)}" for name, why in report.skipped.items()
    )
    return "\n".join(lines) or "Demo: nothing to do."


@demo.command("seed")
def seed(
    org: OrgOption = None,
    queue: Annotated[
        bool, typer.Option("--queue/--no-queue", help="Queue a first sync of each new connection")
    ] = True,
) -> None:
    """Create the seven sandbox connections and 30 days of history (idempotent)."""
    with open_service() as service:
        typer.echo(describe(service.admin.seed_demo(organisation(service, org), queue_syncs=queue)))
