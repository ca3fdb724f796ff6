"""Every contract test runs once per Store implementation: `sqlite` and `mongo`.

sqlite: a fresh database file in the test's tmp_path.

mongo: provided by tests/support/mongo.py, which the MongoDB store's author
owns. This conftest uses, from that module:
- `mongo_store` (required): a pytest fixture yielding a fresh MongoStore on an
  empty database and calling `pytest.skip(reason)` when no MongoDB-wire
  server can be started; a plain zero-argument function returning a fresh
  MongoStore is accepted too (it is closed after the test);
- `mongo_store_opener` (optional): a pytest fixture returning a picklable
  zero-argument callable that opens a *new* MongoStore on one fresh database
  each time it is called; only the multi-process claim test needs it.
Until that module exists, the mongo half is skipped with the reason shown.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from core.store.base import Store
from core.store.sqlite import SqliteStore

StoreOpener = Callable[[], Store]


def _load_mongo_support() -> tuple[ModuleType | None, str]:
    try:
        return importlib.import_module("tests.support.mongo"), ""
    except ModuleNotFoundError as exc:
        if exc.name == "tests.support.mongo":
            return None, "tests/support/mongo.py does not exist yet (the MongoStore's own helper)"
        return None, f"tests/support/mongo.py cannot be imported: {exc}"
    except Exception as exc:  # its failure must never break the SQLite half of the suite
        return None, f"tests/support/mongo.py failed on import: {exc!r}"


_MONGO_SUPPORT, _MONGO_MISSING = _load_mongo_support()
# Re-exported so that pytest registers the support module's fixtures for this directory.
if _MONGO_SUPPORT is not None:
    for _name in ("mongo_store", "mongo_store_opener"):
        if hasattr(_MONGO_SUPPORT, _name):
            globals()[_name] = getattr(_MONGO_SUPPORT, _name)


@pytest.fixture(
    params=[pytest.param("sqlite"), pytest.param("mongo", marks=pytest.mark.mongo)],
)
def backend(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    if name == "mongo" and _MONGO_SUPPORT is None:
        pytest.skip(_MONGO_MISSING)
    return name


def _sqlite_path(tmp_path: Path) -> Path:
    return tmp_path / "contract" / "toothpick.db"


@pytest.fixture
def store(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if backend == "sqlite":
        sqlite_store = SqliteStore.open(_sqlite_path(tmp_path))
        yield sqlite_store
        sqlite_store.close()
        return
    provided: Any = getattr(_MONGO_SUPPORT, "mongo_store", None)
    if provided is None:
        pytest.skip("tests/support/mongo.py defines no `mongo_store`")
    try:
        yield request.getfixturevalue("mongo_store")
        return
    except pytest.FixtureLookupError:
        pass  # a plain factory function, not a fixture
    mongo_store: Store = provided()
    yield mongo_store
    mongo_store.close()


@pytest.fixture
def store_opener(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> StoreOpener:
    """A picklable callable opening a new handle on one fresh database (for child processes)."""
    if backend == "sqlite":
        return functools.partial(SqliteStore.open, _sqlite_path(tmp_path))
    if not hasattr(_MONGO_SUPPORT, "mongo_store_opener"):
        pytest.skip("tests/support/mongo.py defines no `mongo_store_opener` fixture")
    opener: StoreOpener = request.getfixturevalue("mongo_store_opener")
    return opener
