"""A system's own connection fields, drawn from its SystemInfo.form.

Secrets are password inputs that start blank, always: a stored secret never
travels to the browser. In an edit form a blank secret means "keep it".
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from core.models import ConfigValue
from core.schemas import FieldKind, FormField, SignInMethod, SystemInfo
from ui.text import md


def _label(form_field: FormField) -> str:
    return form_field.label + (" *" if form_field.required and not form_field.secret else "")


def field_input(
    form_field: FormField,
    key: str,
    *,
    current: ConfigValue | None = None,
    secret_stored: bool = False,
) -> None:
    value = current if current is not None else form_field.default
    common: dict[str, Any] = {"key": key, "help": form_field.help or None}
    kind = form_field.kind
    if kind is FieldKind.SECRET:
        placeholder = "Stored — leave blank to keep it" if secret_stored else form_field.placeholder
        label = form_field.label + (" *" if form_field.required and not secret_stored else "")
        st.text_input(label, type="password", placeholder=placeholder, **common)
    elif kind is FieldKind.BOOLEAN:
        st.checkbox(form_field.label, value=bool(value), **common)
    elif kind is FieldKind.CHOICE and form_field.choices:
        choices = list(form_field.choices)
        index = choices.index(str(value)) if value is not None and str(value) in choices else 0
        st.selectbox(_label(form_field), choices, index=index, **common)
    elif kind is FieldKind.INTEGER:
        st.text_input(
            _label(form_field),
            value="" if value is None else str(value),
            placeholder=form_field.placeholder or "a whole number",
            **common,
        )
    else:
        st.text_input(
            _label(form_field),
            value="" if value is None else str(value),
            placeholder=form_field.placeholder,
            **common,
        )


def fields_inputs(
    info: SystemInfo,
    key: str,
    *,
    errors: dict[str, str],
    config: dict[str, ConfigValue] | None = None,
    stored_secrets: list[str] | None = None,
    hide: frozenset[str] = frozenset(),
) -> None:
    """Every field of the system's form (but `hide`), each followed by its message."""
    for form_field in info.form:
        if form_field.name in hide:
            continue
        field_input(
            form_field,
            f"{key}_f_{form_field.name}",
            current=(config or {}).get(form_field.name),
            secret_stored=form_field.name in (stored_secrets or []),
        )
        if form_field.name in errors:
            st.error(md(errors[form_field.name]), icon=":material/error:")


def read_fields(info: SystemInfo, key: str) -> dict[str, Any]:
    """The typed values, as the service's form validation expects them."""
    values: dict[str, Any] = {}
    for form_field in info.form:
        value = st.session_state.get(f"{key}_f_{form_field.name}")
        if isinstance(value, str):
            value = value.strip()
        values[form_field.name] = value
    return values


def clear_secrets(info: SystemInfo, key: str) -> None:
    for name in info.secret_fields:
        st.session_state[f"{key}_f_{name}"] = ""


def hidden_by(info: SystemInfo, method: SignInMethod | None) -> frozenset[str]:
    """The fields a sign-in method does not show: the other methods' own and those it sets."""
    if method is None:
        return frozenset()
    others = {name for m in info.sign_in for name in m.fields} - set(method.fields)
    return frozenset(others | {name for name, _ in method.sets})
