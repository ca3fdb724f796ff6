"""Oracle Fusion writes as batch actions, with creates that a rerun finds again.

One `POST <REST root>` (`application/vnd.oracle.adf.batch+json`) carries a part
per record: `create` at `/<resource>`, `update` at the record's own path with its
`changeIndicator` as `ifMatch`. Oracle runs a batch all-or-none and answers a
failed one with only its failed parts, so those records get Oracle's message as
their error and the rest are sent again (one more call per round of failures).

Deletes go the same way (a `delete` part at `/<resource>/<key>` per record): a part
answered 404 is a record already gone, any other refused part fails its record, and
the rest are sent again. Only accounts have a REST delete; items and sales orders do
not (Fusion deletes items through deletion groups and cancels orders): each is
refused in words without a call.

A create carries a correlation key that Oracle keeps: the item number (the
SKU), an account's source-system reference, an order's source transaction id
(derived from the local id where there is one). Before creates that the engine
says may have been sent already (a run taken over, a retry), one query asks which
of their keys Oracle holds; those were created by the interrupted attempt and are
answered with the record found rather than made again.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from adapters import deletes
from adapters.base import OutboundRecord, WriteResult
from adapters.budget import CallKind
from adapters.http import VendorSession
from adapters.mapping import FieldMap
from adapters.paths import dig
from adapters.spec import EntitySpec, read_time
from core.errors import RecordError, VendorError
from core.iterables import batched

if TYPE_CHECKING:
    from adapters.oracle import OracleAdapter

CHILDREN = ("lines", "ItemDFF")  # child collections a create carries inline


def literal(value: Any) -> str:
    """A value as a `q` literal: numbers bare, text quoted with quotes doubled."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


BATCH_TYPE = "application/vnd.oracle.adf.batch+json"
SOURCE_SYSTEM = "TOOTHPICK"
VERSION_ROOT = "/resources/11.13.18.05"
# resource -> (correlation attribute, fixed attributes that go with it)
CORRELATION: dict[str, tuple[str, dict[str, str]]] = {
    "itemsV2": ("ItemNumber", {}),
    "accounts": ("SourceSystemReferenceValue", {"SourceSystem": SOURCE_SYSTEM}),
    "salesOrdersForOrderHub": ("SourceTransactionId", {"SourceTransactionSystem": SOURCE_SYSTEM}),
}


def correlation_value(resource: str, local_id: str | None) -> str:
    """The correlation key a create carries when the record has none of its own."""
    seed = local_id or f"local:{uuid.uuid4()}"
    digest = hashlib.sha256(seed.encode()).hexdigest()[:16].upper()
    return f"TP-{digest}" if resource == "salesOrdersForOrderHub" else seed[:240]


DELETE_BATCH = 100  # parts per batch action


@dataclass
class Part:
    position: int
    record: OutboundRecord
    operation: str  # create | update
    path: str  # relative to the version root
    payload: dict[str, Any]
    if_match: str | None = None
    correlation: str | None = None


Fail = Callable[[int, OutboundRecord, str], None]


class OracleBatch:
    def __init__(self, session: VendorSession, spec: EntitySpec) -> None:
        self.session = session
        self.spec = spec
        self.root = spec.endpoint.rsplit("/", 1)[0]  # the version root batches go to

    def existing(self, parts: list[Part]) -> dict[str, dict[str, Any]]:
        """Records Oracle already holds for these creates' correlation keys (one query)."""
        keyed = [p.correlation for p in parts if p.correlation and p.record.maybe_sent]
        name, fixed = CORRELATION.get(self.spec.vendor_object, ("", {}))
        if not keyed or not name:
            return {}
        terms = [f"{name} IN ({', '.join(literal(k) for k in keyed)})"]
        terms += [f"{k} = {literal(v)}" for k, v in fixed.items()]
        params = {"q": " and ".join(terms), "limit": len(keyed), "onlyData": "true"}
        reply = self.session.request_json("GET", self.spec.endpoint, params=params)
        return {str(i.get(name)): i for i in dig(reply.body, "items") or [] if isinstance(i, dict)}

    def send(self, parts: list[Part], fail: Fail) -> dict[int, WriteResult]:
        done: dict[int, WriteResult] = {}
        pending = list(parts)
        while pending:
            body = {"parts": [_part(str(i), p) for i, p in enumerate(pending)]}
            response = self.session.request(
                "POST", self.root, json=body, headers={"Content-Type": BATCH_TYPE},
                accept_errors=True,
            )  # fmt: skip
            answer = _json(response.content)
            answered = {
                str(p.get("id")): p for p in dig(answer, "parts") or [] if isinstance(p, dict)
            }
            if response.status_code < 300:
                for i, part in enumerate(pending):
                    done[part.position] = self._result(part, dig(answered.get(str(i)), "payload"))
                return done
            refused = {i: p for i, p in enumerate(pending) if str(i) in answered}
            if not refused or response.status_code not in (400, 404, 409, 412, 422):
                raise VendorError(
                    f"Oracle refused the batch ({response.status_code}): "
                    f"{_detail(answer) or response.reason}", status=response.status_code,
                )  # fmt: skip
            for i, part in refused.items():
                fail(part.position, part.record, f"Oracle: {_detail(answered[str(i)])}")
            pending = [p for i, p in enumerate(pending) if i not in refused]
        return done

    def found(self, part: Part, item: Mapping[str, Any]) -> WriteResult:
        return self._result(part, item)

    def _result(self, part: Part, payload: Any) -> WriteResult:
        key = dig(payload, self.spec.key)
        if key in (None, ""):
            return WriteResult(part.record.external_id, error="Oracle did not return the key")
        updated: datetime | None = read_time(payload, self.spec.cursor)
        return WriteResult(part.record.external_id, new_external_id=str(key), updated_at=updated)


def create_part(resource: str, position: int, record: OutboundRecord, body: dict[str, Any]) -> Part:
    """A create with its correlation key: an item's own number, otherwise one derived
    from the local id and written with the record (an account's source reference, an
    order's source transaction)."""
    name, fixed = CORRELATION[resource]
    if resource != "itemsV2":
        local = record.external_id if record.external_id else None
        body.update(fixed)
        body[name] = correlation_value(resource, local)
        if resource == "salesOrdersForOrderHub":
            body["SourceTransactionNumber"] = body[name]
    key = body.get(name)
    return Part(position, record, "create", f"/{resource}", body, None, str(key) if key else None)


def update_part(
    position: int, record: OutboundRecord, payload: dict[str, Any], current: Any
) -> Part | None:
    """An update at the record's self link, guarded by its change indicator; None when
    Oracle no longer has the record."""
    links = current.get("links") if isinstance(current, dict) else None
    link = next((k for k in links or () if isinstance(k, dict) and k.get("rel") == "self"), None)
    path = relative_path(str(link.get("href"))) if link else None
    if link is None or path is None:
        return None
    indicator = dig(link, "properties.changeIndicator")
    return Part(position, record, "update", path, payload, str(indicator) if indicator else None)


def relative_path(href: str) -> str | None:
    """A self link's path below the version root (what a batch part names)."""
    _, found, rest = href.partition(VERSION_ROOT)
    return rest if found and rest.startswith("/") else None


def _part(part_id: str, part: Part) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": part_id, "path": part.path, "operation": part.operation, "payload": part.payload,
    }  # fmt: skip
    if part.if_match:
        out["ifMatch"] = part.if_match
    return out


def _json(content: bytes) -> Any:
    import orjson

    try:
        return orjson.loads(content) if content else None
    except orjson.JSONDecodeError:
        return None


def _detail(part: Any) -> str:
    exception = dig(part, "exception") if isinstance(part, dict) and "exception" in part else part
    detail = dig(exception, "detail") or dig(exception, "title") or "refused"
    code = dig(exception, "o:errorCode")
    return f"{detail} ({code})" if code else str(detail)


class OracleWriter:
    """One engine batch of one entity: look-ups, one batch action (or a few), results."""

    def __init__(self, adapter: OracleAdapter, spec: EntitySpec, fields: FieldMap) -> None:
        self.adapter, self.spec, self.fields = adapter, spec, fields
        self.results: dict[int, WriteResult] = {}

    def _fail(self, position: int, record: OutboundRecord, reason: str) -> None:
        self.results[position] = WriteResult(record.external_id, error=reason)

    def write(self, records: Sequence[OutboundRecord]) -> list[WriteResult]:
        adapter, spec = self.adapter, self.spec
        batch = OracleBatch(adapter.session, spec)
        creates: list[Part] = []
        updates: list[tuple[int, OutboundRecord, dict[str, Any]]] = []
        alone: list[int] = []
        for position, record in enumerate(records):
            try:
                if record.creating:
                    payload = self.fields.to_vendor(record.data, creating=True)
                    body = adapter.creation_body(spec, payload)
                    creates.append(create_part(spec.vendor_object, position, record, body))
                    continue
                payload = self.fields.to_vendor(record.data, changed=record.changed_fields or None)
            except RecordError as exc:
                self._fail(position, record, str(exc))
                continue
            if any(k in payload for k in CHILDREN):
                alone.append(position)  # child rows are PATCHed at their own links
            else:
                updates.append((position, record, payload))
        parts = self._not_made_yet(batch, creates)
        missing = [
            str(r.external_id) for _, r, _ in updates if str(r.external_id) not in adapter.seen
        ]
        if missing:
            adapter.lookup(spec, missing)
        for position, record, payload in updates:
            current = adapter.seen.pop(str(record.external_id), None)
            made = update_part(position, record, payload, current)
            if made is None:
                self._fail(
                    position, record, f"{spec.vendor_object} {record.external_id} no longer exists"
                )
            else:
                parts.append(made)
        if parts:
            self.results.update(batch.send(parts, self._fail))
        for position in alone:
            self.results[position] = adapter.write_alone(spec, self.fields, records[position])
        return [self.results[position] for position in range(len(records))]

    def _not_made_yet(self, batch: OracleBatch, creates: list[Part]) -> list[Part]:
        found = batch.existing(creates)
        for part in creates:
            if part.correlation in found:
                self.results[part.position] = batch.found(part, found[part.correlation])
        return [p for p in creates if p.correlation not in found]


def delete_parts(session: VendorSession, spec: EntitySpec, ids: Sequence[str]) -> list[WriteResult]:
    resource = spec.vendor_object
    if spec.undeletable:  # by its key (the spec's key is the item path's) otherwise
        return deletes.not_deletable(spec.undeletable, ids)
    root = spec.endpoint.rsplit("/", 1)[0]
    results: dict[int, WriteResult] = {}
    for chunk in batched(list(enumerate(ids)), DELETE_BATCH):
        pending = chunk
        while pending:  # a batch runs all or none: refused parts out, the rest again
            body = {
                "parts": [
                    {"id": str(n), "path": f"/{resource}/{quote(i, safe='')}",
                     "operation": "delete"}
                    for n, i in pending
                ]
            }  # fmt: skip
            response = session.request(
                "POST", root, json=body, headers={"Content-Type": BATCH_TYPE},
                accept_errors=True, idempotent=True, kind=CallKind.WRITE,
            )  # fmt: skip
            if response.status_code < 300:
                results.update((n, deletes.deleted(i)) for n, i in pending)
                break
            answered = _failed_parts(response)
            if not answered or response.status_code not in (400, 404, 409, 412, 422):
                raise VendorError(
                    f"Oracle refused the batch ({response.status_code}): "
                    f"{_detail(_json(response.content)) or response.reason}",
                    status=response.status_code,
                )
            for n, i in pending:
                if str(n) in answered:
                    results[n] = _part_result(i, answered[str(n)])
            pending = [(n, i) for n, i in pending if str(n) not in answered]
    return [results[n] for n in range(len(ids))]


def _failed_parts(response: Any) -> dict[str, Any]:
    parts = dig(_json(response.content), "parts") or []
    return {str(p.get("id")): p for p in parts if isinstance(p, dict)}


def _part_result(external_id: str, part: Any) -> WriteResult:
    status = dig(part, "exception.status")
    detail = _detail(part)
    if str(status) == "404" or "was not found" in detail:
        return deletes.deleted(external_id)
    return deletes.refused(external_id, f"Oracle: {detail}")
