"""Vendor calls from the dashboard (test a connection, discover fields) on threads of
their own, behind a visible "Testing…".

The store threads (ui.context) are a fixed handful shared by every session for quick
store reads; a vendor call can wait seconds on a host that does not answer. Run there,
one unreachable host held a store thread for its whole retry budget and greyed out every
page. Here it runs on a separate small pool (each thread keeps its own store
connection, so the pool is kept small), with the service's interactive limits: one
attempt, 3 s to connect, 10 s to answer.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import streamlit as st

from core.service import IntegrationService
from ui.context import checked

VENDOR_THREADS = 2
T = TypeVar("T")


def _shut_down(threads: ThreadPoolExecutor) -> None:
    threads.shutdown(wait=False, cancel_futures=True)


@st.cache_resource(show_spinner=False, on_release=_shut_down)
def _threads() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=VENDOR_THREADS, thread_name_prefix="toothpick-vendor")


def run(call: Callable[[IntegrationService], T], *, doing: str = "Testing…") -> T:
    """`call(service)` on a vendor thread, with `doing` shown until it answers."""
    service = checked()  # role-checked in production, run on the vendor thread
    with st.spinner(doing):
        return _threads().submit(call, service).result()
