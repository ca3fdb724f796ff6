"""Control API pieces shared by its handlers: errors, tenant look-up, request bodies,
and the record routes (vendor-side create/update/delete and reads of the truth)."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import islice
from typing import TYPE_CHECKING, Any

from starlette.requests import Request

from sandbox.core.collection import Collection
from sandbox.core.entry import Entry
from sandbox.core.field_changes import FieldChange, FieldChangeError
from sandbox.core.http import BodyError, json_response, parse_json
from sandbox.core.tenants import Tenant

if TYPE_CHECKING:
    from sandbox.core.state import Sandbox

MAX_PAGE = 10_000


class ControlError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def iso(ms: int) -> str:
    return (
        datetime.fromtimestamp(ms / 1000, UTC)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z")
    )


def record_json(object_name: str, entry: Entry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "object": object_name,
        "fields": entry.fields,
        "created_at": iso(entry.created_ms),
        "modified_at": iso(entry.modified_ms),
        "created_ms": entry.created_ms,
        "modified_ms": entry.modified_ms,
        "deleted": entry.deleted,
    }


def _flag(request: Request, name: str) -> bool:
    return request.query_params.get(name, "").lower() in ("1", "true", "yes")


async def body_of(request: Request) -> Any:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        return parse_json(raw)
    except BodyError as exc:
        raise ControlError(400, f"body is not JSON: {exc}") from None


class RecordRoutes:
    sandbox: Sandbox

    def _tenant(self, request: Request) -> Tenant:
        system, name = request.path_params["system"], request.path_params["tenant"]
        if system not in self.sandbox.vendors:
            raise ControlError(404, f"unknown system {system!r}")
        try:
            return self.sandbox.tenant(system, name)
        except KeyError:
            raise ControlError(404, f"unknown {system} tenant {name!r}") from None

    def _collection(self, request: Request) -> tuple[Tenant, str, Collection]:
        tenant = self._tenant(request)
        object_name = request.path_params["object"]
        if object_name not in tenant.specs:
            known = ", ".join(sorted(tenant.specs))
            raise ControlError(404, f"{tenant.system} has no object {object_name!r} ({known})")
        return tenant, object_name, tenant.collection(object_name)

    @staticmethod
    def _fields(collection: Collection, body: Any) -> dict[str, Any]:
        fields = body.get("fields") if isinstance(body, dict) else None
        if not isinstance(fields, dict):
            raise ControlError(400, 'body must be {"fields": {...}}')
        unknown = sorted(set(fields) - set(collection.field_index))
        if unknown:
            raise ControlError(
                400, f"unknown field(s) for {collection.spec.name}: {', '.join(unknown)}"
            )
        return fields

    async def records(self, request: Request) -> Any:
        tenant, object_name, collection = self._collection(request)
        if request.method == "POST":
            fields = self._fields(collection, await body_of(request))
            entry = tenant.create(object_name, fields, source="control")
            return json_response(record_json(object_name, entry), 201)
        params = request.query_params
        try:
            limit = min(int(params.get("limit", "1000")), MAX_PAGE)
            after = int(params["after"]) if "after" in params else None
            since = int(params["since_ms"]) if "since_ms" in params else None
        except ValueError:
            raise ControlError(400, "limit, after and since_ms must be integers") from None
        include_deleted = _flag(request, "include_deleted")
        entries = list(
            islice(
                collection.scan(after=after, since_ms=since, include_deleted=include_deleted),
                limit + 1,
            )
        )
        more = len(entries) > limit
        entries = entries[:limit]
        return {
            "records": [record_json(object_name, e) for e in entries],
            "next": entries[-1].index if more and entries else None,
            "total": collection.count_matching(since, None, include_deleted=include_deleted),
        }

    async def fields(self, request: Request) -> Any:
        """GET the object's custom fields; PUT a change to them as the vendor's admin:
        `{"add": [{"name": "Note__c", "type": "string"}], "rename": {"A__c": "B__c"},
        "delete": ["C__c"]}` (sandbox.core.field_changes). A reset undoes it."""
        tenant, object_name, _collection = self._collection(request)
        if request.method == "PUT":
            try:
                change = FieldChange.from_json(await body_of(request))
                tenant.change_fields(object_name, change)
            except FieldChangeError as exc:
                raise ControlError(400, f"{object_name}: {exc}") from None
        return {"custom_fields": [f.name for f in tenant.custom_fields(object_name)]}

    async def record(self, request: Request) -> Any:
        tenant, object_name, collection = self._collection(request)
        record_id = request.path_params["record_id"]
        try:
            if request.method == "PATCH":
                fields = self._fields(collection, await body_of(request))
                entry = tenant.update(object_name, record_id, fields, source="control")
            elif request.method == "DELETE":
                entry = tenant.delete(
                    object_name, record_id, hard=_flag(request, "hard"), source="control"
                )
            else:
                found = collection.get(record_id, include_deleted=_flag(request, "include_deleted"))
                if found is None:
                    raise KeyError(record_id)
                entry = found
        except KeyError:
            raise ControlError(404, f"no {object_name} {record_id!r}") from None
        return record_json(object_name, entry)
