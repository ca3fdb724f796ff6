"""Editing a stored connection: every setting, field-mapping overrides, and the
system's fields with secrets blank (blank keeps the stored one)."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import streamlit as st
from pydantic import ValidationError

from core.errors import ToothpickError
from core.models import Direction, FieldOverride, Operation
from core.schemas import ConnectionPublic, ConnectionUpdate, LogFilter, SystemInfo
from ui import feedback, field_mapping, form_fields, loaders, settings_inputs
from ui.context import service
from ui.text import md

_OVERRIDE_COLUMNS = ["entity", "canonical_field", "vendor_field", "direction"]


def _override_rows(overrides: list[FieldOverride]) -> list[dict[str, Any]]:
    return [
        {
            "entity": o.entity.value,
            "canonical_field": o.canonical_field,
            "vendor_field": o.vendor_field,
            "direction": o.direction.value,
        }
        for o in overrides
    ]


def _editor_data(overrides: list[FieldOverride]) -> Any:
    """Typed text columns even when there are no rows yet, so the editor can add one."""
    rows = _override_rows(overrides)
    return pa.table(
        {c: pa.array([row[c] for row in rows], type=pa.string()) for c in _OVERRIDE_COLUMNS}
    )


def overrides_after(base: list[FieldOverride], edits: dict[str, Any]) -> list[dict[str, str]]:
    """The base overrides with the data editor's pending edits applied (in a callback
    the widget's state is the edit set, not the edited frame)."""
    rows = _override_rows(base)
    for index, changes in (edits.get("edited_rows") or {}).items():
        rows[int(index)].update(changes)
    deleted = {int(i) for i in edits.get("deleted_rows") or []}
    rows = [row for i, row in enumerate(rows) if i not in deleted]
    rows.extend(edits.get("added_rows") or [])
    clean = []
    for row in rows:
        values = {c: "" if _blank(row.get(c)) else str(row[c]).strip() for c in _OVERRIDE_COLUMNS}
        if any(values.values()):
            values["direction"] = values["direction"] or Direction.BOTH.value
            clean.append(values)
    return clean


def _vendor_field_column(connection: ConnectionPublic) -> Any:
    """A choice of the vendor's discovered fields once read (field-mapping tab), else text."""
    names = field_mapping.choices(connection.id)
    if not names:
        return st.column_config.TextColumn("Vendor field", required=True)
    current = [o.vendor_field for o in connection.field_overrides]
    return st.column_config.SelectboxColumn(
        "Vendor field", options=sorted({*names, *current}), required=True
    )


def _blank(value: Any) -> bool:
    return value is None or value != value  # None, or NaN from an emptied cell


def _rebinding_note(info: SystemInfo) -> str:
    """Secrets are bound to where they were given (core.bindings): the form says so."""
    labels = {f.name: f.label for f in info.form}
    places = " or ".join(labels[name] for name in info.bound_fields)
    return (
        f"Changing {places} requires entering every secret again: stored secrets are "
        "never sent to a new address."
    )


def _save(key: str, org: str, connection: ConnectionPublic, info: SystemInfo) -> None:
    feedback.clear(key)
    state = st.session_state
    try:
        update = ConnectionUpdate.model_validate(
            {
                "name": state[f"{key}_name"],
                "fields": form_fields.read_fields(info, key),
                "field_overrides": overrides_after(
                    connection.field_overrides, state.get(f"{key}_overrides") or {}
                ),
                **settings_inputs.read(key),
            }
        )
        saved = service().connections.update_connection(org, connection.id, update)
    except (ToothpickError, ValidationError) as exc:
        feedback.failed(key, "Saving the changes", exc)
        return
    form_fields.clear_secrets(info, key)
    loaders.forget_writes()
    said = f"Saved the changes to “{saved.name}”."
    if saved.field_overrides != connection.field_overrides:
        said += " " + _backfill_news(org, connection.id)
    feedback.put(key, feedback.Outcome(True, said))


def _backfill_news(org: str, connection_id: str) -> str:
    """What the mapping change's backfill does (queued now, or after the run in progress),
    as the connection's log says it (core.services.backfill)."""
    query = LogFilter(connection_ids=[connection_id], operations=[Operation.UPDATE_CONNECTION])
    for entry in service().monitoring.logs(org, query, limit=5).items:
        if "backfill" in (entry.metadata or {}):
            return entry.message
    return ""


def edit_form(prefix: str, org: str, connection: ConnectionPublic, info: SystemInfo) -> None:
    key = f"{prefix}_edit_{connection.id}"
    errors = feedback.field_errors(key)
    with st.form(f"{key}_form"):
        st.text_input("Connection name *", value=connection.name, key=f"{key}_name")
        if "name" in errors:
            st.error(md(errors["name"]), icon=":material/error:")
        st.caption(_rebinding_note(info))
        form_fields.fields_inputs(
            info,
            key,
            errors=errors,
            config=connection.config,
            stored_secrets=connection.secret_fields,
        )
        settings_inputs.inputs(
            key,
            info,
            entities=connection.entities,
            direction=connection.direction,
            policy=connection.conflict_policy,
            approve_deletes=connection.approve_deletes,
            schedule=connection.schedule,
        )
        st.markdown("**Field-mapping overrides**")
        st.caption("Carry a vendor field into a canonical field (or a custom one, `custom.name`).")
        st.data_editor(
            _editor_data(connection.field_overrides),
            num_rows="dynamic",
            hide_index=True,
            key=f"{key}_overrides",
            column_config={
                "entity": st.column_config.SelectboxColumn(
                    "Entity", options=[e.value for e in info.supported_entities], required=True
                ),
                "canonical_field": st.column_config.TextColumn("ToothPick field", required=True),
                "vendor_field": _vendor_field_column(connection),
                "direction": st.column_config.SelectboxColumn(
                    "Direction", options=[d.value for d in Direction], default="both"
                ),
            },
        )
        for name in (*settings_inputs.NAMES, "field_overrides"):
            if name in errors:
                st.error(md(errors[name]), icon=":material/error:")
        st.form_submit_button(
            "Save changes",
            type="primary",
            on_click=_save,
            args=(key, org, connection, info),
            icon=":material/save:",
        )
    feedback.show(key)
