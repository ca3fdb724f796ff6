"""The demo's "Architecture and API" tab: how the hub is built, what each system
supports (from the adapter registry) and the service API every entry point uses."""

from __future__ import annotations

import inspect
import typing

import streamlit as st

from core.schemas import SystemInfo
from core.service import AREAS, IntegrationService

# Every name below is checked against the code by tests/ui/test_demo_docs.py: the tab
# shows what exists, and a rename or a removal fails that test rather than the reader.
ARCHITECTURE = """
```
vendor API  <->  adapters/<system>.py  <->  core/sync (engine)  <->  core/store (SQLite | MongoDB)
(or sandbox/)     auth, paging, rate        pulls, maps, diffs,       one Store protocol,
                  limits, mapping           upserts, pushes           two implementations
            core/service.py  (IntegrationService: one facade composing its areas:
{areas})
  dashboard (this app) | REST API and vendor webhooks (api/) | scheduler | workers | toothpick CLI
  runs queue in the store; with REDIS_URL set, Dramatiq on Redis carries them to any worker
```
"""


def architecture() -> str:
    """The diagram, its areas read from the facade itself."""
    names, lines, line = [f".{area}" for area in AREAS], [], ""
    for name in names:
        if len(line) + len(name) > 60:
            lines.append(line)
            line = ""
        line += f" {name}" if line else name
    lines.append(line)
    indent = " " * 30
    return ARCHITECTURE.format(areas="\n".join(indent + chunk for chunk in lines))


FLOW = """
1. **Connect.** The form comes from the system's own declaration: the sign-in method first,
   then only its fields. Save tests the connection first. Credentials are sealed with
   AES-256-GCM before they are stored; no page shows them again.
2. **Queue.** *Sync now*, the REST API, the scheduler (every 6 h by default, or the
   connection's own interval or cron) and verified vendor webhooks
   (`POST /api/webhooks/{system}/{connection}`) queue a run in the store. A connection
   never runs twice at once. With `REDIS_URL` set, queued runs travel through Dramatiq
   on Redis to any number of `toothpick worker` processes; the store stays the truth.
3. **Run.** A worker claims the run, reads pages from the vendor honouring its rate limits
   and `Retry-After`, maps records to ToothPick's canonical entities, upserts them keyed
   by their vendor id (unchanged ones skipped by content hash), pushes local changes on
   two-way connections, and checkpoints after every page so a killed run resumes where
   it stopped.
4. **Resolve.** When both sides changed a record, the connection's policy decides: the
   newest change wins, the record is held on the Conflicts page, or it is skipped.
5. **Watch.** Every operation is a log entry; the overview's KPIs and charts are computed
   by the store from them. Alerts open and resolve themselves, and notification channels
   (signed webhook, Slack, email) tell people.
"""


def systems_table(infos: list[SystemInfo]) -> list[dict[str, str]]:
    return [
        {
            "System": info.label,
            "Kind": info.kind.value.upper(),
            "Authentication": info.auth,
            "Syncs": ", ".join(e.value for e in info.supported_entities),
            "Does not sync": "; ".join(
                f"{s.entity.value} ({s.reason})" for s in info.entities if not s.supported
            ),
        }
        for info in infos
    ]


# The processes' side of runs and the areas' calls to each other: not for people.
_INTERNAL = {
    "audit", "claim_next_run", "claim_run", "execute_claimed_run", "heartbeat",
    "mark_needs_reconnect", "on_outcome", "open_adapter", "public", "record_outcome",
    "scheduled_connections", "stored_connection", "subscribe", "sweep",
}  # fmt: skip


def service_api() -> list[dict[str, str]]:
    rows = []
    areas = typing.get_type_hints(IntegrationService)
    for area in AREAS:
        for name, member in inspect.getmembers(areas[area], inspect.isfunction):
            if name.startswith("_") or name in _INTERNAL:
                continue
            doc = inspect.getdoc(member) or ""
            signature = str(inspect.signature(member)).replace("self, ", "").replace("(self)", "()")
            rows.append({"Call": f"{area}.{name}{signature}", "What it does": doc.split("\n")[0]})
    return rows


def show(infos: list[SystemInfo]) -> None:
    st.subheader("Architecture", anchor=False)
    st.markdown(architecture())
    st.markdown(FLOW)
    st.subheader("Systems", anchor=False)
    if infos:
        st.dataframe(systems_table(infos), hide_index=True, width="stretch")
    else:
        st.caption("No system adapters are installed.")
    st.subheader("Service API", anchor=False)
    st.caption(
        "The dashboard, the REST API, the CLI, the scheduler and the workers all call this "
        "one facade; every call takes the organisation and refuses another's objects."
    )
    st.dataframe(service_api(), hide_index=True, width="stretch")
