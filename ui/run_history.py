"""History of runs with their statistics, paginated in the store; open one for details."""

from __future__ import annotations

import streamlit as st

from core.models import SyncRun
from core.schemas import ConnectionPublic
from ui import format as fmt
from ui import loaders, navigate, pager, run_view, systems

_STATE_WORD = {
    "queued": "⏳ queued",
    "running": "🔄 running",
    "paused": "⏸ paused",
    "succeeded": "✔ succeeded",
    "failed": "✖ failed",
    "cancelled": "⊘ cancelled",
}


def _kind(run: SyncRun) -> str:
    return "reconcile" if run.options.reconcile else "full" if run.options.full else ""


def _rows(runs: list[SyncRun], names: dict[str, str]) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for run in runs:
        totals = run.totals
        rows.append(
            {
                "Queued": fmt.timestamp(run.created_at),
                "State": _STATE_WORD[run.state.value],
                "Connection": names.get(run.connection_id, run.connection_id),
                "System": systems.short(run.system),
                "Trigger": run.trigger.value,
                "Dry run": "yes" if run.options.dry_run else "",
                "Kind": "reconcile"
                if run.options.reconcile
                else "full"
                if run.options.full
                else "",
                "Duration": fmt.duration_ms((run.duration_s or 0) * 1000)
                if run.started_at
                else "—",
                "Read": totals.read,
                "Created": totals.created,
                "Updated": totals.updated,
                "Pushed": totals.pushed,
                "Failed": totals.failed,
                "Conflicts": totals.conflicts,
                "Completeness": totals.completeness() or "",
            }
        )
    return rows


def history(
    prefix: str,
    store: str,
    org: str,
    connections: list[ConnectionPublic],
    *,
    connection_id: str | None = None,
    link_connection: bool = True,
) -> None:
    names = {c.id: c.name for c in connections}
    offset, limit = pager.offset_and_limit(f"{prefix}_hist")
    page = loaders.runs(store, org, connection_id, offset, limit)
    if not page.total:
        st.info(
            "No runs yet. Press **Sync now** above; the worker started by `toothpick up` "
            "picks the run up within a second.",
            icon=":material/history:",
        )
        return
    st.caption("Click a run to see its statistics per entity.")
    picked = navigate.picked_row(f"{prefix}_hist", _rows(page.items, names))
    pager.controls(f"{prefix}_hist", page.total)
    if picked is not None and picked < len(page.items):
        run = page.items[picked]
        with st.container(border=True, key=f"{prefix}_hist_detail"):
            if run.state.is_active:
                run_view.progress(run, f"{prefix}_hist", page.items)
            else:
                run_view.summary(run)
            if link_connection:
                navigate.link(
                    run.connection_id, f"Open {names.get(run.connection_id, 'its connection')}"
                )
