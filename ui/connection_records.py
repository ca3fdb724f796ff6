"""One connection's records as ToothPick holds them: pick one from the first held (or
from those waiting for the push) or look it up by its id, read its data and its
history, and delete it on ToothPick's side, the next sync's push deleting it at the
vendor (until that push, the deletion can be taken back).

Ids, field names and values are vendor data: they go into dataframe cells and
`st.text` (plain text) or through `md`, never into Markdown as they are.
"""

from __future__ import annotations

import json
from typing import Any

import streamlit as st

from core.errors import InvalidInputError, NotFoundError, ToothpickError
from core.models import ChangeKind, Direction, Entity, Record
from core.schemas import ConnectionPublic
from ui import confirm, feedback, loaders, navigate, systems
from ui import format as fmt
from ui.context import may, service
from ui.text import md

LIST_LIMIT = 50
VIEWS = {"held": "Held records", "pending": "Waiting for the push"}
CHANGES = {
    ChangeKind.CREATED: "read from the vendor",
    ChangeKind.UPDATED: "changed at the vendor",
    ChangeKind.DELETED: "deleted at the vendor",
    ChangeKind.RESTORED: "restored",
    ChangeKind.LOCAL_EDIT: "edited in ToothPick",
    ChangeKind.LOCAL_DELETE: "deleted in ToothPick",
    ChangeKind.PUSHED: "sent to the vendor",
}


def _value(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def _pending(record: Record) -> str:
    if record.local_delete:
        return "deletion"
    return "edit" if record.local_change is not None else ""


def state_words(record: Record, vendor: str) -> str:
    """Where the record stands between ToothPick and the vendor, in one sentence."""
    if record.local_delete:
        return f"Deleted in ToothPick; the next sync's push deletes it at {vendor}."
    if record.deleted:
        return f"Deleted, here and at {vendor}."
    if record.local_change:
        names = ", ".join(sorted(record.local_change))
        return f"Edited in ToothPick; the next sync's push sends {names} to {vendor}."
    return f"As {vendor} last sent it."


def _delete(key: str, org: str, connection: ConnectionPublic, entity: Entity, ext: str) -> None:
    confirm.forget(key)
    feedback.clear(key)
    vendor = systems.label(connection.system)
    try:
        service().review.delete_record(org, connection.id, entity, ext)
    except InvalidInputError as exc:  # pull-only, or the vendor takes no writes of it
        feedback.put(key, feedback.Outcome(False, f"Not deleted: {exc}"))
        return
    except ToothpickError as exc:
        feedback.put(key, feedback.Outcome(False, f"Deleting failed: {exc}"))
        return
    loaders.forget_writes()
    # The deleted record leaves the held list: keep it open by its id, not by its row.
    for view in VIEWS:
        navigate.forget_selection(f"{key}_{view}")
    st.session_state[f"{key}_lookup"] = ext
    feedback.put(
        key,
        feedback.Outcome(
            True,
            f"Deleted {entity.value} {ext} in ToothPick; the next sync's push deletes it "
            f"at {vendor}.",
        ),
    )


def _undo(key: str, org: str, connection: ConnectionPublic, entity: Entity, ext: str) -> None:
    feedback.clear(key)
    try:
        service().review.undo_delete(org, connection.id, entity, ext)
    except ToothpickError as exc:  # pushed meanwhile: nothing is left to take back
        feedback.put(key, feedback.Outcome(False, f"Not taken back: {exc}"))
        return
    loaders.forget_writes()
    for view in VIEWS:
        navigate.forget_selection(f"{key}_{view}")
    feedback.put(key, feedback.Outcome(True, f"Took back the deletion of {entity.value} {ext}."))


def _listed(key: str, org: str, connection: ConnectionPublic, entity: Entity) -> str | None:
    """The first records of the chosen view as a table; the clicked one's id."""
    view = st.segmented_control(
        "Show",
        list(VIEWS),
        format_func=VIEWS.__getitem__,
        default="held",
        required=True,
        key=f"{key}_view",
    )
    view = view if view in VIEWS else "held"
    records = service().review.records(
        org, connection.id, entity, pending_only=view == "pending", limit=LIST_LIMIT
    )
    if not records:
        st.caption(
            "Nothing waits for the push."
            if view == "pending"
            else f"No {entity.value} held yet: sync first."
        )
        return None
    rows = [
        {
            "Record": r.external_id,
            "Waiting for the push": _pending(r),
            "Changed here": fmt.relative(r.local_changed_at) if r.local_changed_at else "",
            "Synced": fmt.relative(r.synced_at),
        }
        for r in records
    ]
    picked = navigate.picked_row(f"{key}_{view}", rows)
    more = " (the first ones by id)" if len(records) == LIST_LIMIT else ""
    st.caption(f"{len(records)} shown{more}. Click one to open it, or look one up by its id.")
    return records[picked].external_id if picked is not None and picked < len(records) else None


def _history(org: str, connection: ConnectionPublic, entity: Entity, ext: str) -> None:
    changes = service().review.record_history(org, connection.id, entity, ext)
    if not changes:
        st.caption("No history kept for this record.")
        return
    rows = [
        {
            "When": fmt.timestamp(c.at),
            "Change": CHANGES.get(c.kind, c.kind.value),
            "Fields": ", ".join(sorted((c.after or {}) | (c.before or {}))),
            "By run": c.run_id or "",
        }
        for c in changes
    ]
    st.dataframe(rows, hide_index=True, width="stretch")


def _actions(key: str, org: str, connection: ConnectionPublic, record: Record) -> None:
    if record.local_delete and may("review", "undo_delete"):
        st.button(
            "Take back the deletion",
            key=f"{key}_undo",
            icon=":material/undo:",
            on_click=_undo,
            args=(key, org, connection, record.entity, record.external_id),
        )
    if record.deleted or not may("review", "delete_record"):
        return
    vendor = systems.label(connection.system)
    if connection.direction is Direction.PULL and not record.external_id.startswith("local:"):
        st.caption(
            md(
                f"This connection only pulls: a deletion here would never reach {vendor}. "
                f"Delete it in {vendor}, or let the connection push (its settings)."
            )
        )
        return
    chosen = (record.entity.value, record.external_id)
    if st.button("Delete in ToothPick", key=f"{key}_delete", icon=":material/delete:"):
        confirm.ask(key, chosen)
    if confirm.asking(key, chosen):
        confirm.box(
            key,
            f"Delete {record.entity.value} {md(record.external_id)}? It leaves ToothPick's "
            f"records now, and the next sync's push deletes it at {md(vendor)}.",
            _delete,
            (key, org, connection, record.entity, record.external_id),
        )


def _detail(key: str, org: str, connection: ConnectionPublic, entity: Entity, ext: str) -> None:
    try:
        record = service().review.record(org, connection.id, entity, ext)
    except NotFoundError:
        st.info(md(f"No {entity.value} with the id {ext} is held here."), icon=":material/search:")
        return
    except ToothpickError as exc:
        st.error(md(f"Reading the record failed: {exc}"), icon=":material/error:")
        return
    vendor = systems.label(connection.system)
    st.markdown(f"**{entity.value} {md(record.external_id)}**")
    words = state_words(record, vendor)
    if record.deleted:
        st.warning(md(words), icon=":material/delete:")
    else:
        st.caption(md(words))
    _actions(key, org, connection, record)
    st.dataframe(
        [{"Field": name, "Value": _value(value)} for name, value in record.data.items()],
        hide_index=True,
        width="stretch",
    )
    st.markdown("**History**")
    _history(org, connection, entity, ext)


def panel(prefix: str, org: str, connection: ConnectionPublic) -> None:
    key = f"{prefix}_rec_{connection.id}"
    if not connection.entities:
        st.caption("No entities chosen for this connection.")
        return
    entity = st.selectbox(
        "Entity", connection.entities, format_func=lambda e: e.value, key=f"{key}_entity"
    )
    feedback.show(key)
    try:
        picked = _listed(key, org, connection, entity)
    except ToothpickError as exc:
        st.error(md(f"Reading the records failed: {exc}"), icon=":material/error:")
        return
    typed = st.text_input("Look up a record by its id", key=f"{key}_lookup", max_chars=255)
    external_id = typed if typed.strip() else picked  # an id is taken as typed
    if external_id:
        with st.container(border=True, key=f"{key}_detail"):
            _detail(key, org, connection, entity, external_id)
