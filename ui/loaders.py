"""Cached reads for the pages: plain-value arguments, time limits, store-side work.

Every loader takes `store` (ui.context.store_key()) and the organisation as its
first arguments so results never leak between stores or tenants. Aggregates and
pages come from the store; no loader returns a whole table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

import streamlit as st

from core.models import Alert, Conflict, ConflictStatus, LogEntry, RecordIssue, SyncRun
from core.schemas import (
    Bucket,
    ConnectionPublic,
    ConnectionStatusView,
    CountRow,
    ErrorGroup,
    IssueGroup,
    KpiGroup,
    KpiRow,
    LogFilter,
    VolumeRow,
)
from ui.context import handle, service

T = TypeVar("T")


@dataclass(frozen=True)
class Rows(Generic[T]):
    """One page of a store query and the total count (a Page that pickles for the cache)."""

    items: list[T]
    total: int


@dataclass(frozen=True)
class Aggregates:
    """Everything the overview charts and tiles show for one window (all store-side)."""

    total: list[KpiRow]
    previous_total: list[KpiRow]
    by_time: list[KpiRow]
    by_system: list[KpiRow]
    volume: list[VolumeRow]
    errors_by_system: list[CountRow]
    errors_by_category: list[CountRow]


@st.cache_data(ttl=30, max_entries=32, show_spinner=False)
def aggregates(
    store: str, org: str, since: datetime, until: datetime, bucket: Bucket
) -> Aggregates:
    """The window's aggregates and the previous window's totals, queried side by side
    on the store threads (SQLite reads run in parallel, the GIL released meanwhile)."""
    del store
    svc, pool = handle().service, handle().threads
    before = since - (until - since)
    total = pool.submit(svc.monitoring.kpis, org, since=since, until=until, group_by=None)
    previous = pool.submit(svc.monitoring.kpis, org, since=before, until=since, group_by=None)
    by_time = pool.submit(
        svc.monitoring.kpis, org, since=since, until=until, group_by=KpiGroup.SYSTEM, bucket=bucket
    )
    by_system = pool.submit(
        svc.monitoring.kpis, org, since=since, until=until, group_by=KpiGroup.SYSTEM
    )
    volume = pool.submit(svc.monitoring.volume_by_entity, org, since=since, until=until)
    by_error_system = pool.submit(
        svc.monitoring.error_counts, org, since=since, until=until, group_by=ErrorGroup.SYSTEM
    )
    by_category = pool.submit(
        svc.monitoring.error_counts, org, since=since, until=until, group_by=ErrorGroup.CATEGORY
    )
    return Aggregates(
        total.result(), previous.result(), by_time.result(), by_system.result(),
        volume.result(), by_error_system.result(), by_category.result(),
    )  # fmt: skip


@st.cache_data(ttl=2, max_entries=16, show_spinner=False)
def statuses(store: str, org: str) -> list[ConnectionStatusView]:
    del store
    return service().monitoring.connection_statuses(org)


@st.cache_data(ttl=5, max_entries=16, show_spinner=False)
def alerts(store: str, org: str) -> list[Alert]:
    del store
    return service().monitoring.alerts(org)


@st.cache_data(ttl=5, max_entries=16, show_spinner=False)
def connections(store: str, org: str) -> list[ConnectionPublic]:
    del store
    return service().connections.list_connections(org)


@st.cache_data(ttl=5, max_entries=64, show_spinner=False)
def logs(store: str, org: str, query: str, offset: int, limit: int) -> Rows[LogEntry]:
    """`query` is a LogFilter as JSON (a plain value, so it hashes)."""
    del store
    page = service().monitoring.logs(
        org, LogFilter.model_validate_json(query), offset=offset, limit=limit
    )
    return Rows(page.items, page.total)


@st.cache_data(ttl=3, max_entries=32, show_spinner=False)
def runs(store: str, org: str, connection_id: str | None, offset: int, limit: int) -> Rows[SyncRun]:
    del store
    page = service().syncs.list_runs(org, connection_id=connection_id, offset=offset, limit=limit)
    return Rows(page.items, page.total)


@st.cache_data(ttl=5, max_entries=32, show_spinner=False)
def conflicts(
    store: str,
    org: str,
    status: ConflictStatus | None,
    offset: int,
    limit: int,
    *,
    connection_id: str | None = None,
) -> Rows[Conflict]:
    del store
    page = service().review.conflicts(
        org, status=status, connection_id=connection_id, offset=offset, limit=limit
    )
    return Rows(page.items, page.total)


@st.cache_data(ttl=5, max_entries=32, show_spinner=False)
def issue_groups(store: str, org: str) -> list[IssueGroup]:
    """Open per-record failures grouped by cause, largest first."""
    del store
    return service().issues.groups(org)


@st.cache_data(ttl=5, max_entries=32, show_spinner=False)
def open_issues(store: str, org: str) -> dict[str, RecordIssue]:
    del store
    return {i.id: i for i in service().issues.issues(org)}


def forget_writes() -> None:
    """After a write from this session, drop what it could have made stale."""
    for loader in (statuses, alerts, connections, logs, runs, conflicts, issue_groups, open_issues):
        loader.clear()
