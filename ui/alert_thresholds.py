"""A connection's alert thresholds: blank keeps the settings' default."""

from __future__ import annotations

import streamlit as st
from pydantic import ValidationError

from core.errors import ToothpickError
from core.models import AlertThresholds
from core.schemas import ConnectionPublic
from ui import feedback
from ui.context import service

_FIELDS = (
    ("consecutive_failures", "Failed syncs in a row", 1.0),
    ("p95_response_ms", "p95 sync time over 24 h (ms)", 1000.0),
    ("rate_limit_wait_s", "Rate-limit wait in one sync (s)", 10.0),
)


def _save(key: str, org: str, connection_id: str) -> None:
    feedback.clear(key)
    state = st.session_state
    try:
        overrides = AlertThresholds.model_validate(
            {name: state.get(f"{key}_{name}") for name, _, _ in _FIELDS}
        )
        service().alerts.set_thresholds(org, connection_id, overrides)
    except (ToothpickError, ValidationError) as exc:
        feedback.failed(key, "Saving the alert thresholds", exc)
        return
    feedback.put(key, feedback.Outcome(True, "Saved the alert thresholds."))


def thresholds_form(prefix: str, org: str, connection: ConnectionPublic) -> None:
    key = f"{prefix}_thresholds_{connection.id}"
    in_force = service().alerts.thresholds(org, connection.id)
    with st.form(f"{key}_form"):
        st.caption("Leave a field blank to use the default shown as its placeholder.")
        columns = st.columns(len(_FIELDS))
        for column, (name, label, step) in zip(columns, _FIELDS, strict=True):
            column.number_input(
                label,
                value=None,
                min_value=step,
                step=step,
                placeholder=f"{getattr(in_force, name):g}",
                key=f"{key}_{name}",
            )
        st.form_submit_button(
            "Save thresholds",
            on_click=_save,
            args=(key, org, connection.id),
            icon=":material/tune:",
        )
    feedback.show(key)
