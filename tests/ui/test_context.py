"""The dashboard's store handle: a fixed set of reader threads with one shared cache budget."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import streamlit as st

from core.store.sqlite import SqliteStore
from ui import context


def test_the_store_threads_share_one_connections_page_cache(
    isolated_environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TOOTHPICK_SQLITE_CACHE_MIB", "40")
    st.cache_resource.clear()
    try:
        handle = context.handle()
        store = handle.service.runtime.store
        assert isinstance(store, SqliteStore)
        sizes = {
            future.result()
            for future in [
                handle.threads.submit(
                    lambda: store._db.connection().execute("PRAGMA cache_size").fetchone()[0]
                )
                for _ in range(context.STORE_THREADS * 3)
            ]
        }
        # 40 MiB shared by the four readers: 10 MiB (in KiB, negative) each.
        assert sizes == {-(40 // context.STORE_THREADS) * 1024}
    finally:
        st.cache_resource.clear()


def test_area_calls_run_on_the_store_threads(isolated_environment: Path) -> None:
    st.cache_resource.clear()
    try:
        seen: list[str] = []
        service = context.service()
        area = service.connections
        assert type(area).__name__ == "_OnStoreThreads"  # the area is wrapped, not bare
        original = context.handle().service.connections.systems

        def systems() -> object:
            seen.append(threading.current_thread().name)
            return original()

        context.handle().service.connections.systems = systems  # type: ignore[method-assign,assignment]
        assert area.systems()
        assert seen and seen[0].startswith("toothpick-store")
    finally:
        st.cache_resource.clear()
