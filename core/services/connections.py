"""Connections: connect, test, update, disable, delete — validated, sealed, audited.

The one area that opens secrets and builds adapters; the other areas ask it
(`stored_connection`, `open_adapter`, `public`, `audit`) rather than the vault.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from adapters.base import Adapter
from adapters.outbound import OutboundPolicy
from adapters.registry import all_system_infos, system_info
from core.bindings import check_addresses, rebind_secrets
from core.budgets import Budgets
from core.clock import new_id, utcnow
from core.errors import InvalidInputError, NotFoundError, ToothpickError
from core.forms import apply_sign_in, validate_form
from core.models import (
    ConfigValue,
    Connection,
    ConnectionStatus,
    Entity,
    LogEntry,
    LogLevel,
    LogStatus,
    Operation,
    Organisation,
    RunLimits,
    System,
)
from core.page_budget import PageBudget
from core.redaction import redact
from core.schemas import (
    CheckResult,
    ConnectionCreate,
    ConnectionPublic,
    ConnectionUpdate,
    SystemInfo,
    VendorField,
)
from core.services.vendor_access import VendorAccess
from core.settings import Settings
from core.store.base import Store
from core.vault import Vault

WEBHOOK_SECRET = "webhook_secret"


def _validation_message(exc: ValidationError) -> InvalidInputError:
    first = exc.errors()[0]
    field = ".".join(str(part) for part in first.get("loc", ()))
    return InvalidInputError(f"{field or 'value'}: {first['msg']}", field=field or None)


# Told of a mapping change: (the connection before, after).
MappingListener = Callable[[Connection, Connection], None]


class ConnectionService:
    def __init__(
        self, *, settings: Settings, store: Store, vault: Vault, budgets: Budgets | None = None
    ) -> None:
        self._settings = settings
        self._store = store
        self._vault = vault
        self._vendor = VendorAccess(settings=settings, store=store, vault=vault, budgets=budgets)
        self._mapping_listeners: list[MappingListener] = []

    def on_mapping_change(self, listener: MappingListener) -> None:
        """`listener(before, after)` after a connection's field mapping changed (the
        backfill, core.services.backfill); it must not raise."""
        self._mapping_listeners.append(listener)

    # -- systems ------------------------------------------------------------------

    def systems(self) -> list[SystemInfo]:
        return all_system_infos()

    def system(self, system: System) -> SystemInfo:
        return system_info(system)

    # -- reading -------------------------------------------------------------------

    def _connection(self, organisation_id: str, connection_id: str) -> Connection:
        connection = self._store.get_connection(organisation_id, connection_id)
        if connection is None:
            raise NotFoundError(f"No connection {connection_id!r} in this organisation.")
        return connection

    def _public(self, connection: Connection) -> ConnectionPublic:
        names = self._secret_names(connection)
        return ConnectionPublic.from_connection(connection, names)

    def _secret_names(self, connection: Connection) -> list[str]:
        try:
            return list(self._vendor.open_secret(connection))
        except ToothpickError:
            return []

    def list_connections(self, organisation_id: str) -> list[ConnectionPublic]:
        return [self._public(c) for c in self._store.list_connections(organisation_id)]

    def get_connection(self, organisation_id: str, connection_id: str) -> ConnectionPublic:
        return self._public(self._connection(organisation_id, connection_id))

    def discover_fields(
        self, organisation_id: str, connection_id: str, entity: Entity
    ) -> list[VendorField]:
        """The vendor's fields for an entity (custom ones flagged), for mapping overrides."""
        connection = self._connection(organisation_id, connection_id)
        adapter = self._vendor.open_adapter(connection, interactive=True)  # a person waits
        try:
            return adapter.discover_fields(entity)
        finally:
            adapter.close()

    # -- testing ---------------------------------------------------------------------

    def test_credentials(
        self,
        organisation_id: str,
        system: System,
        fields: dict[str, Any],
        *,
        sign_in: str | None = None,
    ) -> CheckResult:
        """Test a filled-in form against the vendor without storing anything."""
        info = system_info(system)
        config, secret = validate_form(info, apply_sign_in(info, fields, sign_in))
        probe = Connection(
            organisation_id=organisation_id,
            system=system,
            name="connection test",
            config=config,
            sealed_secret="unsaved",
        )
        return self._vendor.check(probe, secret)

    def test_connection(self, organisation_id: str, connection_id: str) -> CheckResult:
        connection = self._connection(organisation_id, connection_id)
        result = self._vendor.check(
            connection, self._vendor.open_secret(connection), store_refreshed=True
        )
        self._audit(
            connection,
            Operation.TEST_CONNECTION,
            f"Connection test: {result.message}",
            ok=result.ok,
            duration_ms=result.duration_ms,
        )
        return result

    # -- writing -----------------------------------------------------------------------

    def connect(
        self,
        organisation_id: str,
        form: ConnectionCreate,
        *,
        test_first: bool = True,
        disabled_because: str | None = None,
    ) -> ConnectionPublic:
        """Validate, (test against the vendor), seal the secret at once, save, audit.

        `disabled_because`: save it disabled, that reason shown with it (the user
        saved a connection whose test failed, to fix it later)."""
        info = system_info(form.system)
        fields = apply_sign_in(info, form.fields, form.sign_in)
        config, secret = validate_form(info, fields)
        check_addresses(info, config, OutboundPolicy.from_settings(self._settings))
        self._check_entities(info, form.entities)
        if test_first:
            result = self.test_credentials(organisation_id, form.system, fields)
            if not result.ok:
                raise InvalidInputError(
                    f"The {info.label} connection test failed: {result.message}", field=None
                )
        self._store.ensure_organisation(Organisation(id=organisation_id, name=organisation_id))
        connection_id = new_id()
        try:
            connection = Connection(
                id=connection_id,
                organisation_id=organisation_id,
                system=form.system,
                name=form.name,
                config=config,
                sealed_secret=self._vault.seal(
                    secret, organisation_id=organisation_id, connection_id=connection_id
                ),
                entities=form.entities or info.supported_entities,
                direction=form.direction,
                conflict_policy=form.conflict_policy,
                approve_deletes=form.approve_deletes,
                schedule=form.schedule,
                field_overrides=form.field_overrides,
                **(
                    {"status": ConnectionStatus.DISABLED, "status_detail": disabled_because}
                    if disabled_because
                    else {}
                ),
            )
        except ValidationError as exc:
            raise _validation_message(exc) from None
        stored = self._store.create_connection(connection)
        self._audit(stored, Operation.CONNECT, f"Connected {info.label} as {stored.name!r}")
        return self._public(stored)

    def update_connection(
        self, organisation_id: str, connection_id: str, update: ConnectionUpdate
    ) -> ConnectionPublic:
        connection = self._connection(organisation_id, connection_id)
        info = system_info(connection.system)
        changes: dict[str, Any] = update.model_dump(exclude_unset=True, exclude={"fields"})
        if update.entities is not None:
            self._check_entities(info, update.entities)
        if update.fields is not None:
            stored_secret = self._vendor.open_secret(connection)
            config, secret = validate_form(
                info, update.fields, keep_secrets=frozenset(stored_secret)
            )
            check_addresses(info, config, OutboundPolicy.from_settings(self._settings))
            rebound = rebind_secrets(
                info, old_config=connection.config, new_config=config, stored=stored_secret,
                given=secret,
            )  # fmt: skip
            changes["config"] = config
            if rebound != stored_secret:  # else the stored secret stays, refreshed tokens too
                changes["sealed_secret"] = self._vault.seal(
                    rebound, organisation_id=organisation_id, connection_id=connection_id
                )
            if connection.status is ConnectionStatus.NEEDS_RECONNECT and secret:
                changes["status"], changes["status_detail"] = ConnectionStatus.ACTIVE, None
        try:
            updated = Connection.model_validate(
                {**connection.model_dump(), **changes, "updated_at": utcnow()}
            )
        except ValidationError as exc:
            raise _validation_message(exc) from None
        stored = self._store.update_connection(
            updated,  # the secret only with a compare-and-set: a refresh may have just landed
            expected_secret=connection.sealed_secret if "sealed_secret" in changes else None,
        )
        self._audit(stored, Operation.UPDATE_CONNECTION, f"Updated {sorted(changes)}")
        if stored.field_overrides != connection.field_overrides:
            for listener in self._mapping_listeners:
                listener(connection, stored)
        return self._public(stored)

    def set_enabled(
        self, organisation_id: str, connection_id: str, enabled: bool
    ) -> ConnectionPublic:
        connection = self._connection(organisation_id, connection_id)
        status = ConnectionStatus.ACTIVE if enabled else ConnectionStatus.DISABLED
        stored = self._store.update_connection(
            connection.model_copy(
                update={"status": status, "status_detail": None, "updated_at": utcnow()}
            )
        )
        self._audit(stored, Operation.UPDATE_CONNECTION, "Enabled" if enabled else "Disabled")
        return self._public(stored)

    def delete_connection(self, organisation_id: str, connection_id: str) -> None:
        connection = self._connection(organisation_id, connection_id)
        self._store.delete_connection(organisation_id, connection_id)
        self._audit(connection, Operation.DELETE_CONNECTION, f"Deleted {connection.name!r}")

    def set_run_limits(
        self, organisation_id: str, connection_id: str, limits: RunLimits
    ) -> RunLimits:
        """A connection's own retry limit and vendor-budget share (None: the settings')."""
        connection = self.stored_connection(organisation_id, connection_id)
        self._store.update_connection(
            connection.model_copy(update={"run_limits": limits, "updated_at": utcnow()})
        )
        return limits

    def run_limits(self, organisation_id: str, connection_id: str) -> RunLimits:
        return self.stored_connection(organisation_id, connection_id).run_limits

    def mark_needs_reconnect(self, connection: Connection, reason: str) -> None:
        current = self._store.get_connection(connection.organisation_id, connection.id)
        if current is None:
            return
        self._store.update_connection(
            current.model_copy(
                update={
                    "status": ConnectionStatus.NEEDS_RECONNECT,
                    "status_detail": redact(reason),
                    "updated_at": utcnow(),
                }
            )
        )

    # -- for the other areas -------------------------------------------------------------

    def stored_connection(self, organisation_id: str, connection_id: str) -> Connection:
        """The stored connection (secret still sealed); NotFoundError across organisations."""
        return self._connection(organisation_id, connection_id)

    def public(self, connection: Connection) -> ConnectionPublic:
        return self._public(connection)

    def open_adapter(
        self,
        connection: Connection,
        *,
        store_refreshed: bool = True,
        page_budget: PageBudget | None = None,
    ) -> Adapter:
        """The connection's adapter, its secret opened; refreshed tokens are sealed back."""
        return self._vendor.open_adapter(
            connection, store_refreshed=store_refreshed, page_budget=page_budget
        )

    def audit(self, connection: Connection, operation: Operation, message: str) -> None:
        self._audit(connection, operation, message)

    def webhook_secret(self, connection: Connection) -> str | None:
        """The secret inbound webhooks are verified with (None: not set up)."""
        value = self._vendor.open_secret(connection).get(WEBHOOK_SECRET)
        return value.get_secret_value() if value is not None else None

    def save_webhook(self, connection: Connection, config: dict[str, str], secret: str) -> None:
        """Seal the webhook secret beside the vendor credentials; non-secret parts in config."""
        sealed = self._vault.seal(
            {**self._vendor.open_secret(connection), WEBHOOK_SECRET: secret},
            organisation_id=connection.organisation_id,
            connection_id=connection.id,
        )
        merged: dict[str, ConfigValue] = {**connection.config, **config}
        stored = self._store.update_connection(
            connection.model_copy(
                update={"config": merged, "sealed_secret": sealed, "updated_at": utcnow()}
            ),
            expected_secret=connection.sealed_secret,  # a refresh meanwhile: try again
        )
        self._audit(stored, Operation.WEBHOOK, "Inbound webhooks set up (new secret)")

    # -- helpers ---------------------------------------------------------------------------

    @staticmethod
    def _check_entities(info: SystemInfo, entities: list[Any]) -> None:
        for entity in entities:
            support = info.support(entity)
            if not support.supported:
                raise InvalidInputError(
                    f"entities: {support.reason or f'{info.label} cannot sync {entity.value}.'}",
                    field="entities",
                )

    def _audit(
        self,
        connection: Connection,
        operation: Operation,
        message: str,
        *,
        ok: bool = True,
        duration_ms: float | None = None,
    ) -> None:
        self._store.append_logs(
            [
                LogEntry(
                    organisation_id=connection.organisation_id,
                    connection_id=connection.id,
                    system=connection.system,
                    operation=operation,
                    level=LogLevel.INFO if ok else LogLevel.WARNING,
                    status=LogStatus.SUCCESS if ok else LogStatus.ERROR,
                    message=redact(message),
                    duration_ms=duration_ms,
                )
            ]
        )
