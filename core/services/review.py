"""Records and conflicts: local edits (to be pushed), history, and resolving what is held."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ValidationError

from adapters.registry import system_info
from core.clock import utcnow
from core.entities import canonical_fields, validate_canonical
from core.errors import InvalidInputError, NotFoundError
from core.models import (
    Conflict,
    ConflictKind,
    ConflictStatus,
    Direction,
    Entity,
    LogEntry,
    LogLevel,
    LogStatus,
    Operation,
    Record,
    RecordChange,
    RecordWrite,
    Resolution,
    content_hash,
)
from core.schemas import Page
from core.services.connections import ConnectionService
from core.store.base import Store

Side = Literal["local", "remote"]


class ReviewService:
    def __init__(self, *, store: Store, connections: ConnectionService) -> None:
        self._store = store
        self._connections = connections

    # -- records -------------------------------------------------------------------------

    def records(
        self,
        organisation_id: str,
        connection_id: str,
        entity: Entity,
        *,
        pending_only: bool = False,
        limit: int = 100,
    ) -> list[Record]:
        """The live records in id order; `pending_only`: those with a change waiting for
        the next push, edits and deletions made in ToothPick alike (a pending deletion is
        a deleted record, `Record.local_delete`, left out of the live list at once but
        still owed to the vendor, so the pending list must show it)."""
        self._connections.stored_connection(organisation_id, connection_id)
        found: list[Record] = []
        for record in self._store.iter_records(
            organisation_id,
            connection_id,
            entity,
            pending_only=pending_only,
            include_deleted=pending_only,
            batch_size=limit,
        ):
            found.append(record)
            if len(found) >= limit:
                break
        return found

    def record(
        self, organisation_id: str, connection_id: str, entity: Entity, external_id: str
    ) -> Record:
        """One record by its id, a deleted one included (a deletion pending push is shown
        as such rather than as missing). NotFoundError if ToothPick never held it."""
        self._connections.stored_connection(organisation_id, connection_id)
        found = self._store.get_records(organisation_id, connection_id, entity, [external_id])
        if external_id not in found:
            raise NotFoundError(f"No {entity.value} {external_id!r} on this connection.")
        return found[external_id]

    def record_history(
        self, organisation_id: str, connection_id: str, entity: Entity, external_id: str
    ) -> list[RecordChange]:
        self._connections.stored_connection(organisation_id, connection_id)
        return self._store.record_history(organisation_id, connection_id, entity, external_id)

    def edit_record(
        self,
        organisation_id: str,
        connection_id: str,
        entity: Entity,
        external_id: str,
        fields: dict[str, Any],
    ) -> Record:
        """Edit a record on the ToothPick side; the next push sends it to the vendor.

        The edited record is validated as a whole against its canonical model, so an
        edit can never store a record the vendor mapping could not send.
        """
        self._connections.stored_connection(organisation_id, connection_id)
        allowed = set(canonical_fields(entity)) | {"custom"}
        unknown = sorted(set(fields) - allowed)
        if unknown:
            raise InvalidInputError(
                f"{unknown[0]}: {entity.value} has no such field", field=unknown[0]
            )
        current = self._store.get_records(
            organisation_id, connection_id, entity, [external_id]
        ).get(external_id)
        if current is None and not external_id.startswith("local:"):
            raise NotFoundError(f"No {entity.value} {external_id!r} on this connection.")
        merged = {**(current.data if current else {}), **fields}
        try:
            clean = validate_canonical(entity, merged)
        except ValidationError as exc:
            first = exc.errors()[0]
            name = ".".join(str(p) for p in first.get("loc", ()))
            raise InvalidInputError(f"{name}: {first['msg']}", field=name) from None
        changed = {k: clean[k] for k in fields}
        return self._store.set_local_change(
            organisation_id, connection_id, entity, external_id, changed, at=utcnow()
        )

    def delete_record(
        self, organisation_id: str, connection_id: str, entity: Entity, external_id: str
    ) -> Record:
        """Delete a record on the ToothPick side; the next push deletes it at the vendor.

        It leaves the live records at once. If the vendor edits the record before the
        push, both sides changed and the connection's conflict policy decides, as for
        an edit: the later change wins (timestamp), a person decides (manual), or
        neither side is touched (skip).
        """
        connection = self._connections.stored_connection(organisation_id, connection_id)
        if connection.direction is Direction.PULL and not external_id.startswith("local:"):
            raise InvalidInputError(
                "This connection only pulls from the vendor: a deletion here would never "
                "reach it, and the next full sync would bring the record back. Delete it "
                "in the vendor's application, or let the connection push.",
                field="external_id",
            )
        info = system_info(connection.system)
        support = info.support(entity)
        if external_id.startswith("local:"):
            pass  # the vendor never had it: nothing to refuse
        elif not support.writable:
            raise InvalidInputError(
                f"{info.label} takes no writes of {entity.value}: a deletion here would never "
                "reach it. Delete it in the vendor's application.",
                field="entity",
            )
        elif support.undeletable:
            raise InvalidInputError(support.undeletable, field="entity")
        return self._store.delete_locally(
            organisation_id, connection_id, entity, external_id, at=utcnow()
        )

    def undo_delete(
        self, organisation_id: str, connection_id: str, entity: Entity, external_id: str
    ) -> Record:
        """Take back a deletion made in ToothPick that no sync has pushed yet. Once the
        vendor's record is deleted, there is nothing to take back here: recreate it."""
        self._connections.stored_connection(organisation_id, connection_id)
        try:
            return self._store.undo_local_delete(
                organisation_id, connection_id, entity, external_id, at=utcnow()
            )
        except NotFoundError:
            raise NotFoundError(
                f"No deletion of {entity.value} {external_id!r} waits to be pushed on this "
                "connection (never deleted here, or already deleted at the vendor)."
            ) from None

    # -- conflicts -------------------------------------------------------------------------

    def conflicts(
        self,
        organisation_id: str,
        *,
        status: ConflictStatus | None = ConflictStatus.OPEN,
        connection_id: str | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> Page[Conflict]:
        return self._store.list_conflicts(
            organisation_id, status=status, connection_id=connection_id, offset=offset, limit=limit
        )

    def get_conflict(self, organisation_id: str, conflict_id: str) -> Conflict:
        conflict = self._store.get_conflict(organisation_id, conflict_id)
        if conflict is None:
            raise NotFoundError(f"No conflict {conflict_id!r} in this organisation.")
        return conflict

    def resolve_conflict(
        self,
        organisation_id: str,
        conflict_id: str,
        resolution: Resolution,
        *,
        fields: dict[str, Side] | None = None,
        resolved_by: str = "dashboard",
    ) -> Conflict:
        """Take ToothPick's version (pushed on the next sync), the vendor's, or pick per field."""
        conflict = self.get_conflict(organisation_id, conflict_id)
        if conflict.status is not ConflictStatus.OPEN:
            raise InvalidInputError("This conflict is already resolved.", field=None)
        expected = (
            {Resolution.APPROVE_DELETE, Resolution.REJECT_DELETE}
            if conflict.kind is ConflictKind.DELETE
            else {Resolution.LOCAL, Resolution.REMOTE, Resolution.MERGED}
        )
        if resolution not in expected:
            raise InvalidInputError(
                f"resolution: a {conflict.kind.value} conflict is resolved with "
                + " or ".join(sorted(r.value for r in expected)),
                field="resolution",
            )
        unknown = sorted(set(fields or {}) - set(conflict.differing_fields))
        if unknown:
            raise InvalidInputError(
                f"{unknown[0]}: not one of the conflicting fields", field=unknown[0]
            )
        data = self._apply_resolution(conflict, resolution, fields or {})
        resolved = self._store.save_conflict(
            conflict.model_copy(
                update={
                    "status": ConflictStatus.RESOLVED,
                    "resolution": resolution,
                    "resolved_data": data,
                    "resolved_by": resolved_by,
                    "resolved_at": utcnow(),
                }
            )
        )
        self._store.append_logs(
            [
                LogEntry(
                    organisation_id=organisation_id,
                    connection_id=conflict.connection_id,
                    system=conflict.system,
                    entity=conflict.entity,
                    operation=Operation.CONFLICT,
                    level=LogLevel.INFO,
                    status=LogStatus.SUCCESS,
                    message=f"{conflict.entity.value} {conflict.external_id}: conflict resolved "
                    f"({resolution.value}) by {resolved_by}",
                    metadata={"conflict_id": conflict.id, "external_id": conflict.external_id},
                )
            ]
        )
        return resolved

    def _apply_resolution(
        self, conflict: Conflict, resolution: Resolution, fields: dict[str, Side]
    ) -> dict[str, Any] | None:
        store = self._store
        key = (conflict.organisation_id, conflict.connection_id, conflict.entity)
        if conflict.deleted_in_toothpick:
            return self._resolve_local_deletion(conflict, resolution)
        if resolution is Resolution.REJECT_DELETE:
            return conflict.local
        remote = conflict.remote or {}
        remote_write = RecordWrite(
            external_id=conflict.external_id,
            data=remote,
            content_hash=content_hash(remote),
            source_updated_at=conflict.remote_changed_at,
            deleted=resolution is Resolution.APPROVE_DELETE,
        )
        if resolution is Resolution.APPROVE_DELETE:
            remote_write.data = conflict.local or {}
            store.clear_local_change(*key, conflict.external_id)
            store.upsert_records(*key, [remote_write], run_id=None)
            return None
        # Every other resolution starts from the vendor's version as the new base ...
        store.clear_local_change(*key, conflict.external_id)
        store.upsert_records(*key, [remote_write], run_id=None)
        if resolution is Resolution.REMOTE:
            return remote
        local = conflict.local or {}
        if resolution is Resolution.LOCAL:
            keep = {name: local.get(name) for name in conflict.differing_fields}
        else:
            keep = {name: local.get(name) for name, side in fields.items() if side == "local"}
        # ... and what ToothPick keeps becomes a pending local change, pushed next sync.
        if keep:
            store.set_local_change(*key, conflict.external_id, keep, at=utcnow())
        return {**remote, **keep}

    def _resolve_local_deletion(
        self, conflict: Conflict, resolution: Resolution
    ) -> dict[str, Any] | None:
        """Deleted in ToothPick, edited at the vendor since. Either way the vendor's
        version becomes the record's base; approving deletes it again from there, so
        the next push deletes the vendor's record (its edit seen and overruled)."""
        key = (conflict.organisation_id, conflict.connection_id, conflict.entity)
        remote = conflict.remote or {}
        self._store.clear_local_change(*key, conflict.external_id)
        self._store.upsert_records(
            *key,
            [
                RecordWrite(
                    external_id=conflict.external_id,
                    data=remote,
                    content_hash=content_hash(remote),
                    source_updated_at=conflict.remote_changed_at,
                )
            ],
            run_id=None,
        )
        if resolution is Resolution.REJECT_DELETE:
            return remote
        self._store.delete_locally(*key, conflict.external_id, at=utcnow())
        return None
