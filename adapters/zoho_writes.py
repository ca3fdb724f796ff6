"""Zoho CRM deletes: `DELETE /crm/v2/{module}?ids=a,b`, 100 ids a call, answered id by id.

Zoho answers each id in `data[i]` (`status` success or error, with its `code`,
`message` and `details.id`), 200 when all went, 207 when some did, 400 when none did.
An id Zoho holds no record of is answered INVALID_DATA ("the id given seems to be
invalid"), for an id deleted before as for a typo: for a well-formed id (Zoho's ids are
numbers) the record is gone, which is the goal; a malformed one is refused as it is.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from adapters import deletes
from adapters.base import WriteResult
from adapters.failures import error_code
from adapters.record_errors import record_error
from adapters.spec import EntitySpec
from core.errors import VendorError
from core.iterables import batched

if TYPE_CHECKING:
    from adapters.zoho import ZohoAdapter

DELETE_LIMIT = 100
ALREADY_GONE = "INVALID_DATA"
WELL_FORMED = re.compile(r"\d{1,30}")


def delete_records(adapter: ZohoAdapter, spec: EntitySpec, ids: Sequence[str]) -> list[WriteResult]:
    results: list[WriteResult] = []
    for chunk in batched(list(ids), DELETE_LIMIT):
        results += _delete(adapter, spec, chunk)
    return results


def _delete(adapter: ZohoAdapter, spec: EntitySpec, chunk: list[str]) -> list[WriteResult]:
    reply = adapter.session.request_json(
        "DELETE", spec.endpoint, params={"ids": ",".join(chunk)}, accept_errors=True
    )  # a write, safe to repeat
    rows = reply.body.get("data") if isinstance(reply.body, dict) else None
    if not isinstance(rows, list) or len(rows) != len(chunk):
        said = error_code(reply.body) or f"HTTP {reply.status}"
        raise VendorError(f"Zoho CRM refused the {spec.vendor_object} delete ({said})")
    return [
        _result(adapter, external_id, row) for external_id, row in zip(chunk, rows, strict=True)
    ]


def _result(adapter: ZohoAdapter, external_id: str, row: Any) -> WriteResult:
    row = row if isinstance(row, dict) else {}
    code = row.get("code")
    gone = code == ALREADY_GONE and WELL_FORMED.fullmatch(external_id) is not None
    if row.get("status") == "success" or gone:
        return deletes.deleted(external_id)
    words = record_error("Zoho CRM", code, row.get("message"), redact=adapter.session.redact)
    return deletes.refused(external_id, words)
