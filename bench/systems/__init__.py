"""One module per system for bench/sync_bench.py: `def profile() -> BenchSystem`.

A profile says how a hand-written loop pages the same endpoint our adapter reads
(first request, next request, where the records sit), which dlt paginator walks
it, and which connection form values the benchmark uses (production page sizes;
the vendor's rate limit lifted on both sides, so the engine is what is measured).
Everything else (the sandbox tenant, the credentials, vendor-side edits) comes
from the system's proof case in tests/proof/cases/.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from adapters.base_adapter import BaseAdapter
from adapters.paging import PageRequest
from core.models import Entity
from sandbox.testing import RunningSandbox
from tests.proof.case import ProofCase


@dataclass(frozen=True)
class BenchSystem:
    case: ProofCase  # tenant, credentials, environment, vendor-side edits
    entity: Entity  # the one object measured
    fields: Callable[[RunningSandbox], dict[str, Any]]  # the connection form for the benchmark
    first_request: Callable[[BaseAdapter], PageRequest]  # the adapter's own first page
    next_request: Callable[[PageRequest, Any], PageRequest | None]  # from a decoded page
    records_path: str  # dotted path of the records in a page
    dlt_paginator: Callable[[], Any]  # a dlt.sources.helpers.rest_client paginator
    limits: Mapping[str, Any] = field(default_factory=dict)  # sandbox set_limits(...)
    # bench/push_bench.py: the canonical data of the n-th new record to push (None: this
    # system's profile does not take part in the push benchmark yet)
    push_record: Callable[[int], dict[str, Any]] | None = None

    @property
    def object(self) -> str:
        return self.case.objects[self.entity]


def new_contact(n: int) -> dict[str, Any]:
    """A valid new contact for every CRM (first and last name, a unique e-mail)."""
    return {
        "first_name": f"Bench{n}",
        "last_name": f"Push{n}",
        "email": f"bench.push.{n}@example.com",
    }


def profiles() -> dict[str, Callable[[], BenchSystem]]:
    """system name -> its profile function, for every module in this package."""
    from bench import systems

    found = {}
    for module in pkgutil.iter_modules(systems.__path__):
        loaded = importlib.import_module(f"bench.systems.{module.name}")
        if callable(getattr(loaded, "profile", None)):
            found[module.name] = loaded.profile
    return found
