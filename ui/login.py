"""The dashboard's sign-in, in production only (development stays single-user on loopback).

With an OpenID Connect provider configured in `.streamlit/secrets.toml` (an `[auth]`
section, Streamlit's own `st.login`), the provider signs people in and
`[toothpick_access]` gives them an organisation and a role (core/oidc.py). Otherwise
the hub's built-in users do (`toothpick users create`): name and password, checked
by `service.access` (argon2id). Either way the browser session holds a hub session
token that expires after TOOTHPICK_SESSION_TTL_MINUTES and is checked again on
every run, so an expired or revoked session, or a disabled user, is signed out at
the next click. The role is read from that token at every use (`current_role`), and
`ui.context` checks every service call against it. A user of another organisation
than the one this dashboard serves is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NoReturn

import streamlit as st

from core.models import Role
from core.oidc import AccessRules, check_config, map_identity
from core.schemas import SessionCreate
from core.settings import load_settings
from ui import context

_TOKEN = context.TOKEN_KEY
_REFUSED = "Wrong user name or password."


def _secrets() -> dict[str, Any] | None:
    try:
        return st.secrets.to_dict() if "auth" in st.secrets else None
    except FileNotFoundError:  # no secrets.toml at all
        return None


def require_sign_in() -> None:
    """Stop the run with a sign-in form unless someone is signed in (production only).

    The stopped run declares one hidden page of its own: with no navigation at all the
    sidebar would list the pages/ folder to someone not signed in."""
    try:
        _require_sign_in()
    except _SignInShown as shown:
        st.navigation([_SIGN_IN], position="hidden")  # first: it clears what was drawn before
        shown.draw()
        st.stop()


def _require_sign_in() -> None:
    if not load_settings().is_production:
        return
    secrets = _secrets()
    if secrets is not None:
        _oidc(secrets)
        return
    token = st.session_state.get(_TOKEN)
    caller = context.service().access.authenticate(token) if token else None
    if caller is not None and caller.organisation_id == context.organisation():
        return
    sign_out()
    _stop(lambda: _form(expired=token is not None))


def _signing_in() -> None:
    """The only page while signed out; never run (the sign-in stops the run first)."""


_SIGN_IN = st.Page(_signing_in, title="Sign in", url_path="sign-in", default=True)


class _SignInShown(Exception):
    """The run ends on a sign-in screen, which `draw` shows."""

    def __init__(self, draw: Callable[[], None]) -> None:
        super().__init__()
        self.draw = draw


def _stop(draw: Callable[[], None]) -> NoReturn:
    raise _SignInShown(draw)


def _title(*then: Callable[[], Any]) -> Callable[[], None]:
    def draw() -> None:
        st.title("ToothPick Integration Hub")
        for each in then:
            each()

    return draw


def _oidc(secrets: dict[str, Any]) -> None:
    rules, problems = check_config(secrets)
    if rules is None:
        _stop(
            _title(lambda: st.error("Sign-in is not configured correctly: " + "; ".join(problems)))
        )
    if not st.user.is_logged_in:
        sign_out()
        _stop(
            _title(
                lambda: st.button("Sign in", on_click=st.login, type="primary", key="login_oidc")
            )
        )
    _oidc_session(rules)


def _oidc_session(rules: AccessRules) -> None:
    identity = map_identity(st.user.to_dict(), rules)
    if identity is None or identity.organisation_id != context.organisation():
        sign_out()
        _stop(
            _title(
                lambda: st.error("This account has no access to this hub; ask an administrator."),
                lambda: st.button("Sign out", on_click=st.logout, key="login_oidc_out"),
            )
        )
    access = context.service().access
    token = st.session_state.get(_TOKEN)
    if token is not None and access.session_of(token) is None:
        sign_out()  # expired or revoked: back to the provider
        _stop(st.logout)
    if token is None:
        issued = access.open_session(
            identity.organisation_id, identity.user_id, identity.email, identity.role, via="oidc"
        )
        st.session_state[_TOKEN] = issued.token


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
        st.error(_REFUSED)
        return
    st.session_state[_TOKEN] = issued.token
    st.rerun()


def sign_out() -> None:
    st.session_state.pop(_TOKEN, None)


def current_role() -> Role | None:
    """The role of the session token held right now (production), checked in the store:
    a built-in user's from their user row, an OIDC user's from the provider's claims
    (`st.user`) mapped again, as long as the session row stays live."""
    token = st.session_state.get(_TOKEN)
    if not token:
        return None
    on_store, access = context.handle(), context.handle().service.access
    caller = on_store.run(access.authenticate, token)
    if caller is not None:
        return caller.role if caller.organisation_id == context.organisation() else None
    session = on_store.run(access.session_of, token)
    secrets = _secrets()
    if session is None or session.via != "oidc" or secrets is None or not st.user.is_logged_in:
        return None
    rules, _ = check_config(secrets)
    identity = map_identity(st.user.to_dict(), rules) if rules else None
    if identity is None or identity.user_id != session.user_id:
        return None
    return identity.role if identity.organisation_id == context.organisation() else None
