"""Outcomes of a button press, kept in session state until the next rerun shows them."""

from __future__ import annotations

from dataclasses import dataclass, field

import streamlit as st
from pydantic import ValidationError

from core.errors import InvalidInputError, ToothpickError
from core.schemas import CheckResult
from core.validation import describe_validation
from ui.text import md


@dataclass(frozen=True)
class Outcome:
    ok: bool
    message: str
    details: dict[str, str] = field(default_factory=dict)


def checked(label: str, result: CheckResult, *, note: str = "") -> Outcome:
    """What the vendor said when a connection was tested, in words. A failure is not
    called a refusal: the message says whether the vendor refused, or was never reached
    (DNS, refused connection, TLS, timeout)."""
    took = f"({result.duration_ms:.0f} ms)"
    if result.ok:
        text = f"{label} accepted the connection: {result.message} {took}.{note}"
    else:
        text = f"The {label} connection test failed: {result.message} {took}.{note}"
    return Outcome(result.ok, text, dict(result.details))


def put(key: str, outcome: Outcome) -> None:
    st.session_state[f"{key}_outcome"] = outcome


def show(key: str) -> None:
    outcome: Outcome | None = st.session_state.get(f"{key}_outcome")
    if outcome is None:
        return
    if outcome.ok:
        st.success(md(outcome.message), icon=":material/check_circle:")
    else:
        st.error(md(outcome.message), icon=":material/error:")
    if outcome.details:
        st.caption(
            " · ".join(f"{md(name)}: {md(value)}" for name, value in outcome.details.items())
        )


def clear(key: str) -> None:
    st.session_state.pop(f"{key}_outcome", None)
    st.session_state.pop(f"{key}_errors", None)


def field_errors(key: str) -> dict[str, str]:
    errors: dict[str, str] = st.session_state.get(f"{key}_errors", {})
    return errors


def failed(key: str, action: str, exc: Exception) -> None:
    """Record a failure: inline under the field it names, or as the form's message."""
    errors: dict[str, str] = {}
    if isinstance(exc, InvalidInputError) and exc.field:
        errors[exc.field] = str(exc)
    elif isinstance(exc, ValidationError):
        location = exc.errors()[0].get("loc", ())
        if location:
            errors[str(location[0])] = describe_validation(exc)
    st.session_state[f"{key}_errors"] = errors
    text = describe_validation(exc) if isinstance(exc, ValidationError) else str(exc)
    if not isinstance(exc, ToothpickError | ValidationError):
        text = "Something went wrong; see the server log."
    put(key, Outcome(False, f"{action} failed: {text}"))
