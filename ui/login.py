"""The dashboard's sign-in, in production only (development stays single-user on loopback).

With an OpenID Connect provider configured in `.streamlit/secrets.toml` (an `[auth]`
section, Streamlit's own `st.login`), the provider signs people in. Otherwise the
hub's built-in users do (`toothpick users create`): name and password, checked by
`service.access` (argon2id), for a session token that expires after
TOOTHPICK_SESSION_TTL_MINUTES and is checked again on every run, so an expired
session or a disabled user is signed out at the next click. A user of another
organisation than the one this dashboard serves is refused.
"""

from __future__ import annotations

import streamlit as st

from core.schemas import Caller, SessionCreate
from core.settings import load_settings
from ui import context

_TOKEN = "login_token"


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except FileNotFoundError:  # no secrets.toml at all
        return False


def require_sign_in() -> Caller | None:
    """Stop the run with a sign-in form unless someone is signed in (production only)."""
    if not load_settings().is_production:
        return None
    if _oidc_configured():
        if not st.user.is_logged_in:
            st.title("ToothPick Integration Hub")
            st.button("Sign in", on_click=st.login, type="primary")
            st.stop()
        return None
    token = st.session_state.get(_TOKEN)
    caller = context.service().access.authenticate(token) if token else None
    if caller is not None and caller.organisation_id == context.organisation():
        return caller
    st.session_state.pop(_TOKEN, None)
    _form(expired=token is not None)
    return st.stop()  # st.stop() ends the run here


def _form(*, expired: bool) -> None:
    st.title("ToothPick Integration Hub")
    if expired:
        st.info("Your session ended; sign in again.")
    with st.form("login_form"):
        username = st.text_input("User name", key="login_username", max_chars=100)
        password = st.text_input("Password", type="password", key="login_password", max_chars=200)
        submitted = st.form_submit_button("Sign in", type="primary")
    if not submitted:
        return
    issued = None
    if username and password:
        issued = context.service().access.sign_in(
            SessionCreate(username=username, password=password)
        )
    if issued is None or issued.organisation_id != context.organisation():
        st.error("Wrong user name or password.")
        return
    st.session_state[_TOKEN] = issued.token
    st.rerun()


def sign_out() -> None:
    st.session_state.pop(_TOKEN, None)
