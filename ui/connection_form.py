"""The connect form: built from the adapter registry, tested without saving,
saved with its secret sealed at once."""

from __future__ import annotations

from typing import Any

import streamlit as st
from pydantic import ValidationError

from core.errors import InvalidInputError, ToothpickError
from core.models import Role, System
from core.schemas import ConnectionCreate, ConnectionPublic, SystemInfo
from ui import feedback, form_fields, loaders, settings_inputs, systems, vendor_calls
from ui.context import allows, service
from ui.text import md

Filled = dict[str, str]  # secret fields the form fills in itself (the sandbox's)


def _form_key(prefix: str, system: System) -> str:
    return f"{prefix}_{system.value}"


def _sign_in(key: str, info: SystemInfo) -> str | None:
    if not info.sign_in:
        return None
    chosen = st.session_state.get(f"{key}_signin")
    return chosen if info.sign_in_method(chosen) else info.sign_in[0].name


def _test(prefix: str, org: str, info: SystemInfo, filled: Filled) -> None:
    key = _form_key(prefix, info.system)
    feedback.clear(key)
    st.session_state.pop(f"{key}_refused", None)
    fields, sign_in = _fields(key, info, filled), _sign_in(key, info)
    try:
        result = vendor_calls.run(
            lambda s: s.connections.test_credentials(org, info.system, fields, sign_in=sign_in)
        )
    except (ToothpickError, ValidationError) as exc:
        feedback.failed(key, "Testing the connection", exc)
        return
    feedback.put(key, feedback.checked(info.label, result, note=" Nothing was saved."))


def _fields(key: str, info: SystemInfo, filled: Filled) -> dict[str, Any]:
    return {**form_fields.read_fields(info, key), **filled}


def _form(key: str, info: SystemInfo, filled: Filled) -> ConnectionCreate:
    state = st.session_state
    if not str(state.get(f"{key}_name") or "").strip():
        raise InvalidInputError("Connection name: is required, e.g. “HubSpot EU”", field="name")
    return ConnectionCreate.model_validate(
        {
            "system": info.system,
            "name": str(state[f"{key}_name"]).strip(),
            "fields": _fields(key, info, filled),
            "sign_in": _sign_in(key, info),
            **settings_inputs.read(key),
        }
    )


def _saved(key: str, info: SystemInfo, saved: ConnectionPublic, message: str) -> None:
    form_fields.clear_secrets(info, key)
    st.session_state.pop(f"{key}_refused", None)
    loaders.forget_writes()
    feedback.put(key, feedback.Outcome(True, message))


def _save(prefix: str, org: str, info: SystemInfo, filled: Filled) -> None:
    """Test first; save only when the vendor accepts (else say why and offer to
    save it disabled)."""
    key = _form_key(prefix, info.system)
    feedback.clear(key)
    st.session_state.pop(f"{key}_refused", None)
    try:
        form = _form(key, info, filled)
        result = vendor_calls.run(
            lambda s: s.connections.test_credentials(
                org, info.system, form.fields, sign_in=form.sign_in
            )
        )
        if not result.ok:
            st.session_state[f"{key}_refused"] = result.message
            feedback.put(
                key,
                feedback.Outcome(
                    False,
                    f"Not saved: the {info.label} connection test failed: {result.message}. "
                    "Correct the fields and save again, or save it disabled to finish later.",
                    dict(result.details),
                ),
            )
            return
        saved = service().connections.connect(org, form, test_first=False)
    except (ToothpickError, ValidationError) as exc:
        feedback.failed(key, "Saving the connection", exc)
        return
    _saved(
        key,
        info,
        saved,
        f"Tested and saved {info.label} as “{saved.name}”: {result.message}. Its credentials "
        "are stored encrypted; press Sync on its page to fetch its data now, or wait for "
        "its schedule.",
    )


def _save_disabled(prefix: str, org: str, info: SystemInfo, filled: Filled) -> None:
    key = _form_key(prefix, info.system)
    reason = st.session_state.get(f"{key}_refused") or "its test failed"
    feedback.clear(key)
    try:
        saved = service().connections.connect(
            org,
            _form(key, info, filled),
            test_first=False,
            disabled_because=f"Saved without a passing test: {reason}",
        )
    except (ToothpickError, ValidationError) as exc:
        feedback.failed(key, "Saving the connection", exc)
        return
    _saved(
        key,
        info,
        saved,
        f"Saved “{saved.name}” disabled: {reason}. It does not sync until you correct "
        "its credentials and enable it on its page.",
    )


def connect_form(
    prefix: str,
    org: str,
    *,
    default_system: System | None = None,
    presets: dict[System, dict[str, Any]] | None = None,
    sandbox_secrets: dict[System, dict[str, str]] | None = None,
    default_name: str | None = None,
) -> None:
    """System picker, then that system's own form with Test and Save buttons."""
    if not allows(Role.ADMIN):
        st.caption("Connecting a system needs the admin role.")
        return
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
    # The sandbox's public demo credentials: sent with the form, never drawn in it.
    filled: Filled = (sandbox_secrets or {}).get(system, {})
    errors = feedback.field_errors(key)
    st.caption(f"{systems.short(system)}: {info.auth}")
    method = None
    if info.sign_in:
        names = [m.name for m in info.sign_in]
        labels = {m.name: m.label for m in info.sign_in}
        chosen = st.segmented_control(
            "Sign in with",
            names,
            format_func=labels.__getitem__,
            default=names[0],
            required=True,
            key=f"{key}_signin",
        )
        method = info.sign_in_method(chosen) or info.sign_in[0]
    with st.form(f"{key}_form", border=True):
        st.text_input(
            "Connection name *",
            value=default_name if system == default_system and default_name else info.label,
            max_chars=100,
            key=f"{key}_name",
        )
        if "name" in errors:
            st.error(md(errors["name"]), icon=":material/error:")
        form_fields.fields_inputs(
            info,
            key,
            errors=errors,
            config=(presets or {}).get(system),
            hide=form_fields.hidden_by(info, method) | frozenset(filled),
        )
        if filled:
            labels = {f.name: f.label for f in info.form}
            st.caption(
                "Signed in with the sandbox's demo credentials, filled in for you: "
                + ", ".join(labels.get(name, name) for name in filled)
                + "."
            )
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
            args=(prefix, org, info, filled),
            icon=":material/network_check:",
            width="stretch",
        )
        save.form_submit_button(
            "Save connection",
            key=f"{key}_save",
            on_click=_save,
            args=(prefix, org, info, filled),
            type="primary",
            icon=":material/save:",
            width="stretch",
        )
    feedback.show(key)
    if st.session_state.get(f"{key}_refused"):
        st.button(
            "Save it disabled anyway",
            key=f"{key}_save_disabled",
            on_click=_save_disabled,
            args=(prefix, org, info, filled),
            icon=":material/save_as:",
            help="Stores it with the test's reason; it does not sync until enabled.",
        )
    st.caption(
        "Save tests the connection first and saves only when the system accepts it. "
        "Fields marked * are required. Secrets are never shown again once saved."
    )
