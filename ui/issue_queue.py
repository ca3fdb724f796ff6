"""Records that keep failing, grouped by cause: retry one, a selection, or every record of
a cause, or dismiss them (service.issues). Vendor messages are shown as plain text."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from core.errors import ToothpickError
from core.models import IssueDirection, RecordIssue
from core.schemas import ConnectionPublic, IssueGroup
from core.wording import plural
from ui import feedback, loaders
from ui import format as fmt
from ui.context import service
from ui.text import md

DIRECTION = {
    IssueDirection.PULL: "read from the vendor",
    IssueDirection.PUSH: "written to the vendor",
}


def queue(prefix: str, store: str, org: str, connections: list[ConnectionPublic]) -> None:
    names = {c.id: c.name for c in connections}
    feedback.show(prefix)
    groups = loaders.issue_groups(store, org)
    if not groups:
        st.success(
            "No record is failing. A record the vendor refuses, or that ToothPick cannot read "
            "into its fields, is listed here with what to do, and retried on the next runs.",
            icon=":material/verified:",
        )
        return
    total = sum(g.count for g in groups)
    st.markdown(f"**{plural(total, 'record')}** failing, {plural(len(groups), 'cause')}")
    issues = loaders.open_issues(store, org)
    for n, group in enumerate(groups):
        with st.container(border=True, key=f"{prefix}_group_{n}"):
            _group(
                prefix, n, org, group, [issues[i] for i in group.issue_ids if i in issues], names
            )


def _group(
    prefix: str,
    n: int,
    org: str,
    group: IssueGroup,
    issues: list[RecordIssue],
    names: dict[str, str],
) -> None:
    where = names.get(group.connection_id, group.connection_id)
    st.markdown(
        f"**{md(group.code)}** · {plural(group.count, 'record')} of {group.entity.value} "
        f"{DIRECTION[group.direction]} · {md(where)}"
    )
    if group.hint:
        st.caption(md(group.hint))
    st.text(group.example)  # the vendor's own words, never interpreted
    rows = [
        {
            "Record": i.external_id,
            "Field": i.field or "",
            "Attempts": i.attempts,
            "Next retry": fmt.relative(i.next_retry_at),
            "Message": i.message,
        }
        for i in issues
    ]
    event = st.dataframe(
        rows,
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="multi-row",
        key=f"{prefix}_rows_{n}",
    )
    picked = [issues[r].id for r in event.selection.rows if r < len(issues)]
    every = list(group.issue_ids)
    left, middle, right, last = st.columns(4)
    for column, label, action, ids in (
        (left, f"Retry {plural(len(picked), 'selected record')}", "retry", picked),
        (middle, f"Retry all {group.count}", "retry", every),
        (right, "Dismiss selected", "dismiss", picked),
        (last, f"Dismiss all {group.count}", "dismiss", every),
    ):
        column.button(
            label,
            key=f"{prefix}_{action}_{'all' if ids is every else 'picked'}_{n}",
            disabled=not ids,
            on_click=_act,
            args=(prefix, org, action, tuple(ids)),
        )


def _act(prefix: str, org: str, action: str, issue_ids: Sequence[str]) -> None:
    feedback.clear(prefix)
    try:
        if action == "retry":
            runs = service().issues.retry(org, list(issue_ids))
            queued = (
                f"; {plural(len(runs), 'run')} queued"
                if runs
                else "; the running sync retries them"
            )
            words = f"Retrying {plural(len(issue_ids), 'record')} now{queued}."
        else:
            count = service().issues.dismiss(org, list(issue_ids))
            words = f"Dismissed {plural(count, 'record')}: no more retries."
    except ToothpickError as exc:
        feedback.put(prefix, feedback.Outcome(False, f"That failed: {exc}"))
        return
    loaders.forget_writes()
    feedback.put(prefix, feedback.Outcome(True, words))
