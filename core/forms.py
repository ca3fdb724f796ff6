"""Connection-form validation against a system's declared form (adapters' SystemInfo).

The same rules serve the dashboard form, the REST API, `toothpick connections
add` and credential imports, so a value refused in one place is refused
everywhere with the same message naming the field.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from pydantic import SecretStr

from adapters.base import FieldKind, FormField, SystemInfo
from core.errors import InvalidInputError
from core.models import ConfigValue

_MAX_VALUE_LENGTH = 4096


def _text(form_field: FormField, value: Any) -> str:
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise InvalidInputError(f"{form_field.label}: must be text", field=form_field.name)
    text = str(value).strip()
    if len(text) > _MAX_VALUE_LENGTH:
        raise InvalidInputError(
            f"{form_field.label}: is longer than {_MAX_VALUE_LENGTH} characters",
            field=form_field.name,
        )
    if any(ch in text for ch in "\r\n\x00"):
        raise InvalidInputError(f"{form_field.label}: must be a single line", field=form_field.name)
    return text


def _convert(form_field: FormField, value: Any) -> ConfigValue:
    kind = form_field.kind
    if kind is FieldKind.BOOLEAN:
        if isinstance(value, bool):
            return value
        text = _text(form_field, value).lower()
        if text in {"true", "yes", "1", "on"}:
            return True
        if text in {"false", "no", "0", "off"}:
            return False
        raise InvalidInputError(f"{form_field.label}: must be yes or no", field=form_field.name)
    if kind is FieldKind.INTEGER:
        text = _text(form_field, value)
        try:
            return int(text)
        except ValueError:
            raise InvalidInputError(
                f"{form_field.label}: must be a whole number", field=form_field.name
            ) from None
    text = _text(form_field, value)
    if kind is FieldKind.URL:
        parsed = urlparse(text)
        if parsed.scheme not in {"http", "https"} or not parsed.hostname:
            raise InvalidInputError(
                f"{form_field.label}: must be a web address starting with https://",
                field=form_field.name,
            )
        if parsed.username or parsed.password:
            raise InvalidInputError(
                f"{form_field.label}: must not contain a user name or password; "
                "use the credential fields",
                field=form_field.name,
            )
        return text.rstrip("/")
    if kind is FieldKind.CHOICE and form_field.choices and text not in form_field.choices:
        raise InvalidInputError(
            f"{form_field.label}: must be one of {', '.join(form_field.choices)}",
            field=form_field.name,
        )
    return text


def validate_form(
    info: SystemInfo, values: dict[str, Any], *, keep_secrets: frozenset[str] = frozenset()
) -> tuple[dict[str, ConfigValue], dict[str, SecretStr]]:
    """Split and validate form values into (config, secret).

    `keep_secrets` names secret fields already stored: left blank, they are kept
    (an edit form never shows a stored secret, so blank means "unchanged").
    """
    known = {f.name: f for f in info.form}
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise InvalidInputError(f"{info.label} has no field named {unknown[0]!r}", field=unknown[0])
    config: dict[str, ConfigValue] = {}
    secret: dict[str, SecretStr] = {}
    for name, form_field in known.items():
        raw = values.get(name)
        if isinstance(raw, SecretStr):
            raw = raw.get_secret_value()
        blank = raw is None or (isinstance(raw, str) and not raw.strip())
        if blank:
            if form_field.default is not None and not form_field.secret:
                config[name] = form_field.default
                continue
            if form_field.required and name not in keep_secrets:
                raise InvalidInputError(f"{form_field.label}: is required", field=name)
            continue
        converted = _convert(form_field, raw)
        if form_field.secret:
            secret[name] = SecretStr(str(converted))
        else:
            config[name] = converted
    return config, secret


def apply_sign_in(info: SystemInfo, values: dict[str, Any], method: str | None) -> dict[str, Any]:
    """The form values as the chosen sign-in method sends them: the other methods'
    fields blank, the fields the method fixes set, and its own required fields checked.

    No method (or a system with a single way in) leaves the values as they are.
    """
    if method is None or not info.sign_in:
        return values
    chosen = info.sign_in_method(method)
    if chosen is None:
        names = ", ".join(m.label for m in info.sign_in)
        raise InvalidInputError(f"Sign-in method: choose one of {names}", field="sign_in")
    others = {name for m in info.sign_in for name in m.fields} - set(chosen.fields)
    sent = {name: None if name in others else value for name, value in values.items()}
    sent.update(dict(chosen.sets))
    labels = {f.name: f.label for f in info.form}
    for name in chosen.required:
        value = sent.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise InvalidInputError(
                f"{labels.get(name, name)}: is required to sign in with {chosen.label}",
                field=name,
            )
    return sent
