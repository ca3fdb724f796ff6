"""service.monitoring: logs (paged or streamed as an export), status cards, alerts."""

from __future__ import annotations

import base64
import binascii
import json
from collections import Counter
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Header, Query, Response
from fastapi.responses import StreamingResponse

from api.deps import Operator, ServiceDep, Viewer
from api.problems import PROBLEM_RESPONSES
from api.schemas import (
    AlertPublic,
    ConnectionStatusPublic,
    ListOf,
    LogEntryPublic,
    LogPage,
    LogQuery,
    PeriodKpis,
)
from core.clock import utcnow
from core.errors import InvalidInputError
from core.models import Identifier
from core.schemas import ExportFormat, KpiGroup, LogFilter

router = APIRouter(tags=["monitoring"], responses=PROBLEM_RESPONSES)
_EXPORT_TYPES = {ExportFormat.CSV: "text/csv", ExportFormat.JSON: "application/json"}


def _cursor(offset: int, until: datetime) -> str:
    raw = json.dumps({"o": offset, "u": until.isoformat()}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _read_cursor(cursor: str) -> tuple[int, datetime]:
    """A cursor pins the first page's instant, so entries logged meanwhile shift nothing."""
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        offset, until = int(raw["o"]), datetime.fromisoformat(raw["u"])
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise InvalidInputError("cursor: not a cursor this API gave out", field="cursor") from None
    if offset < 0 or until.tzinfo is None:
        raise InvalidInputError("cursor: not a cursor this API gave out", field="cursor")
    return offset, until


@router.get(
    "/api/integrations/logs",
    # A page, or (format=json) the whole export as one array; format=csv: text/csv.
    response_model=LogPage | list[LogEntryPublic],
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
def logs(
    query: Annotated[LogQuery, Query()],
    service: ServiceDep,
    caller: Viewer,
    accept: Annotated[str | None, Header(max_length=500)] = None,
) -> Response | LogPage:
    """Filtered log entries, newest first, one page per call with the total.

    `format=csv|json` (or `Accept: text/csv`) streams every matching entry as an
    export instead, without loading it whole.
    """
    offset, until = 0, query.until
    if query.cursor:
        offset, until = _read_cursor(query.cursor)
    log_filter = LogFilter(
        systems=query.system,
        connection_ids=query.connection_id,
        statuses=query.status,
        levels=query.level,
        operations=query.operation,
        run_id=query.run_id,
        since=query.since,
        until=until,
        text=query.text,
    )
    fmt = ExportFormat(query.format) if query.format else None
    if fmt is None and accept and "text/csv" in accept and "application/json" not in accept:
        fmt = ExportFormat.CSV
    org = caller.organisation_id
    if fmt is not None:
        chunks = service.monitoring.export_logs(org, log_filter, fmt)
        filename = f"toothpick-logs.{fmt.value}"
        return StreamingResponse(
            chunks,
            media_type=_EXPORT_TYPES[fmt],
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
    pinned = until or utcnow()
    page = service.monitoring.logs(
        org, log_filter.model_copy(update={"until": pinned}), offset=offset, limit=query.limit
    )
    following = offset + len(page.items)
    return LogPage(
        data=[LogEntryPublic.of(e) for e in page.items],
        count=page.total,
        next_cursor=_cursor(following, pinned) if following < page.total else None,
    )


@router.get("/api/integrations/status")
def status(
    service: ServiceDep,
    caller: Viewer,
    period_hours: Annotated[int, Query(ge=1, le=24 * 366)] = 24,
) -> ListOf[ConnectionStatusPublic]:
    """Per connection: health, last and next sync, KPIs of the period, open alerts."""
    org = caller.organisation_id
    kpis = {
        row.key: row
        for row in service.monitoring.kpis(
            org, since=utcnow() - timedelta(hours=period_hours), group_by=KpiGroup.CONNECTION
        )
    }
    alerts = Counter(a.connection_id for a in service.monitoring.alerts(org, open_only=True))
    cards = []
    for view in service.monitoring.connection_statuses(org):
        connection = view.connection
        row = kpis.get(connection.id)
        cards.append(
            ConnectionStatusPublic(
                connection_id=connection.id,
                name=connection.name,
                system=connection.system,
                health=view.health.value,
                health_reason=view.health_reason,
                last_sync_at=view.last_run.finished_at if view.last_run else None,
                last_success_at=view.last_success_at,
                next_sync_at=view.next_sync_at,
                active_run_id=view.active_run.id if view.active_run else None,
                records_held=view.records_held,
                last_error=view.last_error,
                kpis=PeriodKpis(**row.model_dump(), success_rate=row.success_rate)
                if row
                else PeriodKpis(),
                open_alerts=alerts.get(connection.id, 0),
            )
        )
    return ListOf(data=cards, count=len(cards))


@router.get("/api/alerts")
def alerts(service: ServiceDep, caller: Viewer, open_only: bool = True) -> ListOf[AlertPublic]:
    found = service.monitoring.alerts(caller.organisation_id, open_only=open_only)
    return ListOf(data=[AlertPublic.of(a) for a in found], count=len(found))


@router.post("/api/alerts/{alert_id}/acknowledge", status_code=204)
def acknowledge(alert_id: Identifier, service: ServiceDep, caller: Operator) -> Response:
    by = f"api key {caller.name} ({caller.key_id})"
    service.monitoring.acknowledge_alert(caller.organisation_id, alert_id, by=by)
    return Response(status_code=204)
