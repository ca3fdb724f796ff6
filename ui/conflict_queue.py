"""The queue of held records (open conflicts), paginated in the store."""

from __future__ import annotations

import streamlit as st

from core.models import ConflictStatus
from core.schemas import ConnectionPublic
from core.wording import plural
from ui import conflict_diff, conflict_followup, feedback, loaders, navigate, pager, systems
from ui import format as fmt


def queue(prefix: str, store: str, org: str, connections: list[ConnectionPublic]) -> None:
    names = {c.id: c.name for c in connections}
    feedback.show(f"{prefix}_resolve")
    conflict_followup.offer(f"{prefix}_resolve", org)
    offset, limit = pager.offset_and_limit(prefix)
    page = loaders.conflicts(store, org, ConflictStatus.OPEN, offset, limit)
    if not page.total:
        st.success(
            "Nothing is held for review. Records wait here when both sides changed and the "
            "connection's policy is “Hold for review”, or when a deletion needs approval.",
            icon=":material/verified:",
        )
        return
    verb = "waits" if page.total == 1 else "wait"
    st.markdown(f"**{plural(page.total, 'record')}** {verb} for a decision")
    rows = [
        {
            "Held": fmt.relative(c.detected_at),
            "Connection": names.get(c.connection_id, c.connection_id),
            "System": systems.short(c.system),
            "Entity": c.entity.value,
            "Record": c.external_id,
            "Kind": conflict_diff.kind_words(c),
            "Differing fields": ", ".join(c.differing_fields),
        }
        for c in page.items
    ]
    st.caption("Click a record to review it side by side.")
    picked = navigate.picked_row(prefix, rows)
    pager.controls(prefix, page.total)
    if picked is not None and picked < len(page.items):
        conflict = page.items[picked]
        name = names.get(conflict.connection_id, "?")
        with st.container(border=True, key=f"{prefix}_detail"):
            conflict_diff.detail(prefix, org, conflict, name)
            if conflict.connection_id in names:
                navigate.link(conflict.connection_id, f"Open {name}")
