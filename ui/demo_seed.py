"""The demo's empty state: one button that loads the sandbox connections and history."""

from __future__ import annotations

import streamlit as st

from core.errors import ToothpickError
from core.schemas import ConnectionPublic
from ui import feedback, loaders
from ui.context import service, settings


def _seed(key: str, org: str) -> None:
    feedback.clear(key)
    try:
        report = service().admin.seed_demo(org)
    except ToothpickError as exc:
        feedback.put(key, feedback.Outcome(False, f"Loading the demo failed: {exc}"))
        return
    loaders.forget_writes()
    st.cache_data.clear()
    skipped = "".join(f" Skipped {name}: {why}." for name, why in report.skipped.items())
    feedback.put(
        key,
        feedback.Outcome(
            not report.skipped or bool(report.created),
            f"Loaded {len(report.created)} sandbox connections with {report.runs} past runs; "
            f"queued {report.queued} first syncs.{skipped}",
        ),
    )


def seed_button(prefix: str, org: str, connections: list[ConnectionPublic]) -> None:
    key = f"{prefix}_seed"
    if not connections and not settings().is_production:
        st.info(
            "This organisation has no connections yet. Load the demo: one sandbox connection "
            "per system, with 30 days of history, and a first real sync of each.",
            icon=":material/rocket_launch:",
        )
        st.button(
            "Load the demo connections",
            type="primary",
            key=f"{key}_button",
            on_click=_seed,
            args=(key, org),
            icon=":material/play_arrow:",
        )
    feedback.show(key)
