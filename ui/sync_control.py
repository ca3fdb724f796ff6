"""The manual sync control (the seed's ManualSyncButton with its advanced options):
queue a run, follow it live until it ends, cancel it."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import streamlit as st
from pydantic import ValidationError

from core.errors import RunAlreadyActiveError, ToothpickError
from core.models import ConflictPolicy, Direction, Role, SyncOptions, SyncRun
from core.schemas import ConnectionPublic, SystemInfo
from ui import feedback, loaders, run_view
from ui.context import allows, service, shown_errors
from ui.settings_inputs import DIRECTIONS, POLICIES
from ui.text import md

_MODES = (
    "Incremental: changes since the last sync",
    "Full: read everything again",
    "Reconcile: compare with the vendor's counts, repair what differs",
)


def run_key(prefix: str) -> str:
    return f"{prefix}_run"


def _queue(prefix: str, org: str, connection: ConnectionPublic) -> None:
    key = f"{prefix}_{connection.id}"
    feedback.clear(key)
    state = st.session_state
    since: date | None = state.get(f"{key}_since")
    try:
        options = SyncOptions(
            entities=list(state[f"{key}_entities"]) or None,
            direction=state[f"{key}_direction"],
            full=state[f"{key}_mode"] == _MODES[1],
            reconcile=state[f"{key}_mode"] == _MODES[2],
            dry_run=bool(state[f"{key}_dry"]),
            conflict_policy=state[f"{key}_policy"],
            modified_since=datetime.combine(since, time.min, tzinfo=UTC) if since else None,
        )
        run = service().syncs.queue_sync(org, connection.id, options)
    except RunAlreadyActiveError as exc:
        state[run_key(prefix)] = exc.run_id
        feedback.put(key, feedback.Outcome(False, str(exc)))
        return
    except (ToothpickError, ValidationError) as exc:
        feedback.failed(key, "Queueing the sync", exc)
        return
    state[run_key(prefix)] = run.id
    loaders.forget_writes()
    kind = "dry run" if options.dry_run else "reconciliation" if options.reconcile else "sync"
    feedback.put(key, feedback.Outcome(True, f"Queued a {kind} of “{connection.name}”."))


def options_form(prefix: str, org: str, connection: ConnectionPublic, info: SystemInfo) -> None:
    key = f"{prefix}_{connection.id}"
    if not allows(Role.OPERATOR):
        st.caption("Starting a sync needs the operator role.")
        return
    with st.form(f"{key}_form"):
        st.multiselect(
            "Entities",
            info.supported_entities,
            format_func=lambda e: e.value,
            key=f"{key}_entities",
            placeholder=f"The connection's own: {', '.join(e.value for e in connection.entities)}",
        )
        left, right = st.columns(2)
        left.selectbox(
            "Direction",
            [None, *Direction],
            format_func=lambda d: (
                f"The connection's own ({connection.direction.value})"
                if d is None
                else DIRECTIONS[d]
            ),
            key=f"{key}_direction",
        )
        right.selectbox(
            "When both sides changed",
            [None, *ConflictPolicy],
            format_func=lambda p: (
                f"The connection's own ({POLICIES[connection.conflict_policy].lower()})"
                if p is None
                else POLICIES[p]
            ),
            key=f"{key}_policy",
        )
        st.radio("Mode", _MODES, key=f"{key}_mode", horizontal=True)
        left, right = st.columns(2)
        left.date_input(
            "Only records modified since (optional)",
            value=None,
            key=f"{key}_since",
            help="Overrides the incremental position for this run (UTC midnight).",
        )
        right.checkbox(
            "Dry run: report what would change, write nothing",
            key=f"{key}_dry",
        )
        st.form_submit_button(
            "Sync now",
            key=f"{key}_sync",
            type="primary",
            icon=":material/sync:",
            on_click=_queue,
            args=(prefix, org, connection),
        )
    feedback.show(key)


def _cancel(org: str, run_id: str) -> None:
    with shown_errors("Cancelling the run"):
        service().syncs.cancel_run(org, run_id)
        loaders.forget_writes()


def _watched(prefix: str, org: str, connection_id: str) -> SyncRun | None:
    """The connection's active run, else the last run this session queued for it."""
    latest = service().syncs.list_runs(org, connection_id=connection_id, limit=1).items
    if latest and latest[0].state.is_active:
        return latest[0]
    run_id: str | None = st.session_state.get(run_key(prefix))
    if run_id:
        run = service().syncs.get_run(org, run_id)
        if run.connection_id == connection_id:
            return run
    return None


def live_run(prefix: str, org: str, connection_id: str, *, every_s: float = 1.5) -> None:
    """Live progress of the watched run while it is active, then its summary."""
    with shown_errors("Reading the run"):
        watched = _watched(prefix, org, connection_id)
        if watched is None:
            return
        run_id, watched_active = watched.id, watched.state.is_active

        @st.fragment(run_every=every_s if watched_active else None)
        def _live() -> None:
            try:
                run = service().syncs.get_run(org, run_id)
            except ToothpickError as exc:
                st.error(md(f"Reading the run failed: {exc}"), icon=":material/error:")
                return
            if watched_active and run.state.is_finished:
                loaders.forget_writes()
                st.rerun()  # the whole page: the history and cards show the ended run
            with st.container(border=True, key=f"{prefix}_live"):
                if run.state.is_active:
                    earlier = service().syncs.list_runs(org, connection_id=run.connection_id)
                    run_view.progress(run, prefix, earlier.items)
                    if not run.cancel_requested and allows(Role.OPERATOR):
                        st.button(
                            "Cancel run",
                            key=f"{prefix}_cancel",
                            on_click=_cancel,
                            args=(org, run.id),
                            icon=":material/cancel:",
                        )
                else:
                    run_view.summary(run)

        _live()
