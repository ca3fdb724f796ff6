"""One run, as it goes (records, pages, current entity, rate-limit waits) and once
it has ended (its statistics and, for a dry run, what would have changed)."""

from __future__ import annotations

import streamlit as st

from core.clock import utcnow
from core.models import RunState, SyncRun, eta
from core.schemas import RunUsage
from ui import dry_run_report, systems
from ui import format as fmt
from ui.context import service
from ui.text import md

STATE = {
    RunState.QUEUED: ":blue-badge[:material/hourglass_top: Queued]",
    RunState.RUNNING: ":blue-badge[:material/sync: Running]",
    RunState.PAUSED: ":orange-badge[:material/pause: Paused (vendor quota)]",
    RunState.SUCCEEDED: ":green-badge[:material/check_circle: Succeeded]",
    RunState.FAILED: ":red-badge[:material/error: Failed]",
    RunState.CANCELLED: ":gray-badge[:material/cancel: Cancelled]",
}
_QUEUED_HINT_S = 15


def progress(run: SyncRun, prefix: str, earlier: list[SyncRun] | None = None) -> None:
    p = run.progress
    st.markdown(f"{STATE[run.state]} Run `{run.id}` · {systems.label(run.system)}")
    if run.state is RunState.QUEUED:
        waited = (utcnow() - run.created_at).total_seconds()
        st.caption("Waiting for a worker to pick it up…")
        if waited > _QUEUED_HINT_S:
            st.warning(
                f"Queued for {waited:.0f} s. Is a worker running? `toothpick up` starts one "
                "(or `toothpick worker` on its own).",
                icon=":material/hourglass_top:",
            )
        return
    with st.container(horizontal=True, wrap=True, key=f"{prefix}_progress_{run.id}"):
        st.metric("Records", fmt.number(p.records), border=True, width=150)
        st.metric("Pages", fmt.number(p.pages), border=True, width=150)
        st.metric(
            f"Entity {p.entity_number} of {p.entity_count}" if p.entity_count > 1 else "Entity",
            p.current_entity.value if p.current_entity else "starting",
            border=True,
            width=210,  # "opportunity" whole
        )
        st.metric("Rate-limit waits", f"{p.rate_limit_wait_s:.1f} s", border=True, width=150)
    found = eta.forecast(run, earlier or [], now=utcnow())
    if found is not None:
        st.progress(found.share, text=eta.in_words(found))
    elif run.state is RunState.RUNNING:
        st.caption("No percentage yet: this vendor gives no count and no earlier run is like it.")
    waiting = eta.vendor_wait(run)
    if waiting:
        st.caption(waiting)
    if p.message:
        st.caption(md(p.message))
    if run.cancel_requested:
        st.caption("Cancel requested: the worker stops at its next checkpoint.")


def counts_rows(run: SyncRun) -> list[dict[str, object]]:
    rows = [*run.counts.items(), ("total", run.totals)]
    return [
        {
            "Entity": name.value if not isinstance(name, str) else name,
            "Pages": c.pages,
            "Read": c.read,
            "Created": c.created,
            "Updated": c.updated,
            "Unchanged": c.unchanged,
            "Deleted": c.deleted,
            "Pushed": c.pushed,
            "Failed": c.failed,
            "Conflicts": c.conflicts,
            "API calls": c.api_calls,
            "Read calls": c.read_calls,
            "Write calls": c.write_calls,
            "Auth calls": c.auth_calls,
            "Metadata calls": c.metadata_calls,
            "Retries": c.retries,
            "Rate-limit wait (s)": round(c.rate_limit_wait_s, 1),
            "Completeness": c.completeness() or "",
        }
        for name, c in rows
    ]


def usage_line(usage: RunUsage) -> str:
    """Plain text: the run's calls against its vendor's budget."""
    kinds = ", ".join(f"{kind} {n}" for kind, n in usage.by_kind.items() if n)
    line = f"API calls: {usage.api_calls}" + (f" ({kinds})" if kinds else "")
    if usage.calls_per_1000_records is not None:
        line += f" · {usage.calls_per_1000_records:.1f} per 1,000 records"
    if usage.share_of_allowance is not None and usage.daily_allowance:
        line += (
            f" · {usage.share_of_allowance:.2%} of the account's daily allowance "
            f"({usage.daily_allowance:,} calls)"
        )
    return line


def summary(run: SyncRun) -> None:
    dry = " · dry run (nothing was written)" if run.options.dry_run else ""
    duration = fmt.duration_ms((run.duration_s or 0) * 1000) if run.started_at else "—"
    st.markdown(
        f"{STATE[run.state]} Run `{run.id}` · {systems.label(run.system)} · "
        f"ended {fmt.relative(run.finished_at)} · took {duration}{dry}"
    )
    if run.error:
        category = f" ({run.error_category.value})" if run.error_category else ""
        st.error(md(f"{run.error}{category}"), icon=":material/error:")
    if run.counts:
        complete = run.totals.completeness()
        if complete is not None:  # a reconciliation or a full sync counted the vendor's records
            unexplained = run.totals.unexplained
            (st.warning if unexplained else st.info)(
                md(f"Reconciliation: {complete}"), icon=":material/fact_check:"
            )
        st.dataframe(counts_rows(run), hide_index=True, width="stretch")
        st.text(usage_line(service().monitoring.run_usage(run.organisation_id, run)))
    elif run.state is RunState.SUCCEEDED:
        st.caption("Nothing to do: no entity had changes.")
    if run.options.dry_run:
        dry_run_report.report(run, f"run_{run.id}")
