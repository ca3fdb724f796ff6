"""How a stored connection reaches its vendor: its secret opened, its adapter built.

A part of the connections area (not an area of its own): every adapter in the
product is built by `adapter_context` below, so vendor timeouts, the CA bundle
and the sealing of refreshed OAuth tokens are decided in one place.
"""

from __future__ import annotations

import time
from dataclasses import replace

from pydantic import SecretStr

from adapters.base import Adapter, AdapterContext
from adapters.outbound import OutboundPolicy
from adapters.registry import build_adapter, system_info
from core.budgets import Budgets
from core.errors import ToothpickError
from core.models import Connection
from core.page_budget import PageBudget
from core.redaction import redact
from core.schemas import CheckResult
from core.settings import Settings
from core.store.base import Store
from core.vault import Vault


class VendorAccess:
    def __init__(
        self, *, settings: Settings, store: Store, vault: Vault, budgets: Budgets | None = None
    ) -> None:
        self._settings = settings
        self._store = store
        self._vault = vault
        self._budgets = budgets  # None: each adapter keeps its own limiter and breaker

    def open_secret(self, connection: Connection) -> dict[str, SecretStr]:
        return self._vault.open(
            connection.sealed_secret,
            organisation_id=connection.organisation_id,
            connection_id=connection.id,
        )

    def adapter_context(
        self, connection: Connection, secret: dict[str, SecretStr], *, store_refreshed: bool
    ) -> AdapterContext:
        """Every adapter is built here: timeouts from settings, refreshed tokens sealed back."""
        settings = self._settings
        return AdapterContext(
            connection=connection,
            secret=secret,
            save_secret=(lambda fields: self.save_refreshed_secret(connection, fields))
            if store_refreshed
            else (lambda _fields: None),
            connect_timeout_s=settings.vendor_connect_timeout_s,
            read_timeout_s=settings.vendor_read_timeout_s,
            ca_bundle=settings.ca_bundle,
            data_dir=settings.data_dir,
            outbound=OutboundPolicy.from_settings(settings),
            budget=self._budgets.for_connection(system_info(connection.system), connection, secret)
            if self._budgets is not None
            else None,
            pages_in_flight=settings.pages_in_flight,
        )

    def open_adapter(
        self,
        connection: Connection,
        *,
        store_refreshed: bool = True,
        interactive: bool = False,
        page_budget: PageBudget | None = None,
    ) -> Adapter:
        """`interactive`: a person waits (field discovery): short timeouts, one attempt.
        `page_budget`: a run's adapter pages ahead within the worker's page budget."""
        context = self.adapter_context(
            connection, self.open_secret(connection), store_refreshed=store_refreshed
        )
        return build_adapter(replace(context, interactive=interactive, page_budget=page_budget))

    def check(
        self, connection: Connection, secret: dict[str, SecretStr], *, store_refreshed: bool = False
    ) -> CheckResult:
        started = time.perf_counter()
        context = self.adapter_context(connection, secret, store_refreshed=store_refreshed)
        context = replace(context, interactive=True)  # a person waits: seconds, one attempt
        try:
            adapter = build_adapter(context)
            try:
                check = adapter.check()
            finally:
                adapter.close()
            ok, message, details = check.ok, check.message, check.details
        except ToothpickError as exc:
            ok, message, details = False, str(exc), {}
        return CheckResult(
            ok=ok,
            message=redact(message),
            details={k: redact(v) for k, v in details.items()},
            duration_ms=(time.perf_counter() - started) * 1000,
        )

    def save_refreshed_secret(self, connection: Connection, fields: dict[str, str]) -> None:
        """Adapters hand back refreshed OAuth fields; merge, seal and store them."""
        store = self._store
        for _ in range(3):  # compare-and-set: another process may refresh at the same time
            current = store.get_connection(connection.organisation_id, connection.id)
            if current is None:
                return
            merged = {**self.open_secret(current), **{k: SecretStr(v) for k, v in fields.items()}}
            sealed = self._vault.seal(
                merged, organisation_id=current.organisation_id, connection_id=current.id
            )
            if store.reseal_connection_secret(
                current.organisation_id,
                current.id,
                expected=current.sealed_secret,
                sealed_secret=sealed,
            ):
                return
