"""Create (POST, 201 with the entity), update (PATCH/MERGE/PUT, 204) and delete (204).

Every write needs the CSRF token of its session. Entities with an ETag need
`If-Match` on update and delete: the current ETag or `*`; a stale one is 412
and none at all is 428, as SAP Gateway answers for ETag-enabled entity sets.
A write to an item rewrites its document, so the document's LastChangeDateTime
and ETag move, as in S/4HANA.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.responses import Response

from sandbox.core import Call, empty_response, json_response
from sandbox.sap.auth import csrf_check
from sandbox.sap.documents import client_key, prepare_create, rederive
from sandbox.sap.edm import EntitySet
from sandbox.sap.errors import BAD_REQUEST, NOT_ALLOWED, PRECONDITION, fail
from sandbox.sap.payload import read_body
from sandbox.sap.render import Renderer, etag_of
from sandbox.sap.rows import Row, find, replace_child


def _user(call: Call) -> str:
    return str(call.tenant.config.credentials["username"])


PROCESSED = ("B", "C")  # a sales document's OverallSDProcessStatus once it is in process


def not_allowed(entity_set: EntitySet, what: str, where: Mapping[str, str]) -> Exception:
    return fail(
        405, NOT_ALLOWED, f"The entity set {entity_set.name} does not support {what}", **where
    )


async def create(
    call: Call, entity_set: EntitySet, renderer: Renderer, where: Mapping[str, str]
) -> Response:
    csrf_check(call)
    if not entity_set.creatable or entity_set.parent is not None:
        raise not_allowed(entity_set, "create", where)
    body = await call.json()
    fields = read_body(body, entity_set, renderer.sets, where, creating=True)
    key = client_key(call.tenant, entity_set.name, body, where)
    record = prepare_create(call.tenant, entity_set.name, fields, _user(call), where)
    entry = call.tenant.create(entity_set.name, record, record_id=key)
    expand: dict[str, Any] = {name: {} for name in record if entity_set.nav(name) is not None}
    body = renderer.entity(
        entity_set, entry.fields, entry, expand=_deep(entity_set, renderer, expand)
    )
    meta = body["__metadata"]
    headers = {"location": meta["uri"]}
    if "etag" in meta:
        headers["etag"] = meta["etag"]
    return json_response({"d": body}, 201, headers=headers, media_type="application/json")


def _deep(entity_set: EntitySet, renderer: Renderer, expand: dict[str, Any]) -> dict[str, Any]:
    """Expanding a deep insert's navigations to every level they were sent."""
    return {
        name: {n.name: {} for n in renderer.sets[nav.target].navs}
        for name in expand
        for nav in (entity_set.nav(name),)
        if nav is not None
    }


def _precondition(call: Call, entity_set: EntitySet, row: Row, where: Mapping[str, str]) -> None:
    current = etag_of(entity_set, row.fields, row.entry)
    if current is None:
        return
    sent = call.request.headers.get("if-match")
    if sent is None:
        raise fail(428, PRECONDITION, "Precondition required: send If-Match with the ETag", **where)
    if sent.strip() != "*" and current not in (t.strip() for t in sent.split(",")):
        raise fail(
            412,
            PRECONDITION,
            "Precondition failed: the entity was changed in the meantime",
            **where,
        )


async def update(
    call: Call, entity_set: EntitySet, row: Row, renderer: Renderer, where: Mapping[str, str]
) -> Response:
    csrf_check(call)
    if not entity_set.updatable:
        raise not_allowed(entity_set, "update", where)
    _precondition(call, entity_set, row, where)
    changes = read_body(await call.json(), entity_set, renderer.sets, where, creating=False)
    tenant, top = call.tenant, row.top
    top_name = _top_name(entity_set, renderer)
    if row.path:
        changes = replace_child(top.fields, row.path, {**row.fields, **changes})
    merged = {**top.fields, **changes}
    changes.update(rederive(top_name, merged, where))
    changes["LastChangedByUser"] = _user(call)
    tenant.update(top_name, top.id, changes)
    fresh = find(tenant, renderer.sets, entity_set, row.keys())
    headers = {}
    if fresh is not None and (etag := etag_of(entity_set, fresh.fields, fresh.entry)):
        headers["etag"] = etag
    return empty_response(204, headers=headers)


async def delete(call: Call, entity_set: EntitySet, row: Row, where: Mapping[str, str]) -> Response:
    csrf_check(call)
    if not entity_set.deletable or row.path:
        raise not_allowed(entity_set, "delete", where)
    _precondition(call, entity_set, row, where)
    status = (
        row.value("OverallSDProcessStatus")
        if "OverallSDProcessStatus" in row.entity_set.prop_index
        else None
    )
    if status in PROCESSED:  # a document in process has follow-on documents to keep
        raise fail(
            400,
            BAD_REQUEST,
            f"{entity_set.label} {'/'.join(row.keys().values())} is already being "
            f"processed (status {status}) and cannot be deleted; reject its items instead",
            **where,
        )
    call.tenant.delete(entity_set.name, row.top.id, hard=True)
    return empty_response(204)


def _top_name(entity_set: EntitySet, renderer: Renderer) -> str:
    current = entity_set
    while current.parent is not None:
        current = renderer.sets[current.parent]
    return current.name
