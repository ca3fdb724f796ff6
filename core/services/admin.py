"""Administration: key rotation and migration from older systems (credentials, logs)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from core.demo import seed_demo
from core.demo.sandbox import sandbox_fields, sandbox_preset
from core.errors import (
    AlreadyExistsError,
    InvalidInputError,
    NotFoundError,
    ToothpickError,
    VaultError,
)
from core.importers import decode_json_object, read_rows, same_organisation, stable_row_id
from core.models import LogEntry, LogLevel, LogStatus, Operation, System
from core.redaction import redact, redact_value
from core.schemas import ConnectionCreate, DemoReport, ImportReport, LineProblem, RotationReport
from core.services.connections import ConnectionService
from core.services.syncs import SyncService
from core.settings import Settings
from core.store.base import Store
from core.vault import Vault

log = logging.getLogger(__name__)

# Field names of older systems (the seed's IntegrationCredential / IntegrationLog).
_CREDENTIAL_ALIASES = {
    "provider": "system",
    "organizationId": "organisation",
    "organisation_id": "organisation",
}
_LOG_ALIASES = {
    "timestamp": "time",
    "createdAt": "time",
    "organizationId": "organisation_id",
    "provider": "system",
    "action": "operation",
    "duration": "duration_ms",
    "recordsProcessed": "records_processed",
    "recordsCreated": "records_created",
    "recordsUpdated": "records_updated",
    "recordsFailed": "records_failed",
    "httpStatus": "http_status",
    "credentialId": "connection_id",
    "integrationId": "connection_id",
}
_OPERATION_ALIASES = {"test": "test_connection", "manual_sync": "sync", "scheduled_sync": "sync"}
_IMPORT_BATCH = 2000


def _rename(row: dict[str, Any], aliases: dict[str, str]) -> dict[str, Any]:
    return {aliases.get(key, key): value for key, value in row.items()}


def _first_error(exc: ValidationError) -> str:
    first = exc.errors()[0]
    field = ".".join(str(p) for p in first.get("loc", ()))
    return f"{field}: {first['msg']}" if field else str(first["msg"])


def _problem(line: int, exc: Exception) -> LineProblem:
    """One line's problem in words (a wrong type the checks above did not name too)."""
    if isinstance(exc, ValidationError):
        return LineProblem(line=line, message=_first_error(exc))
    if isinstance(exc, ToothpickError):
        return LineProblem(line=line, message=redact(str(exc)))
    return LineProblem(line=line, message=f"a value has the wrong type ({type(exc).__name__})")


class AdminService:
    def __init__(
        self,
        *,
        settings: Settings,
        store: Store,
        vault: Vault,
        connections: ConnectionService,
        syncs: SyncService,
    ) -> None:
        self._settings = settings
        self._store = store
        self._vault = vault
        self._connections = connections
        self._syncs = syncs

    def seed_demo(self, organisation_id: str, *, queue_syncs: bool = True) -> DemoReport:
        """Sandbox connections for the seven systems with 30 days of synthetic history.

        Idempotent: demo connections that exist already are left alone (see core.demo).
        """
        return seed_demo(
            connections=self._connections,
            syncs=self._syncs,
            store=self._store,
            settings=self._settings,
            organisation_id=organisation_id,
            queue_syncs=queue_syncs,
        )

    def sandbox_preset(self, system: System) -> dict[str, Any]:
        """The local sandbox's non-secret connection values for `system` ({} if none)."""
        return sandbox_preset(system, self._settings)

    def sandbox_credentials(self, system: System) -> dict[str, str]:
        """The local sandbox's demo secrets for `system` (public, documented in
        sandbox/README.md): the demo's connect form sends them itself. None in
        production, where the sandbox does not run."""
        if self._settings.is_production:
            return {}
        try:
            secret = set(self._connections.system(system).secret_fields)
            values = sandbox_fields(system, self._settings)
        except NotFoundError:
            return {}
        return {name: str(v) for name, v in values.items() if name in secret and v}

    def rotate_keys(self) -> RotationReport:
        """Re-seal every stored secret under the current key.

        Safe to re-run after an interruption: secrets already under the current key
        are skipped, and each re-seal is a compare-and-set on the old ciphertext.
        """
        report = RotationReport()
        store, vault = self._store, self._vault
        for connection in store.list_connections(None):
            if not vault.needs_rotation(connection.sealed_secret):
                report.already_current += 1
                continue
            try:
                sealed = vault.reseal(
                    connection.sealed_secret,
                    organisation_id=connection.organisation_id,
                    connection_id=connection.id,
                )
            except VaultError as exc:
                report.failed.append(f"{connection.name} ({connection.id}): {exc}")
                continue
            if store.reseal_connection_secret(
                connection.organisation_id,
                connection.id,
                expected=connection.sealed_secret,
                sealed_secret=sealed,
            ):
                report.resealed += 1
                self._connections.audit(
                    connection, Operation.ROTATE_KEY, "Secret re-sealed with the current key"
                )
            else:
                report.failed.append(
                    f"{connection.name} ({connection.id}): changed while rotating; run it again"
                )
        return report

    def import_credentials(
        self, organisation_id: str, path: Path, *, test_first: bool = False
    ) -> ImportReport:
        report = ImportReport()
        for line, row in read_rows(path):
            if isinstance(row, InvalidInputError):
                report.problems.append(LineProblem(line=line, message=str(row)))
                continue
            try:
                self._import_credential(organisation_id, row, test_first=test_first)
                report.imported += 1
            except AlreadyExistsError:
                report.already_present += 1
            except (ToothpickError, ValueError, TypeError) as exc:
                report.problems.append(_problem(line, exc))
        return report

    def _import_credential(
        self, default_org: str, row: dict[str, Any], *, test_first: bool
    ) -> None:
        row = _rename(row, _CREDENTIAL_ALIASES)
        same_organisation(row.pop("organisation", None), default_org)
        organisation = default_org
        for text_field in ("system", "name"):
            if not isinstance(row.get(text_field, ""), str):
                raise InvalidInputError(f"{text_field}: must be text", field=text_field)
        system_name = str(row.pop("system", "")).strip().lower()
        try:
            system = System(system_name)
        except ValueError:
            raise InvalidInputError(
                f"system: {system_name or '(empty)'} is not one of "
                + ", ".join(s.value for s in System),
                field="system",
            ) from None
        name = redact(str(row.pop("name", "") or f"{system.value} (imported)"))
        if self._store.get_connection_by_name(organisation, name) is not None:
            raise AlreadyExistsError(name)
        fields: dict[str, Any] = {}
        for nested in ("fields", "credentials", "config"):
            if nested in row:
                fields.update(decode_json_object(row.pop(nested), nested))
        for flag in ("isActive", "active"):
            row.pop(flag, None)
        fields.update(row)
        self._connections.connect(
            organisation,
            ConnectionCreate(system=system, name=name, fields=fields),
            test_first=test_first,
        )

    def import_logs(self, organisation_id: str, path: Path) -> ImportReport:
        report = ImportReport()
        batch: list[LogEntry] = []

        def flush() -> None:
            if batch:
                new = self._store.append_logs(batch)
                report.imported += new
                report.already_present += len(batch) - new
                batch.clear()

        for line, row in read_rows(path):
            if isinstance(row, InvalidInputError):
                report.problems.append(LineProblem(line=line, message=str(row)))
                continue
            try:
                batch.append(self._log_entry(organisation_id, row))
            except (ToothpickError, ValueError, TypeError) as exc:
                report.problems.append(_problem(line, exc))
            if len(batch) >= _IMPORT_BATCH:
                flush()
        flush()
        return report

    @staticmethod
    def _log_entry(default_org: str, row: dict[str, Any]) -> LogEntry:
        values = _rename(row, _LOG_ALIASES)
        same_organisation(values.pop("organisation_id", None), default_org)
        values["organisation_id"] = default_org
        if "metadata" in values:
            values["metadata"] = decode_json_object(values["metadata"], "metadata")
        for key in ("operation", "level", "status", "system"):
            if isinstance(values.get(key), str):
                values[key] = values[key].strip().lower()
        if values.get("operation") in _OPERATION_ALIASES:
            values["operation"] = _OPERATION_ALIASES[values["operation"]]
        values.setdefault("level", LogLevel.ERROR if values.get("status") == "error" else "info")
        values.setdefault("status", LogStatus.SUCCESS)
        values.setdefault("message", "")
        # Ids are the store's and global: the file's own id (or the row) is namespaced
        # by organisation, and kept in the metadata for reference.
        given = values.pop("id", None)
        values["id"] = stable_row_id(default_org, values if given is None else {"id": given})
        if given is not None:
            values["metadata"] = {**values.get("metadata", {}), "imported_id": str(given)}
        if isinstance(values["message"], str):
            values["message"] = redact(values["message"])
        values["metadata"] = redact_value(values.get("metadata", {}))
        if values.get("operation") not in {o.value for o in Operation}:
            raise InvalidInputError(
                f"operation: {values.get('operation')!r} is not one of "
                + ", ".join(o.value for o in Operation),
                field="operation",
            )
        return LogEntry.model_validate(values)
