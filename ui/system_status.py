"""The processes' health on the overview: scheduler, workers, runs by state, queue."""

from __future__ import annotations

import streamlit as st

from core.schemas import VendorBudgetView
from ui import format as fmt
from ui.context import service


def panel(prefix: str, org: str) -> None:
    view = service().monitoring.system_status(org)
    with st.expander("Scheduler and workers", icon=":material/dns:"):
        if view.scheduler is None:
            st.warning("No scheduler holds the lease: scheduled syncs are not being queued.")
        else:
            st.text(
                f"Scheduler: {view.scheduler.holder}, last tick "
                f"{fmt.relative(view.scheduler.last_tick)}"
            )
        alive = [w for w in view.workers if w.alive]
        st.text(f"Workers alive: {len(alive)}")
        for worker in alive:
            runs = ", ".join(worker.current_runs) or "idle"
            st.text(f"· {worker.worker} (beat {fmt.relative(worker.last_heartbeat)}): {runs}")
        counts = ", ".join(f"{state} {count}" for state, count in view.runs_by_state.items())
        depth = "" if view.queue_depth is None else f"; {view.queue_depth} message(s) in Redis"
        st.text(f"Runs: {counts}{depth}")
        for budget in view.vendor_budgets:
            st.text(budget_line(budget))


def budget_line(budget: VendorBudgetView) -> str:
    """Plain text: one vendor account's spending today and its limiter and breaker."""
    share = f" ({budget.share_used:.1%} of {budget.daily_allowance:,})" if budget.share_used else ""
    return (
        f"· {budget.label} account {budget.account}: {budget.calls_today:,} calls today{share}; "
        f"limit {budget.limiter}; circuit {budget.breaker}"
    )
