"""After "Keep ToothPick's version" on a connection that only pulls: say that the
kept values will not reach the vendor by themselves, and offer the two ways they
can (push them now, or turn on two-way sync)."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from core.errors import RunAlreadyActiveError, ToothpickError
from core.models import Conflict, Direction, Entity, Role, SyncOptions
from core.schemas import ConnectionUpdate
from ui import feedback, loaders
from ui.context import allows, service


@dataclass(frozen=True)
class Unpushed:
    connection_id: str
    connection_name: str
    entity: Entity
    record: str


def _key(key: str) -> str:
    return f"{key}_unpushed"


def where_kept_goes(key: str, org: str, conflict: Conflict) -> str:
    """Where ToothPick's kept values go, in words; remembers them when nothing will push them."""
    st.session_state.pop(_key(key), None)
    connection = service().connections.get_connection(org, conflict.connection_id)
    if connection.direction is not Direction.PULL:
        return "ToothPick's values are pushed to the vendor on the next sync"
    st.session_state[_key(key)] = Unpushed(
        connection.id, connection.name, conflict.entity, conflict.external_id
    )
    return (
        "ToothPick's values stay in ToothPick only: this connection only pulls, so the "
        "vendor keeps its own until you push them"
    )


def _push_now(key: str, org: str, unpushed: Unpushed) -> None:
    feedback.clear(key)
    options = SyncOptions(direction=Direction.PUSH, entities=[unpushed.entity])
    try:
        service().syncs.queue_sync(org, unpushed.connection_id, options)
    except RunAlreadyActiveError as exc:
        feedback.put(key, feedback.Outcome(False, f"Not queued: {exc}"))
        return
    except ToothpickError as exc:
        feedback.put(key, feedback.Outcome(False, f"Queueing the push failed: {exc}"))
        return
    st.session_state.pop(_key(key), None)
    loaders.forget_writes()
    feedback.put(
        key,
        feedback.Outcome(
            True,
            f"Queued a push of {unpushed.entity.value} changes to “{unpushed.connection_name}”; "
            "the Sync page follows it.",
        ),
    )


def _two_way(key: str, org: str, unpushed: Unpushed) -> None:
    feedback.clear(key)
    try:
        service().connections.update_connection(
            org, unpushed.connection_id, ConnectionUpdate(direction=Direction.BOTH)
        )
    except ToothpickError as exc:
        feedback.put(key, feedback.Outcome(False, f"Turning on two-way sync failed: {exc}"))
        return
    st.session_state.pop(_key(key), None)
    loaders.forget_writes()
    feedback.put(
        key,
        feedback.Outcome(
            True,
            f"“{unpushed.connection_name}” now syncs both ways: kept values are pushed "
            "on its next sync.",
        ),
    )


def offer(key: str, org: str) -> None:
    """The two buttons, while a local choice waits on a pull-only connection."""
    unpushed: Unpushed | None = st.session_state.get(_key(key))
    if unpushed is None or not allows(Role.OPERATOR):
        return
    with st.container(border=True, key=f"{key}_unpushed_box"):
        st.text(
            f"{unpushed.entity.value} {unpushed.record}: ToothPick's value is not on the "
            f"vendor side. “{unpushed.connection_name}” only pulls."
        )
        with st.container(horizontal=True, key=f"{key}_unpushed_actions"):
            st.button(
                "Push it now",
                key=f"{key}_push_now",
                type="primary",
                icon=":material/upload:",
                on_click=_push_now,
                args=(key, org, unpushed),
            )
            st.button(
                "Turn on two-way sync",
                key=f"{key}_two_way",
                icon=":material/sync_alt:",
                on_click=_two_way,
                args=(key, org, unpushed),
            )
            st.button(
                "Leave it in ToothPick only",
                key=f"{key}_leave",
                on_click=lambda: st.session_state.pop(_key(key), None),
            )
