"""The sandbox's whole runtime state, shared by the simulators and the control API.

Everything runs on the server's event loop thread (the webhook sender is the only
other thread and only reads its own queue), so nothing here takes locks. Tests
change state through the control API, never by reaching into this object from
another thread.
"""

from __future__ import annotations

from collections.abc import Sequence

from sandbox.core.clock import now_ms
from sandbox.core.config import SandboxConfig, SandboxUrls
from sandbox.core.faults import FaultInjector
from sandbox.core.latency import LatencyGate
from sandbox.core.registry import load_vendors
from sandbox.core.stats import Stats
from sandbox.core.tenants import Tenant
from sandbox.core.tokens import TokenStore
from sandbox.core.vendor import Vendor
from sandbox.core.webhooks import WebhookDispatcher


class Sandbox:
    def __init__(self, config: SandboxConfig, vendors: Sequence[Vendor] | None = None) -> None:
        self.config = config
        chosen = list(vendors) if vendors is not None else load_vendors(config.systems)
        self.vendors: dict[str, Vendor] = {v.system: v for v in chosen}
        self.urls = SandboxUrls()
        self.tokens = TokenStore()
        self.faults = FaultInjector()
        self.latency = LatencyGate(enabled=config.latency)
        self.stats = Stats()
        self.webhooks = WebhookDispatcher(
            {v.system: v.webhook_requests for v in chosen}, enabled=config.webhooks
        )
        self._tenants: dict[tuple[str, str], Tenant] = {}
        self._credentials: dict[tuple[str, str, str], Tenant] = {}
        for vendor in chosen:
            for tenant_config in vendor.default_tenants():
                specs = {spec.name: spec for spec in vendor.objects_for(tenant_config)}
                tenant = Tenant(
                    vendor.system,
                    tenant_config,
                    specs,
                    scale_overrides=config.scale,
                    emit=self.webhooks.emit,
                    sequence=self.webhooks.next_sequence,
                )
                self._tenants[(vendor.system, tenant.name)] = tenant
                for key, value in tenant_config.credentials.items():
                    self._credentials[(vendor.system, key, value)] = tenant

    def tenant(self, system: str, name: str) -> Tenant:
        """KeyError if the system or tenant does not exist."""
        return self._tenants[(system, name)]

    def tenants(self, system: str | None = None) -> list[Tenant]:
        return [t for (s, _), t in self._tenants.items() if system is None or s == system]

    def find_tenant(self, system: str, credential: str, value: str) -> Tenant | None:
        """The tenant whose shipped credential `credential` equals `value`, if any.

        >>> sandbox.find_tenant("hubspot", "private_app_token", token)  # doctest: +SKIP
        """
        return self._credentials.get((system, credential, value))

    @staticmethod
    def now_ms() -> int:
        return now_ms()
