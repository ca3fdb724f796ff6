"""Open alerts, most severe first, each with its acknowledge button."""

from __future__ import annotations

import streamlit as st

from core.models import Alert, AlertSeverity
from ui import format as fmt
from ui import loaders
from ui.context import service, shown_errors
from ui.text import md, shorten

_SEVERITY = {
    AlertSeverity.CRITICAL: (0, ":red-badge[:material/error: Critical]"),
    AlertSeverity.WARNING: (1, ":orange-badge[:material/warning: Warning]"),
    AlertSeverity.INFO: (2, ":blue-badge[:material/info: Info]"),
}


def _acknowledge(org: str, alert_id: str) -> None:
    with shown_errors("Acknowledging the alert"):
        service().monitoring.acknowledge_alert(org, alert_id)
        loaders.alerts.clear()


def open_alerts(prefix: str, store: str, org: str, *, limit: int = 8) -> None:
    alerts: list[Alert] = sorted(
        loaders.alerts(store, org),
        key=lambda a: (_SEVERITY[a.severity][0], -a.last_seen_at.timestamp()),
    )
    st.subheader("Open alerts", anchor=False)
    if not alerts:
        st.success("No open alerts: every connection is behaving.", icon=":material/verified:")
        return
    for alert in alerts[:limit]:
        with st.container(
            border=True,
            horizontal=True,
            vertical_alignment="center",
            key=f"{prefix}_alert_{alert.id}",
        ):
            repeat = f" · seen {alert.count} times" if alert.count > 1 else ""
            st.markdown(
                f"{_SEVERITY[alert.severity][1]} {md(shorten(alert.message, 500))}  \n"
                f":gray[{fmt.relative(alert.last_seen_at)}{repeat}]",
                width="stretch",
            )
            st.button(
                "Acknowledge",
                key=f"{prefix}_ack_{alert.id}",
                on_click=_acknowledge,
                args=(org, alert.id),
                icon=":material/done:",
            )
    if len(alerts) > limit:
        st.caption(f"…and {len(alerts) - limit} more.")
