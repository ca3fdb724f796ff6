"""The log table: one page from the store with the total count, one entry's
details with its metadata, and the filtered set exported as CSV or JSON."""

from __future__ import annotations

import io
from functools import partial

import streamlit as st

from core.models import LogEntry, LogLevel, LogStatus
from core.schemas import ConnectionPublic, ExportFormat, LogFilter
from core.text_safety import visible
from ui import format as fmt
from ui import loaders, log_filters, navigate, pager, systems
from ui.context import handle
from ui.text import shorten

LEVEL = {
    LogLevel.DEBUG: "· debug",
    LogLevel.INFO: "ℹ info",
    LogLevel.WARNING: "⚠ warning",
    LogLevel.ERROR: "⛔ error",
}
STATUS = {
    LogStatus.SUCCESS: "✔ success",
    LogStatus.ERROR: "✖ error",
    LogStatus.WARNING: "⚠ warning",
    LogStatus.SKIPPED: "↷ skipped",
    LogStatus.STARTED: "▶ started",
}
EXPORT_LIMIT = 200_000
_MIME = {ExportFormat.CSV: "text/csv", ExportFormat.JSON: "application/json"}


def _rows(entries: list[LogEntry], names: dict[str, str]) -> list[dict[str, object]]:
    return [
        {
            "Time (UTC)": e.time.strftime("%Y-%m-%d %H:%M:%S"),
            "Level": LEVEL[e.level],
            "Status": STATUS[e.status],
            "Message": visible(shorten(e.message, 500)),
            "System": systems.short(e.system),
            "Connection": names.get(e.connection_id or "", e.connection_id or "—"),
            "Operation": e.operation.value,
            "Entity": e.entity.value if e.entity else "",
            "Duration": fmt.duration_ms(e.duration_ms) if e.duration_ms is not None else "",
            "Records": e.records_processed or None,
        }
        for e in entries
    ]


def export_file(org: str, query: LogFilter, fmt_: ExportFormat) -> io.BytesIO:
    """The export, built when the button is pressed (Streamlit holds a download in memory,
    so the dashboard exports at most EXPORT_LIMIT entries; the CLI streams any number)."""
    store = handle()

    def build() -> io.BytesIO:
        out = io.BytesIO()
        for chunk in store.service.monitoring.export_logs(org, query, fmt_):
            out.write(chunk.encode())
        out.seek(0)
        return out

    return store.run(build)


def detail(entry: LogEntry, names: dict[str, str]) -> None:
    with st.container(border=True, key=f"log_detail_{entry.id}"):
        st.markdown(
            f"**{LEVEL[entry.level]} · {STATUS[entry.status]} · {entry.operation.value}** — "
            f"{fmt.timestamp(entry.time)}"
        )
        st.text(visible(entry.message))
        facts = {
            "System": systems.label(entry.system),
            "Connection": names.get(entry.connection_id or "", entry.connection_id or "—"),
            "Run": entry.run_id or "—",
            "Entity": entry.entity.value if entry.entity else "—",
            "Duration": fmt.duration_ms(entry.duration_ms),
            "Records (processed / created / updated / failed)": (
                f"{entry.records_processed} / {entry.records_created} / "
                f"{entry.records_updated} / {entry.records_failed}"
            ),
            "HTTP status": str(entry.http_status or "—"),
            "Failure category": entry.error_category.value if entry.error_category else "—",
            "Entry id": entry.id,
        }
        st.table([{"Field": k, "Value": v} for k, v in facts.items()], hide_index=True)
        st.markdown("**Metadata**")
        if entry.metadata:
            st.json(entry.metadata, expanded=True)
        else:
            st.caption("No metadata on this entry.")


def table(
    prefix: str,
    store: str,
    org: str,
    connections: list[ConnectionPublic],
    *,
    connection_id: str | None = None,
) -> None:
    """The filtered log; `connection_id` narrows it to one connection (its own page)."""
    names = {c.id: c.name for c in connections}
    query = log_filters.current(prefix)
    if connection_id is not None:
        query = query.model_copy(update={"connection_ids": [connection_id]})
    offset, limit = pager.offset_and_limit(prefix)
    with st.spinner("Reading the log…"):
        page = loaders.logs(store, org, query.model_dump_json(), offset, limit)
    st.markdown(f"**{page.total:,}** matching entries")
    if not page.total:
        st.info(
            "No log entries match these filters. Widen the time range or clear the filters.",
            icon=":material/search_off:",
        )
        return
    st.caption("Click an entry to see its details.")
    picked = navigate.picked_row(
        prefix,
        _rows(page.items, names),
        column_config={"Message": st.column_config.TextColumn(width="large")},
    )
    pager.controls(prefix, page.total)
    if picked is not None and picked < len(page.items):
        entry = page.items[picked]
        detail(entry, names)
        if entry.connection_id and entry.connection_id in names and connection_id is None:
            navigate.link(entry.connection_id, f"Open {names[entry.connection_id]}")
    export(prefix, org, query, page.total)


def export(prefix: str, org: str, query: LogFilter, total: int) -> None:
    st.markdown(f"**Export the {total:,} filtered entries**")
    too_many = total > EXPORT_LIMIT
    with st.container(horizontal=True, key=f"{prefix}_export"):
        for fmt_ in ExportFormat:
            st.download_button(
                f"Download {fmt_.value.upper()}",
                data=partial(export_file, org, query, fmt_),
                file_name=f"toothpick-logs.{fmt_.value}",
                mime=_MIME[fmt_],
                key=f"{prefix}_download_{fmt_.value}",
                icon=":material/download:",
                on_click="ignore",
                disabled=too_many,
            )
    if too_many:
        st.warning(
            f"Narrow the filters to at most {EXPORT_LIMIT:,} entries to download them here, "
            "or export any number with `toothpick export-logs` (same filters).",
            icon=":material/filter_alt:",
        )
    st.caption("Secrets are masked in exports.")
