"""Salesforce writes through sObject Collections: 200 records per call, record by record.

- creates: `PATCH composite/sobjects/{SObject}/{ExternalIdField}` (upsert) with the
  hub's `local:` id in the external-id field, so a create repeated after a lost answer
  (a worker killed between Salesforce's accept and our write of the new id) updates
  the record it made instead of making a second. Without a configured field: `POST
  composite/sobjects` (plain creates; such a repeat would duplicate).
- updates: `PATCH composite/sobjects` with each record's `id`.
- deletes: `DELETE composite/sobjects?ids=a,b&allOrNone=false`, answered per id in
  order; ENTITY_IS_DELETED (in the recycle bin) and INVALID_CROSS_REFERENCE_KEY (no
  such record) mean the record is already gone.

Every call sends `allOrNone: false`: Salesforce applies the valid records and answers
each one in input order (`{id, success, errors[{statusCode, message, fields}]}`), so a
refused record fails alone. A call refused whole (a 400: one value Salesforce cannot
parse fails the request) is halved until the bad record stands alone.

The external-id field is the connection's "External ID field" (default
`ToothPick_Id__c`): a Text field marked External ID and Unique on every object the hub
creates. When the org's describe does not show it as an external id, creates of that
object fail with one line saying so (updates go on); clearing the setting creates
without it.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

from adapters import deletes
from adapters.base import OutboundRecord, WriteResult
from adapters.budget import CallKind
from adapters.mapping import FieldMap
from adapters.record_errors import halving, record_error
from adapters.spec import EntitySpec
from core.errors import RecordError
from core.iterables import batched

if TYPE_CHECKING:
    from adapters.salesforce import SalesforceAdapter

COLLECTION_LIMIT = 200  # records per sObject Collections call
DEFAULT_EXTERNAL_ID_FIELD = "ToothPick_Id__c"
ALREADY_GONE = frozenset({"ENTITY_IS_DELETED", "INVALID_CROSS_REFERENCE_KEY", "NOT_FOUND"})


def write_collections(
    adapter: SalesforceAdapter,
    spec: EntitySpec,
    fields: FieldMap,
    records: Sequence[OutboundRecord],
) -> list[WriteResult]:
    results: dict[int, WriteResult] = {}
    creates: list[tuple[int, dict[str, Any]]] = []  # upserts by the correlation key
    plain: list[tuple[int, dict[str, Any]]] = []  # no key (none configured, or no local id)
    updates: list[tuple[int, dict[str, Any]]] = []
    key_field = adapter.external_id_field
    missing = key_field and not _has_external_id(adapter, spec, key_field)
    for index, record in enumerate(records):
        try:
            if record.creating:
                body = fields.to_vendor(record.data, creating=True)
                if missing:
                    results[index] = WriteResult(
                        record.external_id, error=missing_field(spec, key_field)
                    )
                    continue
                if key_field and record.external_id:
                    body[key_field] = record.external_id  # the correlation key
                    creates.append((index, body))
                else:
                    plain.append((index, body))
            else:
                body = fields.to_vendor(record.data, changed=record.changed_fields or None)
                if not body:  # nothing writable changed
                    results[index] = WriteResult(record.external_id, record.external_id)
                    continue
                updates.append((index, {**body, "id": record.external_id}))
        except RecordError as exc:
            results[index] = WriteResult(record.external_id, error=str(exc))
    path = f"{adapter.data_path}/composite/sobjects"
    calls = (
        (creates, "PATCH", f"{path}/{spec.vendor_object}/{key_field}"),
        (plain, "POST", path),
        (updates, "PATCH", path),
    )
    for group, method, url in calls:
        for chunk in batched(group, COLLECTION_LIMIT):
            answers = halving(
                partial(_send, adapter, spec, method, url),
                chunk,
                position=lambda item: item[0],
                refused=lambda exc: exc.status == 400,  # e.g. one value Salesforce cannot parse
            )
            for index, answer in answers.items():
                results[index] = _result(adapter, records[index], answer)
    return [results[i] for i in range(len(records))]


def delete_collections(adapter: SalesforceAdapter, ids: Sequence[str]) -> list[WriteResult]:
    """Up to 200 ids a call; a call refused whole (400) is halved as writes are."""
    results: dict[int, WriteResult] = {}
    url = f"{adapter.data_path}/composite/sobjects"
    for chunk in batched(list(enumerate(ids)), COLLECTION_LIMIT):
        answers = halving(
            partial(_send_deletes, adapter, url),
            chunk,
            position=lambda item: item[0],
            refused=lambda exc: exc.status == 400,
        )
        for index, answer in answers.items():
            results[index] = _deleted(adapter, ids[index], answer)
    return [results[i] for i in range(len(ids))]


def _send_deletes(
    adapter: SalesforceAdapter, url: str, chunk: list[tuple[int, str]]
) -> dict[int, dict[str, Any] | str]:
    params = {"ids": ",".join(i for _index, i in chunk), "allOrNone": "false"}
    reply = adapter.session.request_json("DELETE", url, params=params)  # a write, repeatable
    return _per_input([index for index, _id in chunk], reply.body)


def _deleted(
    adapter: SalesforceAdapter, external_id: str, answer: dict[str, Any] | str
) -> WriteResult:
    if isinstance(answer, str):
        return deletes.refused(external_id, answer)
    errors = answer.get("errors") or [{}]
    first = errors[0] if isinstance(errors[0], dict) else {}
    if answer.get("success") or first.get("statusCode") in ALREADY_GONE:
        return deletes.deleted(external_id)
    return deletes.refused(
        external_id,
        record_error(
            "Salesforce",
            first.get("statusCode"),
            first.get("message"),
            [str(f) for f in first.get("fields") or []],
            redact=adapter.session.redact,
        ),
    )


def missing_field(spec: EntitySpec, key_field: str) -> str:
    return (
        f"Salesforce {spec.vendor_object} has no external-id field {key_field}: create it "
        "(Text, External ID, Unique) or clear 'External ID field' in the connection settings "
        "(external_id_field)"
    )


def _has_external_id(adapter: SalesforceAdapter, spec: EntitySpec, name: str) -> bool:
    return any(
        item.get("name", "").lower() == name.lower() and item.get("externalId")
        for item in adapter.describe(spec.vendor_object)
    )


def _send(
    adapter: SalesforceAdapter,
    spec: EntitySpec,
    method: str,
    url: str,
    chunk: list[tuple[int, dict[str, Any]]],
) -> dict[int, dict[str, Any] | str]:
    bodies = [body for _index, body in chunk]
    records = [{"attributes": {"type": spec.vendor_object}, **body} for body in bodies]
    # An upsert by external id and an update by id are safe to repeat; a plain create is not.
    reply = adapter.session.request_json(
        method,
        url,
        json={"allOrNone": False, "records": records},
        idempotent=method == "PATCH",
        kind=CallKind.WRITE,  # a repeatable PATCH is still a write (not a read)
    )
    return _per_input([index for index, _body in chunk], reply.body)


def _per_input(indexes: list[int], body: Any) -> dict[int, dict[str, Any] | str]:
    """A collection call's answers, one per input in order: each by its input's index (an
    answer list of another length answers none of them)."""
    answers = body if isinstance(body, list) else []
    if len(answers) != len(indexes):
        return dict.fromkeys(indexes, "Salesforce did not answer for this record")
    return {
        index: answer if isinstance(answer, dict) else {}
        for index, answer in zip(indexes, answers, strict=True)
    }


def _result(
    adapter: SalesforceAdapter, record: OutboundRecord, answer: dict[str, Any] | str
) -> WriteResult:
    if isinstance(answer, str):  # refused with its whole call (words from the HTTP layer)
        return WriteResult(record.external_id, error=answer)
    if answer.get("success") and answer.get("id"):
        new_id = str(answer["id"]) if record.creating else record.external_id
        return WriteResult(record.external_id, new_id)  # SystemModstamp comes with the next pull
    errors = answer.get("errors") or [{}]
    first = errors[0] if isinstance(errors[0], dict) else {}
    return WriteResult(
        record.external_id,
        error=record_error(
            "Salesforce",
            first.get("statusCode"),
            first.get("message"),
            [str(f) for f in first.get("fields") or []],
            redact=adapter.session.redact,
        ),
    )
