"""IntegrationService: the one facade of the product.

The dashboard, the REST API, the CLI, the scheduler and the workers call this
and nothing below it. Every call that touches tenant data takes the
organisation id and refuses another organisation's objects (NotFoundError, so
existence is not revealed). Areas live in core/services/ and are composed
here so the facade stays one object:

- connections: systems, connect / test / update / enable / delete;
- syncs: queue a run, runs, cancel, execute a claimed run (workers);
- monitoring: outcomes and alerts, status cards, logs, exports, KPIs, retention;
- review: local records and edits, conflicts and their resolution;
- admin: key rotation, credential and log imports.
"""

from __future__ import annotations

from core.runtime import Runtime
from core.services.admin import AdminService
from core.settings import Settings


class IntegrationService(AdminService):
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    @classmethod
    def open(cls, settings: Settings | None = None) -> IntegrationService:
        return cls(Runtime.open(settings))

    @property
    def settings(self) -> Settings:
        return self.runtime.settings

    def close(self) -> None:
        self.runtime.close()
