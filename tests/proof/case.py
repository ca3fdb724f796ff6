"""What each system contributes to the proofs: one ProofCase in tests/proof/cases/<system>.py.

The proofs themselves (tests/proof/test_*.py) are the same for every system:
they drive the real service, the real adapter and a real worker against the
sandbox over HTTP, and compare what ToothPick stores with the sandbox's truth
mapped through the adapter's own field map.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from core.models import Entity, System
from sandbox.control import TruthRecord
from sandbox.testing import RunningSandbox


@dataclass(frozen=True)
class ProofCase:
    system: System
    tenant: str  # a sandbox tenant whose data the proofs may change freely
    # Sandbox object behind each entity the proofs pull (one entity is enough; more is better).
    objects: Mapping[Entity, str]
    # Base record counts for the proof: enough for at least three pages at the adapter's page
    # size on the first entity, so faults can strike mid-pagination.
    scale: Mapping[str, int]
    # The connection form's values for this tenant of the running sandbox.
    connection_fields: Callable[[RunningSandbox], dict[str, Any]]
    # A truth record in the shape the vendor's API returns it (what the field map reads).
    api_shape: Callable[[TruthRecord], dict[str, Any]]
    # Vendor-side field changes (vendor field names) that change at least one mapped field.
    remote_edit: Callable[[Entity, TruthRecord], dict[str, Any]]
    # Entity for push and conflict proofs (writable), and a local edit of mapped fields.
    push_entity: Entity | None = None
    local_edit: Mapping[str, Any] = field(default_factory=dict)
    # Extra settings for the service (e.g. TOOTHPICK_CA_BUNDLE for a TLS-only vendor).
    environment: Callable[[RunningSandbox], dict[str, str]] = lambda _sandbox: {}

    @property
    def id(self) -> str:
        return self.system.value

    @property
    def first_entity(self) -> Entity:
        return next(iter(self.objects))


def all_cases() -> list[ProofCase]:
    """Every tests/proof/cases/<system>.py that defines CASE, in System order."""
    from tests.proof import cases

    found: dict[System, ProofCase] = {}
    for module in pkgutil.iter_modules(cases.__path__):
        loaded = importlib.import_module(f"tests.proof.cases.{module.name}")
        case = getattr(loaded, "CASE", None)
        if isinstance(case, ProofCase):
            found[case.system] = case
    return [found[s] for s in System if s in found]
