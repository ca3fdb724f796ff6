"""The process's long-lived parts (settings, store, vault), opened once per process.

Every entry point (dashboard, API, CLI, scheduler, worker) builds one Runtime
and hands it to IntegrationService; nothing else opens stores or key rings.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.budgets import Budgets
from core.keys import load_key_ring
from core.marks import Marks, RedisMarks, open_marks
from core.settings import Settings, load_settings
from core.store import open_store
from core.store.base import Store
from core.taskqueue import RunQueue
from core.vault import Vault


@dataclass
class Runtime:
    settings: Settings
    store: Store
    vault: Vault
    queue: RunQueue | None = None  # REDIS_URL set: runs are also published to Dramatiq
    marks: Marks | None = None  # replay and rate-limit marks; None: kept in the store
    budgets: Budgets | None = None  # vendor accounts' shared limits (None: per adapter)

    @classmethod
    def open(cls, settings: Settings | None = None) -> Runtime:
        settings = settings or load_settings()
        vault = Vault(load_key_ring(settings))
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        store = open_store(settings)
        return cls(
            settings=settings,
            store=store,
            vault=vault,
            queue=RunQueue.from_settings(settings),
            marks=open_marks(settings, store),
            budgets=Budgets.from_settings(settings),
        )

    def close(self) -> None:
        if self.queue is not None:
            self.queue.close()
        if isinstance(self.marks, RedisMarks):
            self.marks.close()
        if self.budgets is not None:
            self.budgets.close()
        self.store.close()
