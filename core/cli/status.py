"""`toothpick status`: the scheduler, the workers, the runs by state, open alerts."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from core.cli import app
from core.cli.common import OrgOption, open_service, organisation


def _when(value: object) -> Text:
    return Text(value.strftime("%Y-%m-%d %H:%M:%S") if hasattr(value, "strftime") else "-")


@app.command("status")
def status(org: OrgOption = None) -> None:
    """One view of health: scheduler leader, workers, queue depth, open alerts."""
    console = Console(highlight=False)
    with open_service() as service:
        view = service.monitoring.system_status(organisation(service, org))
    if view.scheduler is None:
        console.print(Text("scheduler: none holds the lease (no scheduled syncs are queued)"))
    else:
        line = (
            f"scheduler: {view.scheduler.holder} leads since "
            f"{view.scheduler.since:%Y-%m-%d %H:%M:%S}, last tick "
            f"{view.scheduler.last_tick:%H:%M:%S}"
        )
        console.print(Text(line))
    workers = Table("worker", "alive", "last heartbeat", "current runs", title="workers")
    for worker in view.workers:
        workers.add_row(
            Text(worker.worker),
            Text("yes" if worker.alive else "no"),
            _when(worker.last_heartbeat),
            Text(", ".join(worker.current_runs) or "-"),
        )
    console.print(workers)
    runs = ", ".join(f"{state} {count}" for state, count in view.runs_by_state.items())
    depth = "embedded (polling)" if view.queue_depth is None else f"{view.queue_depth} in Redis"
    console.print(Text(f"runs: {runs}; queue: {depth}"))
    alerts = Table("severity", "state", "since", "alert", title="open alerts")
    for alert in view.open_alerts:
        alerts.add_row(
            Text(alert.severity.value),
            Text(alert.state.value),
            _when(alert.created_at),
            Text(alert.message),
        )
    console.print(alerts)
    budgets = Table(
        "vendor", "account", "calls today", "share", "limiter", "circuit", title="vendor budgets"
    )
    for budget in view.vendor_budgets:
        share = f"{budget.share_used:.1%}" if budget.share_used is not None else "-"
        budgets.add_row(
            Text(budget.label),
            Text(budget.account),
            Text(f"{budget.calls_today:,}"),
            Text(share),
            Text(budget.limiter),
            Text(budget.breaker),
        )
    console.print(budgets)
