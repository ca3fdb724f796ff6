"""The dashboard's handle on the product: one cached service per store, the
organisation it acts for, and errors shown in words.

`st.cache_resource` keeps one IntegrationService per process and store (the
handle is never mutated; it is shared by every session). Loaders are keyed by
`store_key()` as well, so two data directories never share cached results.

Every service call runs on a few long-lived "store threads". Streamlit runs each
page run and fragment rerun in a thread of its own, and the SQLite store keeps one
connection (with its own page cache) per thread: called directly, every run would
open a fresh connection with a cold cache, and the process's memory would creep up
run after run. Through the store threads the dashboard holds a fixed handful of
warm connections, whatever the traffic, and they share one connection's page-cache
budget (TOOTHPICK_SQLITE_CACHE_MIB), so the process stays the same size however
large the log grows.

In production every call through `service()` is checked against the signed-in
person's role first (core/permissions.py): the check sits where the pages call
the product, so a hidden button is not the only thing between a viewer and a write.
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import streamlit as st
from pydantic import ValidationError

from core import permissions
from core.errors import ToothpickError
from core.models import Role
from core.service import AREAS, IntegrationService
from core.settings import Settings, load_settings
from core.validation import describe_validation
from ui.text import md

STORE_THREADS = 4
TOKEN_KEY = "login_token"  # the hub session token (ui.login)
T = TypeVar("T")
Guard = Callable[[str, str], None]


@dataclass(frozen=True)
class Handle:
    service: IntegrationService
    threads: ThreadPoolExecutor

    def run(self, call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """`call` on a store thread; its exception, if any, is raised here."""
        return self.threads.submit(call, *args, **kwargs).result()


class _OnStoreThreads:
    """The service (or one of its areas), with each method call checked by `guard` (in
    production) and made on a store thread (unless `threaded` is False)."""

    def __init__(
        self,
        handle: Handle,
        target: object | None = None,
        *,
        area: str = "",
        guard: Guard | None = None,
        threaded: bool = True,
    ) -> None:
        self._handle = handle
        self._target = handle.service if target is None else target
        self._area, self._guard, self._threaded = area, guard, threaded

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        if self._target is self._handle.service and name in AREAS:
            return _OnStoreThreads(
                self._handle, value, area=name, guard=self._guard, threaded=self._threaded
            )
        if not callable(value):
            return value
        guard, area, threaded = self._guard, self._area, self._threaded

        def on_store_thread(*args: Any, **kwargs: Any) -> Any:
            if guard is not None:
                guard(area, name)
            return self._handle.run(value, *args, **kwargs) if threaded else value(*args, **kwargs)

        return on_store_thread


def _close(handle: Handle) -> None:
    handle.threads.shutdown(wait=True)
    handle.service.close()


@st.cache_resource(max_entries=4, show_spinner="Opening the store…", on_release=_close)
def _open(store_key: str) -> Handle:
    del store_key  # only part of the cache key
    threads = ThreadPoolExecutor(max_workers=STORE_THREADS, thread_name_prefix="toothpick-store")
    settings = load_settings()
    shared = settings.model_copy(
        update={"sqlite_cache_mib": max(1, settings.sqlite_cache_mib // STORE_THREADS)}
    )
    return Handle(threads.submit(IntegrationService.open, shared).result(), threads)


def _store_key(settings: Settings) -> str:
    mongo = settings.mongodb_uri.get_secret_value() if settings.mongodb_uri else ""
    digest = hashlib.sha256(mongo.encode()).hexdigest()[:12] if mongo else "sqlite"
    return f"{settings.data_dir.resolve()}|{digest}|{settings.mongodb_database}"


def _read_from() -> tuple[object, ...]:
    """What the settings are read from: the environment, the working directory, its .env."""
    try:
        found = os.stat(".env")
        dotenv: tuple[int, int] | None = (found.st_mtime_ns, found.st_size)
    except OSError:
        dotenv = None
    return tuple(sorted(os.environ.items())), os.getcwd(), dotenv


# Reading the settings (pydantic-settings over the environment and .env) and resolving
# the data directory took a quarter of a page's server time, as every service() call
# did both. They are read again only when what they are read from changes; the cache
# holds values, not sessions' state, so all sessions may share it.
@functools.lru_cache(maxsize=4)
def _settings(read_from: tuple[object, ...]) -> Settings:
    del read_from  # only the cache key
    return load_settings()


@functools.lru_cache(maxsize=4)
def _key(read_from: tuple[object, ...]) -> str:
    return _store_key(_settings(read_from))


def settings() -> Settings:
    return _settings(_read_from())


def store_key() -> str:
    """Identifies the store this process reads (part of every loader's cache key)."""
    return _key(_read_from())


def handle() -> Handle:
    """The service itself and its store threads (to run several calls side by side)."""
    return _open(store_key())


def role() -> Role | None:
    """The signed-in person's role, from the session token as the store knows it *now*
    (None before sign-in). Development: one local admin.

    Read at every use rather than kept from the sign-in check: button callbacks run
    before the script (and its sign-in check), so a role kept from the previous run
    could outlive a revoked session or a disabled user by one click."""
    if not load_settings().is_production:
        return Role.ADMIN
    from ui import login  # login builds on this module

    return login.current_role()


def allows(needed: Role) -> bool:
    """Whether to offer an action at all (the service call is checked regardless)."""
    current = role()
    return current is not None and current.allows(needed)


def may(area: str, method: str) -> bool:
    """Whether to offer the action that makes this service call, by the same table the
    call is checked against (core/permissions.py), so the offer and the check agree."""
    needed = permissions.REQUIRED.get(area, {}).get(method)
    return needed is not None and allows(needed)


def _guard() -> Guard | None:
    if not load_settings().is_production:
        return None
    known: list[Role | None] = []

    def check(area: str, method: str) -> None:
        if (area, method) in permissions.BEFORE_SIGN_IN:
            return
        if not known:
            known.append(role())
        permissions.check(known[0], area, method)

    return check


def service() -> IntegrationService:
    """The service, every call of which runs on a store thread (role-checked in production)."""
    return cast(IntegrationService, _OnStoreThreads(handle(), guard=_guard()))


def checked() -> IntegrationService:
    """The service with every call role-checked (in production), run where it is made."""
    return cast(IntegrationService, _OnStoreThreads(handle(), guard=_guard(), threaded=False))


def organisation() -> str:
    return settings().organisation


@contextmanager
def shown_errors(action: str) -> Iterator[None]:
    """Run a block; a ToothpickError or bad input becomes one error message in words."""
    try:
        yield
    except ToothpickError as exc:
        st.error(md(f"{action} failed: {exc}"), icon=":material/error:")
    except ValidationError as exc:
        st.error(md(f"{action} failed: {describe_validation(exc)}"), icon=":material/error:")


def open_or_stop() -> IntegrationService:
    """The service, or a readable message and a stopped page when it cannot open."""
    try:
        return service()
    except ToothpickError as exc:
        st.error(md(f"The dashboard cannot reach its store: {exc}"), icon=":material/error:")
        st.stop()
        raise  # st.stop() raises; this keeps type checkers content
