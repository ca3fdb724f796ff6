"""Held records: ToothPick's and the vendor's versions side by side, the differing
fields marked, resolved by taking one side or field by field."""

from __future__ import annotations

import json
from typing import Any

import streamlit as st

from core.errors import ToothpickError
from core.models import Conflict, ConflictKind, Resolution, Role
from ui import conflict_followup, feedback, loaders, navigate, systems
from ui import format as fmt
from ui.context import allows, service
from ui.text import h, md, shorten

DIFFERS = "≠ differs"


def _show(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def _choice(value: Any) -> str:
    """A value as a radio option (Markdown): escaped, so an e-mail address or a URL is
    not turned into a link, and cut to one readable line."""
    return md(shorten(_show(value), 200))


def kind_words(conflict: Conflict) -> str:
    """The queue's "Kind" column: a DELETE conflict is held for either side's deletion."""
    if conflict.deleted_in_toothpick:
        return "deleted in ToothPick, edited by vendor"
    return "deleted by vendor" if conflict.kind is ConflictKind.DELETE else "both changed"


def side_by_side(conflict: Conflict) -> list[tuple[str, str, str, bool]]:
    """(field, local, remote, differs) rows, the differing fields first."""
    local, remote = conflict.local or {}, conflict.remote or {}
    differing = set(conflict.differing_fields)
    names = sorted(local.keys() | remote.keys(), key=lambda n: (n not in differing, n))
    return [(n, _show(local.get(n)), _show(remote.get(n)), n in differing) for n in names]


def diff_html(rows: list[tuple[str, str, str, bool]]) -> str:
    """A table that scrolls sideways on a phone; differing rows are tinted *and* marked."""
    body = "".join(
        f'<tr class="{"tp-differs" if differs else ""}"><th scope="row">{h(name)}'
        f"{' <span class=tp-mark>' + DIFFERS + '</span>' if differs else ''}</th>"
        f"<td>{h(local)}</td><td>{h(remote)}</td></tr>"
        for name, local, remote, differs in rows
    )
    return (
        '<div class="tp-diff"><table><thead><tr><th scope="col">Field</th>'
        '<th scope="col">ToothPick (local)</th><th scope="col">Vendor (remote)</th></tr>'
        f"</thead><tbody>{body}</tbody></table></div>"
    )


def _resolve(
    key: str, org: str, conflict: Conflict, resolution: Resolution, by_field: bool = False
) -> None:
    feedback.clear(key)
    fields = None
    if by_field:
        state = st.session_state
        names = conflict.differing_fields
        picks = {n: state.get(f"{key}_pick_{conflict.id}_{n}") for n in names}
        fields = {name: "local" if side == "local" else "remote" for name, side in picks.items()}
    try:
        service().review.resolve_conflict(org, conflict.id, resolution, fields=fields)  # type: ignore[arg-type]
        after = ""
        if resolution is Resolution.LOCAL or (fields and "local" in fields.values()):
            after = "; " + conflict_followup.where_kept_goes(key, org, conflict)
    except ToothpickError as exc:
        feedback.put(key, feedback.Outcome(False, f"Resolving failed: {exc}"))
        return
    loaders.forget_writes()
    # The row stays selected otherwise, and the next conflict would open in its place.
    navigate.forget_selection(key.removesuffix("_resolve"))
    words = {
        Resolution.LOCAL: "kept ToothPick's version",
        Resolution.REMOTE: "took the vendor's version",
        Resolution.MERGED: "kept the chosen value of each field",
        Resolution.APPROVE_DELETE: "approved the deletion",
        Resolution.REJECT_DELETE: "kept the record",
    }
    feedback.put(
        key,
        feedback.Outcome(
            True,
            f"Resolved {conflict.entity.value} {conflict.external_id}: {words[resolution]}{after}.",
        ),
    )


def detail(prefix: str, org: str, conflict: Conflict, connection_name: str) -> None:
    key = f"{prefix}_resolve"
    st.markdown(
        f"{systems.badge_html(conflict.system)} **{conflict.entity.value} "
        f"{md(conflict.external_id)}** on {md(connection_name)}",
        unsafe_allow_html=True,
    )
    st.caption(
        f"ToothPick changed it {fmt.relative(conflict.local_changed_at)}, the vendor "
        f"{fmt.relative(conflict.remote_changed_at)}; held {fmt.relative(conflict.detected_at)}. "
        f"Rows marked “{DIFFERS}” disagree."
    )
    if conflict.deleted_in_toothpick:
        st.warning(
            "Deleted in ToothPick, and edited at the vendor since. Approving deletes it at "
            "the vendor on the next sync; keeping it restores the vendor's version here.",
            icon=":material/delete:",
        )
    elif conflict.kind is ConflictKind.DELETE:
        st.warning(
            "The vendor deleted this record; the connection holds deletions for approval.",
            icon=":material/delete:",
        )
    st.markdown(diff_html(side_by_side(conflict)), unsafe_allow_html=True)
    if not allows(Role.OPERATOR):
        st.caption("Resolving a conflict needs the operator role.")
        return
    with st.container(horizontal=True, key=f"{key}_buttons"):
        if conflict.kind is ConflictKind.DELETE:
            choices = [
                ("Approve the deletion", Resolution.APPROVE_DELETE),
                ("Keep the record", Resolution.REJECT_DELETE),
            ]
        else:
            choices = [
                ("Keep ToothPick's version", Resolution.LOCAL),
                ("Take the vendor's version", Resolution.REMOTE),
            ]
        for label, resolution in choices:
            st.button(
                label,
                key=f"{key}_{resolution.value}_{conflict.id}",
                on_click=_resolve,
                args=(key, org, conflict, resolution),
            )
    if conflict.kind is ConflictKind.UPDATE and conflict.differing_fields:
        local, remote = conflict.local or {}, conflict.remote or {}
        with st.form(f"{key}_fields_{conflict.id}"):
            st.markdown("**Field by field**")
            for name in conflict.differing_fields:
                sides = {
                    "local": f"ToothPick: {_choice(local.get(name))}",
                    "remote": f"Vendor: {_choice(remote.get(name))}",
                }
                st.radio(
                    md(name),
                    list(sides),
                    format_func=sides.__getitem__,
                    key=f"{key}_pick_{conflict.id}_{name}",
                    horizontal=True,
                )
            st.form_submit_button(
                "Apply these choices",
                type="primary",
                on_click=_resolve,
                args=(key, org, conflict, Resolution.MERGED, True),
            )
