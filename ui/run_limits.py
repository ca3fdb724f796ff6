"""A connection's retry limit and its share of the vendor's daily allowance: blank keeps
the settings' default."""

from __future__ import annotations

import streamlit as st
from pydantic import ValidationError

from core.errors import ToothpickError
from core.models import RunLimits
from core.schemas import ConnectionPublic
from ui import feedback
from ui.context import service


def _save(key: str, org: str, connection_id: str) -> None:
    feedback.clear(key)
    state = st.session_state
    share = state.get(f"{key}_share")
    retries, allowance = state.get(f"{key}_retries"), state.get(f"{key}_allowance")
    try:
        limits = RunLimits(
            max_retries=int(retries) if retries is not None else None,
            daily_share=share / 100 if share is not None else None,
            daily_allowance=int(allowance) if allowance is not None else None,
        )
        service().connections.set_run_limits(org, connection_id, limits)
    except (ToothpickError, ValidationError) as exc:
        feedback.failed(key, "Saving the retry and budget limits", exc)
        return
    feedback.put(key, feedback.Outcome(True, "Saved the retry and budget limits."))


def limits_form(prefix: str, org: str, connection: ConnectionPublic) -> None:
    key = f"{prefix}_run_limits_{connection.id}"
    own = service().connections.run_limits(org, connection.id)
    settings = service().settings
    with st.form(f"{key}_form"):
        st.caption(
            "Failed syncs are retried with growing waits; each sync stays within this "
            "connection's share of the vendor's daily API allowance and pauses until the "
            "reset when it is spent. Leave a field blank to use the default shown."
        )
        first, second, third = st.columns(3)
        first.number_input(
            "Retries of a failed sync", value=own.max_retries, min_value=0, max_value=20,
            step=1, placeholder=str(settings.run_max_retries), key=f"{key}_retries",
        )  # fmt: skip
        second.number_input(
            "Share of the daily allowance (%)",
            value=own.daily_share * 100 if own.daily_share is not None else None,
            min_value=1.0, max_value=100.0, step=5.0,
            placeholder=f"{settings.vendor_daily_share * 100:g}", key=f"{key}_share",
        )  # fmt: skip
        third.number_input(
            "The account's daily allowance (calls)", value=own.daily_allowance, min_value=1,
            step=1000, placeholder="vendor default", key=f"{key}_allowance",
        )  # fmt: skip
        st.form_submit_button(
            "Save limits", on_click=_save, args=(key, org, connection.id), icon=":material/tune:"
        )
    feedback.show(key)
