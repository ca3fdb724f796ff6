"""A dry run's report: per record, each field with its value now and the value a real
run would write, whether both sides changed and what the policy would do; totals per
entity and direction; the whole report as CSV."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import streamlit as st

from core.models import PlannedChange, SyncRun
from core.wording import plural

DIRECTION = {"pull": "vendor → ToothPick", "push": "ToothPick → vendor"}
_ACTIONS = {
    "create": "Creates",
    "update": "Updates",
    "delete": "Deletes",
    "push": "Pushes",
    "conflict": "Conflicts",
}


def _text(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def rows(run: SyncRun) -> list[dict[str, str]]:
    """One row per changed field (a record without field values gets one row)."""
    out: list[dict[str, str]] = []
    for change in run.planned:
        common = {
            "Entity": change.entity.value,
            "Record": change.external_id,
            "Direction": DIRECTION.get(change.direction, change.direction),
            "Would": change.action,
            "Conflict": "both changed" if change.conflict else "",
            "Policy": change.policy or "",
        }
        if not change.changes:
            out.append({**common, "Field": ", ".join(change.fields), "Now": "", "After": ""})
        for field in change.changes:
            out.append(
                {
                    **common,
                    "Field": field.field,
                    "Now": _text(field.current),
                    "After": _text(field.new),
                }
            )
    return out


def totals(planned: list[PlannedChange]) -> list[dict[str, object]]:
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for change in planned:
        row = counts.setdefault((change.entity.value, change.direction), dict.fromkeys(_ACTIONS, 0))
        row[change.action if change.action in row else "update"] += 1
        if change.conflict and change.action != "conflict":
            row["conflict"] += 1
    return [
        {
            "Entity": entity,
            "Direction": DIRECTION.get(direction, direction),
            **{_ACTIONS[name]: n for name, n in row.items()},
        }
        for (entity, direction), row in sorted(counts.items())
    ]


def as_csv(run: SyncRun) -> str:
    table = rows(run)
    out = io.StringIO()
    if table:
        writer = csv.DictWriter(out, fieldnames=list(table[0]))
        writer.writeheader()
        writer.writerows(table)
    return out.getvalue()


def report(run: SyncRun, key: str) -> None:
    records = len({(c.entity, c.external_id, c.direction) for c in run.planned})
    st.markdown(f"**What a real run would change:** {plural(records, 'record')}")
    if not run.planned:
        st.caption("Nothing: the two sides already agree.")
        return
    st.dataframe(totals(run.planned), hide_index=True, width="stretch")
    st.dataframe(rows(run), hide_index=True, width="stretch")
    st.download_button(
        "Download the report (CSV)",
        data=as_csv(run),
        file_name=f"toothpick-dry-run-{run.id}.csv",
        mime="text/csv",
        key=f"{key}_dry_csv_{run.id}",
        icon=":material/download:",
        on_click="ignore",
    )
