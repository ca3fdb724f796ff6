"""Status cards: one per connection, refreshed in place every few seconds."""

from __future__ import annotations

import streamlit as st

from core.clock import utcnow
from core.models import RunState, eta
from core.schemas import ConnectionStatusView
from core.wording import plural
from ui import format as fmt
from ui import loaders, navigate, systems
from ui.text import h, md, shorten

_COLUMNS = 3
_RESULT = {
    RunState.SUCCEEDED: "succeeded",
    RunState.FAILED: "failed",
    RunState.CANCELLED: "was cancelled",
    RunState.PAUSED: "paused",
}


def _last_sync(view: ConnectionStatusView) -> str:
    run = view.last_run
    if run is None:
        return "never"
    when = fmt.relative(run.finished_at or run.created_at)
    result = _RESULT.get(run.state, run.state.value)
    totals = run.totals
    moved = totals.read + totals.pushed
    detail = f", {plural(moved, 'record')}" if moved else ""
    dry = " (dry run)" if run.options.dry_run else ""
    return f"{when} — {result}{dry}{detail}"


def _records(view: ConnectionStatusView) -> str:
    if not view.records_held:
        return "none yet"
    top = sorted(view.records_held.items(), key=lambda item: -item[1])[:3]
    parts = ", ".join(f"{fmt.number(n)} {entity.value}" for entity, n in top)
    return f"{fmt.number(view.records_total)} ({parts})"


def card(view: ConnectionStatusView, prefix: str) -> None:
    connection = view.connection
    with st.container(border=True, key=f"{prefix}_card_{connection.id}"):
        st.markdown(
            f'<div class="tp-card-head">{systems.badge_html(connection.system)}'
            f'<span class="tp-card-name">{h(connection.name)}</span></div>',
            unsafe_allow_html=True,
        )
        st.markdown(
            f"{systems.health_markdown(view.health)} {md(shorten(view.health_reason, 120))}"
        )
        active = view.active_run
        if active is not None and active.state is RunState.RUNNING:
            p = active.progress
            entity = p.current_entity.value if p.current_entity else "starting"
            found = eta.forecast(active, [], now=utcnow())  # the vendor's count, where it gave one
            share = f" · {found.share * 100:.0f} % of {entity}" if found is not None else ""
            st.markdown(
                f":blue[:material/sync:] Now: {entity} · {plural(p.records, 'record')} · "
                f"{plural(p.pages, 'page')}{share}"
            )
        elif active is not None and active.state is RunState.QUEUED:
            st.markdown(":blue[:material/hourglass_top:] A sync is queued.")
        next_sync = fmt.relative(view.next_sync_at) if view.next_sync_at else "not scheduled"
        lines = [
            f"**Last sync:** {md(_last_sync(view))}",
            f"**Next sync:** {md(next_sync)}",
            f"**Records held:** {md(_records(view))}",
        ]
        if view.last_error:
            lines.append(f"**Last error:** {md(shorten(view.last_error, 200))}")
        st.markdown("  \n".join(lines))
        navigate.link(connection.id, "Open connection")


def grid(views: list[ConnectionStatusView], prefix: str) -> None:
    for start in range(0, len(views), _COLUMNS):
        columns = st.columns(_COLUMNS)
        for column, view in zip(columns, views[start : start + _COLUMNS], strict=False):
            with column:
                card(view, prefix)


def health_summary(views: list[ConnectionStatusView]) -> str:
    """ "5 healthy · 1 failing" — the sidebar's one-line system health."""
    counts: dict[str, int] = {}
    for view in views:
        word = systems.HEALTH[view.health].word.lower()
        counts[word] = counts.get(word, 0) + 1
    return " · ".join(f"{n} {word}" for word, n in sorted(counts.items(), key=lambda i: -i[1]))


def live_grid(prefix: str, store: str, org: str, *, every_s: float = 5.0) -> None:
    """The cards, re-read every `every_s` seconds without reloading the page."""

    @st.fragment(run_every=every_s)
    def _live() -> None:
        views = loaders.statuses(store, org)
        if not views:
            st.info(
                "No connections yet. Connect a system on the **Connections** page, or run "
                "`toothpick demo seed` to add the seven sandbox connections.",
                icon=":material/add_link:",
            )
            return
        grid(views, prefix)
        st.caption(f"Updated {utcnow():%H:%M:%S} UTC · refreshes every {every_s:.0f} s")

    _live()
