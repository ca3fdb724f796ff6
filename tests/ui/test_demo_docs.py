"""The demo's Architecture tab claims only what exists: each claim checked against the code."""

from __future__ import annotations

import re
from pathlib import Path

from api.routers import syncs, webhooks
from core.cli import app as cli
from core.cli import processes  # noqa: F401  (registers `toothpick worker`)
from core.models import ConflictPolicy, System
from core.models.notification import ChannelKind
from core.service import AREAS, IntegrationService
from core.settings import Settings
from ui.demo_docs import FLOW, architecture

ROOT = Path(__file__).resolve().parents[2]


def test_every_path_in_the_diagram_exists() -> None:
    text = architecture()
    paths = set(re.findall(r"\b(?:adapters|core|api|sandbox)(?:/[\w.]+)*/?", text))
    assert {"core/sync", "core/store", "core/service.py", "api/", "sandbox/"} <= paths
    for path in paths - {"adapters/"}:
        assert (ROOT / path).exists(), path
    for system in System:
        assert (ROOT / "adapters" / f"{system.value}.py").exists(), system


def test_the_areas_are_the_facades_own() -> None:
    shown = re.findall(r"\.(\w+)", architecture().split("areas:")[1].split(")")[0])
    assert shown == list(AREAS)
    assert all(hasattr(IntegrationService, a) or a in IntegrationService.__annotations__
               for a in AREAS)  # fmt: skip


def test_the_flows_claims_match_the_code() -> None:
    routes = {getattr(r, "path", "") for r in [*webhooks.router.routes, *syncs.router.routes]}
    assert "/api/webhooks/{system}/{connection_id}" in routes and "/api/integrations/sync" in routes
    assert "POST /api/webhooks/{system}/{connection}" in FLOW
    assert Settings.model_fields["sync_interval_hours"].default == 6.0 and "every 6 h" in FLOW
    assert Settings.model_fields["redis_url"].alias == "REDIS_URL" and "Dramatiq" in FLOW
    assert "import dramatiq" in (ROOT / "core" / "taskqueue.py").read_text()  # imported lazily
    assert "worker" in {c.name for c in cli.registered_commands}
    assert {p.value for p in ConflictPolicy} == {"timestamp", "manual", "skip"}
    assert {k.value for k in ChannelKind} == {"webhook", "slack", "email"}
