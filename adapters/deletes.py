"""Deletes made in ToothPick, carried to the vendor: the shared mechanics.

The goal of a delete is a state (the vendor no longer holds the record), so a record
the vendor says it does not have (a 404, Salesforce's ENTITY_IS_DELETED, Zoho's
INVALID_DATA for a well-formed id...) counts as deleted: a delete repeated after a
lost answer, or of a record someone already removed at the vendor, succeeds. A
refusal of one record is that record's error alone, worded as a write's
(adapters.record_errors); a refusal of the whole call (credentials, 5xx after the
retries, the daily quota) raises, as `write` does.

Deleting calls are charged as writes (`kind=CallKind.WRITE`) whatever the HTTP layer
would guess from `idempotent=True`, which a delete is (repeating it is harmless, so the
session may retry it after a lost answer) and which it reads as a search's POST. The
calls a delete makes on the way (a token refresh, SAP's CSRF fetch, Odoo's search)
keep their own kinds. (Odoo's RPC names no kind per call: its unlink runs in a
`counting_as(CallKind.WRITE)` block.)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from adapters.base import WriteResult
from adapters.record_errors import is_record_level
from core.errors import RecordError, VendorError


def deleted(external_id: str) -> WriteResult:
    """The record is gone at the vendor (deleted now, or already)."""
    return WriteResult(external_id)


def refused(external_id: str, reason: str) -> WriteResult:
    return WriteResult(external_id, error=reason)


def not_deletable(reason: str, ids: Sequence[str]) -> list[WriteResult]:
    """Each id refused in words, without a call, where the vendor's API has no delete of
    an object it lets us write (`EntitySpec.undeletable`: why, and what a person can do
    instead). The service refuses such deletions up front; this guards the push."""
    return [refused(external_id, reason) for external_id in ids]


def each(ids: Sequence[str], delete_one: Callable[[str], None]) -> list[WriteResult]:
    """One call per record (vendors without a batch delete): a 404 is a record already
    gone; any other refusal of the record is its error; a whole-call failure raises."""
    return [_one(external_id, delete_one) for external_id in ids]


def _one(external_id: str, delete_one: Callable[[str], None]) -> WriteResult:
    try:
        delete_one(external_id)
    except RecordError as exc:
        return refused(external_id, str(exc))
    except VendorError as exc:
        if not is_record_level(exc):
            raise
        return deleted(external_id) if exc.status in (404, 410) else refused(external_id, str(exc))
    return deleted(external_id)
