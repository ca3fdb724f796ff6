"""SAP writes as one OData `$batch` per engine batch: a changeset per record.

A record's changeset holds everything its write needs, applied all-or-nothing
by SAP: a deep-insert POST for a create; for an update, a PATCH of the entity
with its ETag as `If-Match` plus a PATCH per changed child (Gateway has no deep
update). A refused changeset fails its record alone with SAP's message; the
others land. After the changesets, one retrieval per updated record reads back
its new LastChangeDateTime (a PATCH answers 204 without a body). The CSRF token
travels on the `$batch` request itself (the session's SapCsrf authenticator).

Deletes are a changeset per record too (`DELETE A_SalesOrder('1')`, `If-Match: *`: the
delete was decided in ToothPick whatever SAP changed since), 100 a `$batch`; a 404 is a
record already gone. Products and business partners have no DELETE in SAP's APIs (their
sets are not deletable): SAP deletes them by a flag, as its own apps do, and so does
the hub (`PATCH A_Product('X')` `{"IsMarkedForDeletion": true}`, a partner's
IsMarkedForArchiving): the flag is the one the adapter reads as deleted (the spec's
`deleted`), so the next read reports the record deleted.

Creates are repeatable. A product is created under its own number (the SKU, as
SAP's external numbering keeps it), so a second attempt is refused as "already
exists" and, when the engine says it may have been sent before, answered with the
product SAP holds (otherwise the refusal stands: another product has that number).
Partners and sales documents carry a correlation key derived from the local id
(BusinessPartnerIDByExtSystem, PurchaseOrderByCustomer); one query before a batch
whose creates may have been sent before finds those already made.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from adapters import deletes
from adapters.base import OutboundRecord, WriteResult
from adapters.budget import CallKind
from adapters.mapping import FieldMap
from adapters.odata_batch import Answer, Op, decode, encode
from adapters.paths import dig
from adapters.sap_children import child_patches, deep_insert, document_defaults
from adapters.sap_specs import ODATA, SERVICE
from adapters.spec import EntitySpec, read_time
from core.errors import RecordError, VendorError
from core.iterables import batched

if TYPE_CHECKING:
    from adapters.sap import SapAdapter

# entity set -> the property that carries a create's correlation key, and its length
CORRELATION = {
    "A_BusinessPartner": ("BusinessPartnerIDByExtSystem", 20),
    "A_SalesOrder": ("PurchaseOrderByCustomer", 35),
    "A_SalesQuotation": ("PurchaseOrderByCustomer", 35),
}
TAKEN = "MM_PRODUCT/010"  # "Product X already exists"
DELETE_BATCH = 100  # changesets per $batch
# entity sets SAP's APIs do not DELETE (sap:deletable="false"): deleted by their flag
FLAGGED_SETS = frozenset({"A_Product", "A_BusinessPartner"})


def correlation_value(local_id: str, length: int) -> str:
    return ("TP" + hashlib.sha256(local_id.encode()).hexdigest().upper())[:length]


def literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


@dataclass
class Change:
    """One record's changeset, and what to read back after it."""

    position: int
    record: OutboundRecord
    ops: list[Op]
    creating: bool
    key: str | None = None  # a create's client-supplied key or correlation value
    read_back: Op | None = None
    answers: list[Answer] = field(default_factory=list)


def update_ops(
    service_url: str,
    name: str,
    external_id: str,
    payload: dict[str, Any],
    current: Mapping[str, Any],
) -> list[Op]:
    """The PATCHes of an update: the entity's own fields, then each changed child."""
    where = f"{name} {external_id}"
    ops: list[Op] = []
    flat = {k: v for k, v in payload.items() if not k.startswith("to_")}
    if flat:
        etag = dig(current, "__metadata.etag")
        ops.append(
            Op("PATCH", f"{name}({literal(external_id)})", flat, {"If-Match": str(etag or "*")})
        )
    for nav, change in payload.items():
        if nav.startswith("to_"):
            for uri, values, etag in child_patches(current.get(nav), change, where=where):
                relative = uri.partition(service_url.rstrip("/") + "/")[2] or uri
                ops.append(Op("PATCH", relative, values, {"If-Match": etag or "*"}))
    return ops


def sap_error(answer: Answer) -> str:
    body = answer.json()
    message = dig(body, "error.message.value") or f"HTTP {answer.status}"
    code = dig(body, "error.code")
    return f"SAP: {message}" + (f" ({code})" if code else "")


def is_taken(answer: Answer) -> bool:
    return answer.status == 400 and dig(answer.json(), "error.code") == TAKEN


def outcome(
    change: Change,
    read_back: Answer | None,
    key_of: Callable[[Any], str | None],
    time_of: Callable[[Any], Any],
) -> WriteResult:
    """A record's result from its changeset's answers (and its read-back)."""
    record = change.record
    answers = change.answers
    if len(answers) == 1 and answers[0].status >= 400:
        return WriteResult(record.external_id, error=sap_error(answers[0]))
    if change.creating:
        made = dig(answers[0].json() if answers else None, "d")
        key = key_of(made)
        if not key:
            return WriteResult(record.external_id, error="SAP created a record but sent no key")
        return WriteResult(record.external_id, new_external_id=key, updated_at=time_of(made))
    fresh = dig(read_back.json(), "d") if read_back and read_back.status < 300 else None
    return WriteResult(record.external_id, record.external_id, updated_at=time_of(fresh))


def delete_changesets(
    adapter: SapAdapter, spec: EntitySpec, ids: Sequence[str]
) -> list[WriteResult]:
    name = spec.vendor_object
    flag = spec.deleted if name in FLAGGED_SETS else None
    root = f"{ODATA}/{SERVICE[name]}"
    results: list[WriteResult] = []
    for chunk in batched(list(ids), DELETE_BATCH):
        parts: list[Sequence[Op] | Op] = [
            [
                Op("PATCH", f"{name}({literal(i)})", {flag: True}, {"If-Match": "*"})
                if flag
                else Op("DELETE", f"{name}({literal(i)})", None, {"If-Match": "*"})
            ]
            for i in chunk
        ]
        content_type, body = encode(parts)
        reply = adapter.session.request(
            "POST", f"{root}/$batch", data=body, idempotent=True, kind=CallKind.WRITE,
            headers={"Content-Type": content_type, "Accept": "multipart/mixed"},
        )  # fmt: skip
        answers = decode(reply.headers.get("content-type", ""), reply.content)
        if len(answers) != len(chunk):
            raise VendorError(f"SAP answered {len(answers)} of {len(chunk)} $batch parts")
        results += [
            _deleted(i, answer[0] if answer else Answer(500, {}, b""))
            for i, answer in zip(chunk, answers, strict=True)
        ]
    return results


def _deleted(external_id: str, answer: Answer) -> WriteResult:
    if answer.status < 300 or answer.status == 404:  # 404: already gone
        return deletes.deleted(external_id)
    return deletes.refused(external_id, sap_error(answer))


def filter_any(field_name: str, values: Sequence[str]) -> str:
    return " or ".join(f"{field_name} eq {literal(v)}" for v in values)


class SapBatchWriter:
    """One engine batch of one entity: changesets, the look-ups around them, the results."""

    def __init__(self, adapter: SapAdapter, spec: EntitySpec, fields: FieldMap) -> None:
        self.adapter, self.spec, self.fields = adapter, spec, fields
        self.name = spec.vendor_object
        self.root = f"{ODATA}/{SERVICE[self.name]}"
        self.results: dict[int, WriteResult] = {}

    def write(self, records: Sequence[OutboundRecord]) -> list[WriteResult]:
        changes: list[Change] = []
        updates: list[tuple[int, OutboundRecord, dict[str, Any]]] = []
        for position, record in enumerate(records):
            try:
                if record.creating:
                    changes.append(self._create(position, record))
                else:
                    payload = self.fields.to_vendor(
                        record.data, changed=record.changed_fields or None
                    )
                    updates.append((position, record, payload))
            except RecordError as exc:
                self._fail(position, record, str(exc))
        changes = self._not_made_yet(changes)
        changes += self._updates(updates)
        if changes:
            self._send(changes)
            self._already_there(
                [
                    c
                    for c in changes
                    if c.creating and c.answers and is_taken(c.answers[0]) and c.record.maybe_sent
                ]
            )
        for change in changes:
            if change.position not in self.results:
                read_back = change.answers[-1] if change.read_back and not change.creating else None
                self.results[change.position] = outcome(
                    change, read_back, self._key_of, self._time_of
                )
        return [self.results[position] for position in range(len(records))]

    # --- building --------------------------------------------------------------------

    def _create(self, position: int, record: OutboundRecord) -> Change:
        adapter, name = self.adapter, self.name
        payload = self.fields.to_vendor(record.data, creating=True)
        body = deep_insert(adapter.person_names(self.spec, payload, None))
        body.update(document_defaults(name, body, str(adapter.config.get("sales_area") or "")))
        key: str | None = None
        sku = record.data.get("sku")
        for text in body.get("to_Description") or []:  # a name is text in a language
            text.setdefault("Language", adapter.language)
        if name == "A_Product" and sku:  # external numbering: the SKU is the product number
            body["Product"] = key = str(sku).strip().upper()
        elif name in CORRELATION and record.external_id:
            field_name, length = CORRELATION[name]
            body[field_name] = key = correlation_value(record.external_id, length)
        return Change(position, record, [Op("POST", name, body)], True, key)

    def _updates(self, updates: list[tuple[int, OutboundRecord, dict[str, Any]]]) -> list[Change]:
        adapter, name = self.adapter, self.name
        missing = [
            str(r.external_id) for _, r, _ in updates if str(r.external_id) not in adapter.seen
        ]
        if missing:
            adapter.lookup(self.spec, missing)
        changes = []
        for position, record, payload in updates:
            external_id = str(record.external_id)
            current = adapter.seen.pop(external_id, None)
            if current is None:
                self._fail(position, record, f"{name} {external_id} no longer exists")
                continue
            try:
                named = adapter.person_names(self.spec, payload, current)
                ops = update_ops(adapter.session.url(self.root), name, external_id, named, current)
            except RecordError as exc:
                self._fail(position, record, str(exc))
                continue
            if not ops:  # nothing SAP would change
                self.results[position] = WriteResult(
                    record.external_id, record.external_id, updated_at=self._time_of(current)
                )
                continue
            read_back = Op("GET", f"{name}({literal(external_id)})")
            changes.append(Change(position, record, ops, False, None, read_back))
        return changes

    # --- sending ---------------------------------------------------------------------

    def _send(self, changes: list[Change]) -> None:
        parts: list[Sequence[Op] | Op] = [c.ops for c in changes]
        reads = [c for c in changes if c.read_back is not None]
        parts += [c.read_back for c in reads if c.read_back is not None]
        kind, body = encode(parts)
        reply = self.adapter.session.request(
            "POST", f"{self.root}/$batch", data=body,
            headers={"Content-Type": kind, "Accept": "multipart/mixed"},
        )  # fmt: skip
        answers = decode(reply.headers.get("content-type", ""), reply.content)
        if len(answers) != len(parts):
            raise VendorError(f"SAP answered {len(answers)} of {len(parts)} $batch parts")
        for change, answer in zip(changes, answers, strict=False):
            change.answers = list(answer)
        for change, answer in zip(reads, answers[len(changes) :], strict=True):
            change.answers.append(answer[0])

    def _not_made_yet(self, creates: list[Change]) -> list[Change]:
        """Creates whose correlation key SAP does not hold yet (one query for the batch)."""
        keyed = [c.key for c in creates if c.key and c.record.maybe_sent]
        if self.name not in CORRELATION or not keyed:
            return creates
        found = self._find(CORRELATION[self.name][0], keyed)
        for change in creates:
            if change.key in found:
                self._found(change, found[change.key])
        return [c for c in creates if c.key not in found]

    def _already_there(self, taken: list[Change]) -> None:
        """Products refused as already existing: the earlier attempt made them."""
        keys = [c.key for c in taken if c.key]
        found = self._find(self.spec.key, keys) if keys else {}
        for change in taken:
            if change.key in found:
                self._found(change, found[change.key])

    def _find(self, field_name: str, values: list[str]) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for chunk in batched(values, 50):  # a short URL, as in SapAdapter.lookup
            params = {"$filter": filter_any(field_name, chunk), "$top": len(chunk)}
            reply = self.adapter.session.request_json("GET", self.spec.endpoint, params=params)
            rows = dig(reply.body, "d.results") or []
            found.update((str(r.get(field_name)), r) for r in rows if isinstance(r, dict))
        return found

    def _found(self, change: Change, row: dict[str, Any]) -> None:
        record = change.record
        self.results[change.position] = WriteResult(
            record.external_id, new_external_id=self._key_of(row), updated_at=self._time_of(row)
        )

    # --- reading answers -------------------------------------------------------------

    def _fail(self, position: int, record: OutboundRecord, reason: str) -> None:
        self.results[position] = WriteResult(record.external_id, error=reason)

    def _key_of(self, item: Any) -> str | None:
        key = dig(item, self.spec.key)
        return None if key in (None, "") else str(key)

    def _time_of(self, item: Any) -> Any:
        if not isinstance(item, dict):
            return None
        completed = self.adapter.complete(self.spec, item)
        return read_time(completed, self.spec.cursor) if self.spec.cursor else None
