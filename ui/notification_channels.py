"""The organisation's notification channels: add one, test it, remove it."""

from __future__ import annotations

from typing import Any

import streamlit as st
from pydantic import SecretStr, ValidationError

from core.errors import ToothpickError
from core.models import ChannelKind, Role
from core.schemas import ChannelCreate, ChannelPublic
from ui import feedback
from ui.context import allows, service

_KINDS = {
    ChannelKind.WEBHOOK: "Webhook (Standard Webhooks signature)",
    ChannelKind.SLACK: "Slack incoming webhook",
    ChannelKind.EMAIL: "E-mail (SMTP, STARTTLS)",
}


def _test(key: str, org: str, channel: ChannelPublic) -> None:
    result = service().notifications.test_channel(org, channel.id)
    feedback.put(key, feedback.Outcome(result.ok, result.message))


def _delete(key: str, org: str, channel: ChannelPublic) -> None:
    try:
        service().notifications.delete_channel(org, channel.id)
    except ToothpickError as exc:
        feedback.failed(key, "Removing the channel", exc)
        return
    feedback.put(key, feedback.Outcome(True, f"Removed the channel “{channel.name}”."))


def _form(key: str, kind: ChannelKind) -> ChannelCreate:
    state = st.session_state
    config: dict[str, Any] = {}
    secrets: dict[str, SecretStr] = {}
    if kind is ChannelKind.WEBHOOK:
        config["url"] = state.get(f"{key}_url", "")
        secrets["signing_secret"] = SecretStr(state.get(f"{key}_signing_secret", ""))
    elif kind is ChannelKind.SLACK:
        secrets["webhook_url"] = SecretStr(state.get(f"{key}_webhook_url", ""))
    else:
        for name in ("host", "sender", "recipients", "username"):
            config[name] = state.get(f"{key}_{name}", "")
        config["port"] = int(state.get(f"{key}_port") or 587)
        config["starttls"] = bool(state.get(f"{key}_starttls", True))
        if state.get(f"{key}_password"):
            secrets["password"] = SecretStr(state[f"{key}_password"])
    return ChannelCreate(
        kind=kind, name=state.get(f"{key}_name", ""), config=config, secrets=secrets
    )


def _add(key: str, org: str, kind: ChannelKind) -> None:
    feedback.clear(key)
    try:
        added = service().notifications.add_channel(org, _form(key, kind))
    except (ToothpickError, ValidationError) as exc:
        feedback.failed(key, "Adding the channel", exc)
        return
    feedback.put(key, feedback.Outcome(True, f"Added the channel “{added.name}”."))


def channels(prefix: str, org: str) -> None:
    st.subheader("Alert notifications", anchor=False)
    if not allows(Role.ADMIN):
        st.caption("Notification channels are managed by admins.")
        return
    for channel in service().notifications.list_channels(org):
        key = f"{prefix}_channel_{channel.id}"
        with st.container(border=True, horizontal=True, vertical_alignment="center", key=key):
            target = channel.config.get("url") or channel.config.get("recipients") or "Slack"
            st.text(f"{channel.name} · {_KINDS[channel.kind]} · {target}")
            st.button("Test", key=f"{key}_test", on_click=_test, args=(key, org, channel))
            st.button("Remove", key=f"{key}_delete", on_click=_delete, args=(key, org, channel))
        feedback.show(key)
    key = f"{prefix}_channel_new"
    kind = st.selectbox(
        "Add a channel", list(_KINDS), format_func=_KINDS.__getitem__, key=f"{key}_kind"
    )
    with st.form(f"{key}_form"):
        st.text_input("Name *", key=f"{key}_name")
        if kind is ChannelKind.WEBHOOK:
            st.text_input("URL *", key=f"{key}_url")
            st.text_input(
                "Signing secret * (whsec_…, as the receiver has it)",
                key=f"{key}_signing_secret",
                type="password",
            )
        elif kind is ChannelKind.SLACK:
            st.text_input("Incoming-webhook URL *", key=f"{key}_webhook_url", type="password")
        else:
            st.text_input("SMTP host *", key=f"{key}_host")
            st.number_input("Port", value=587, min_value=1, max_value=65535, key=f"{key}_port")
            st.text_input("From *", key=f"{key}_sender")
            st.text_input("To (comma-separated) *", key=f"{key}_recipients")
            st.text_input("Username", key=f"{key}_username")
            st.text_input("Password", key=f"{key}_password", type="password")
            st.checkbox("STARTTLS", value=True, key=f"{key}_starttls")
        st.form_submit_button("Add channel", on_click=_add, args=(key, org, kind))
    feedback.show(key)
