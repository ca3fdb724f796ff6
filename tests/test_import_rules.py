"""The import rules of DESIGN.md, checked over the source tree's import graph.

- The entry points (pages/, ui/, streamlit_app.py, api/, core/cli, core/worker.py,
  core/scheduler.py) import only `core.service` and core's public types
  (PUBLIC_CORE), their own package, and the few extras named in EXTRAS.
- Adapters never import the store, the service or its areas.
- Product code never imports `sandbox`; `toothpick sandbox` (core.cli.sandbox),
  the command that starts it, is the one exception.

An AST walk rather than import-linter: no extra tool, and it sees imports made
inside functions and under TYPE_CHECKING as well.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# What the entry points may import from core: the facade and the public value types.
PUBLIC_CORE = (
    "core.service",
    "core.schemas",
    "core.models",
    "core.errors",
    "core.settings",
    "core.clock",
    # Pure text helpers (no store, no state): how every entry point shows data and
    # tells an input error, the same way everywhere.
    "core.text_safety",
    "core.validation",
    "core.wording",
)
FIRST_PARTY = ("core", "adapters", "sandbox", "ui", "pages", "api", "streamlit_app")
# Entry point (module prefix) -> what it may import besides PUBLIC_CORE.
ENTRY_POINTS: dict[str, tuple[str, ...]] = {
    "pages": ("ui",),
    "ui": ("ui",),
    "streamlit_app": ("ui",),
    "api": ("api",),
    "core.cli": ("core.cli",),
    "core.worker": (),
    "core.scheduler": (),
}
# Named exceptions, each with its reason.
EXTRAS: dict[str, tuple[str, ...]] = {
    "core.cli": (
        "core.worker",  # `toothpick worker` and inline syncs run the worker
        "core.scheduler",  # `toothpick scheduler` runs the scheduler
        "core.redaction",  # every command logs through the redacting filter
        "core.notify.dispatcher",  # `toothpick worker` empties the notification outbox
        "core.taskqueue",  # `toothpick worker` consumes Dramatiq messages when REDIS_URL is set
    ),
    "ui.context": ("core.permissions",),  # each call a page makes is checked against the roles
    "ui.login": ("core.oidc",),  # an OIDC identity mapped to its organisation and role
    "core.cli.keys": ("core.vault",),  # `generate-key` makes a key; it needs no store
    "core.cli.sandbox": ("sandbox",),  # `toothpick sandbox` starts the simulators
    "core.scheduler": ("core.schedule",),  # cron arithmetic for APScheduler triggers
    # the worker tunes malloc, the GC and SQLite's caches
    "core.worker": ("core.malloc", "core.gc_tuning", "core.sqlite_heap"),
}
ADAPTERS_NEVER = ("core.store", "core.service", "core.services", "core.sync")
PRODUCT = ("core", "adapters", "ui", "pages", "api", "streamlit_app")


def _within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(root: Path, path: Path) -> Iterator[tuple[int, str]]:
    """(line, imported name) for every import in a file; `from a import b` gives a.b."""
    module = module_name(root, path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                yield node.lineno, f"{base}.{alias.name}" if alias.name != "*" else base


def _allowed_for(module: str) -> tuple[str, ...] | None:
    """What an entry-point module may import (None: the module is no entry point)."""
    entry = next((e for e in ENTRY_POINTS if _within(module, (e,))), None)
    if entry is None:
        return None
    extras = [x for key, names in EXTRAS.items() if _within(module, (key,)) for x in names]
    return (*PUBLIC_CORE, *ENTRY_POINTS[entry], *extras)


def violations(root: Path) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        module = module_name(root, path)
        if not _within(module, PRODUCT) or ".venv" in path.parts:
            continue
        allowed = _allowed_for(module)
        sandbox_ok = _within(module, ("core.cli.sandbox",))
        for line, name in imports(root, path):
            if not _within(name, FIRST_PARTY):
                continue
            where = f"{path.relative_to(root)}:{line}"
            if _within(name, ("sandbox",)) and not sandbox_ok:
                found.append(f"{where}: product code imports {name}")
            elif allowed is not None and not _within(name, allowed):
                found.append(f"{where}: {module} may import only core.service and public types,"
                             f" not {name}")  # fmt: skip
            elif _within(module, ("adapters",)) and _within(name, ADAPTERS_NEVER):
                found.append(f"{where}: an adapter imports {name}")
    return found


def test_the_source_tree_keeps_the_import_rules() -> None:
    assert violations(REPO) == []


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


@pytest.mark.parametrize(
    ("name", "text", "complaint"),
    [
        ("ui/kpis.py", "from core.store.queries import KpiRow\n", "not core.store.queries"),
        ("pages/logs.py", "from adapters.base import SystemInfo\n", "not adapters.base"),
        ("core/worker.py", "def f():\n    from core.store import open_store\n", "core.store"),
        ("core/scheduler.py", "import core.services.syncs\n", "not core.services.syncs"),
        ("core/cli/sync.py", "from core.sync import RunOutcome\n", "not core.sync.RunOutcome"),
        ("ui/loaders.py", "from ..core import runtime\n", "not core.runtime"),
        ("adapters/hubspot.py", "from core.store.base import Store\n", "adapter imports"),
        ("adapters/sap.py", "from core.service import IntegrationService\n", "adapter imports"),
        ("core/services/demo.py", "import sandbox.core.server\n", "imports sandbox"),
        ("core/cli/demo.py", "from sandbox.core import config\n", "imports sandbox"),
    ],
)
def test_a_wrong_import_is_named(tmp_path: Path, name: str, text: str, complaint: str) -> None:
    _tree(tmp_path, {"ui/__init__.py": "", name: text})
    found = violations(tmp_path)
    assert len(found) == 1 and complaint in found[0] and name in found[0], found


def test_public_imports_and_the_named_exceptions_pass(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        {
            "ui/kpis.py": "from core.schemas import KpiRow\nfrom ui import format\n",
            "pages/logs.py": "from core.service import IntegrationService\nimport streamlit\n",
            "core/cli/sandbox.py": "def f():\n    from sandbox.core.server import Server\n",
            "core/cli/keys.py": "from core.vault import generate_key\n",
            "core/services/syncs.py": "from core.store.base import Store\n",
            "adapters/sap.py": "from core.schemas import SystemInfo\nfrom core.errors import X\n",
            "tests/test_x.py": "import sandbox\nfrom core.store import open_store\n",
        },
    )
    assert violations(tmp_path) == []
