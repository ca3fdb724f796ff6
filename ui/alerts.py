"""Open alerts, most severe first, each with its acknowledge (or resolve) button."""

from __future__ import annotations

import streamlit as st

from core.models import Alert, AlertSeverity, Role
from ui import format as fmt
from ui import loaders
from ui.context import allows, service, shown_errors
from ui.text import md, shorten

_SEVERITY = {
    AlertSeverity.CRITICAL: (0, ":red-badge[:material/error: Critical]"),
    AlertSeverity.WARNING: (1, ":orange-badge[:material/warning: Warning]"),
    AlertSeverity.INFO: (2, ":blue-badge[:material/info: Info]"),
}


def _acknowledge(org: str, alert_id: str) -> None:
    with shown_errors("Acknowledging the alert"):
        service().alerts.acknowledge(org, alert_id, by="dashboard")
        loaders.alerts.clear()


def _resolve(org: str, alert_id: str) -> None:
    with shown_errors("Resolving the alert"):
        service().alerts.resolve(org, alert_id, by="dashboard")
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
            acknowledged = ""
            if alert.acknowledged_at is not None:
                who = f" by {alert.acknowledged_by}" if alert.acknowledged_by else ""
                acknowledged = f" · acknowledged{who} {fmt.relative(alert.acknowledged_at)}"
            st.markdown(
                f"{_SEVERITY[alert.severity][1]} {md(shorten(alert.message, 500))}  \n"
                f":gray[{fmt.relative(alert.last_seen_at)}{repeat}{md(acknowledged)}]",
                width="stretch",
            )
            if not allows(Role.OPERATOR):
                continue
            if alert.acknowledged_at is None:
                st.button(
                    "Acknowledge",
                    key=f"{prefix}_ack_{alert.id}",
                    on_click=_acknowledge,
                    args=(org, alert.id),
                    icon=":material/done:",
                )
            else:
                st.button(
                    "Resolve",
                    key=f"{prefix}_resolve_{alert.id}",
                    on_click=_resolve,
                    args=(org, alert.id),
                    icon=":material/task_alt:",
                )
    if len(alerts) > limit:
        st.caption(f"…and {len(alerts) - limit} more.")
