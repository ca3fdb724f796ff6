"""The connect form: built from the adapter registry, tested without saving,
saved with its secret sealed at once."""

from __future__ import annotations

from typing import Any

import streamlit as st
from pydantic import ValidationError

from core.errors import ToothpickError
from core.models import System
from core.schemas import ConnectionCreate, SystemInfo
from ui import feedback, form_fields, loaders, settings_inputs, systems, vendor_calls
from ui.context import service
from ui.text import md


def _form_key(prefix: str, system: System) -> str:
    return f"{prefix}_{system.value}"


def _test(prefix: str, org: str, info: SystemInfo) -> None:
    key = _form_key(prefix, info.system)
    feedback.clear(key)
    fields = form_fields.read_fields(info, key)
    try:
        result = vendor_calls.run(
            lambda s: s.connections.test_credentials(org, info.system, fields)
        )
    except (ToothpickError, ValidationError) as exc:
        feedback.failed(key, "Testing the connection", exc)
        return
    feedback.put(key, feedback.checked(info.label, result, note=" Nothing was saved."))


def _save(prefix: str, org: str, info: SystemInfo) -> None:
    key = _form_key(prefix, info.system)
    feedback.clear(key)
    state = st.session_state
    try:
        form = ConnectionCreate.model_validate(
            {
                "system": info.system,
                "name": state[f"{key}_name"],
                "fields": form_fields.read_fields(info, key),
                **settings_inputs.read(key),
            }
        )
        saved = service().connections.connect(org, form, test_first=False)
    except (ToothpickError, ValidationError) as exc:
        feedback.failed(key, "Saving the connection", exc)
        return
    form_fields.clear_secrets(info, key)
    loaders.forget_writes()
    feedback.put(
        key,
        feedback.Outcome(
            True,
            f"Saved {info.label} as “{saved.name}”. Its credentials are stored encrypted; "
            "use Sync to fetch its data now, or wait for its schedule.",
        ),
    )


def connect_form(
    prefix: str,
    org: str,
    *,
    default_system: System | None = None,
    presets: dict[System, dict[str, Any]] | None = None,
    default_name: str | None = None,
) -> None:
    """System picker, then that system's own form with Test and Save buttons."""
    infos = {info.system: info for info in service().connections.systems()}
    if not infos:
        st.warning("No systems are available in this installation.", icon=":material/block:")
        return
    options = list(infos)
    system = st.selectbox(
        "System",
        options,
        index=options.index(default_system) if default_system in infos else 0,
        format_func=lambda s: f"{infos[s].label} ({infos[s].kind.value.upper()})",
        key=f"{prefix}_system",
    )
    info = infos[system]
    key = _form_key(prefix, system)
    errors = feedback.field_errors(key)
    st.caption(f"{systems.short(system)}: {info.auth}")
    with st.form(f"{key}_form", border=True):
        st.text_input(
            "Connection name *",
            value=default_name if system == default_system and default_name else info.label,
            max_chars=100,
            key=f"{key}_name",
        )
        if "name" in errors:
            st.error(md(errors["name"]), icon=":material/error:")
        form_fields.fields_inputs(info, key, errors=errors, config=(presets or {}).get(system))
        with st.expander("Sync settings", expanded=False):
            settings_inputs.inputs(key, info)
        for name in settings_inputs.NAMES:
            if name in errors:
                st.error(md(errors[name]), icon=":material/error:")
        test, save = st.columns(2)
        test.form_submit_button(
            "Test connection",
            key=f"{key}_test",
            on_click=_test,
            args=(prefix, org, info),
            icon=":material/network_check:",
            width="stretch",
        )
        save.form_submit_button(
            "Save connection",
            key=f"{key}_save",
            on_click=_save,
            args=(prefix, org, info),
            type="primary",
            icon=":material/save:",
            width="stretch",
        )
    feedback.show(key)
    st.caption("Fields marked * are required. Secrets are never shown again once saved.")
