"""What to do with one record: pure decisions, kept apart from I/O so they are easy to test.

"Both sides changed" means: the vendor's version differs from the last version
we pulled (the stored `content_hash`) AND the record has a pending local edit.
The connection's conflict policy then decides:
- timestamp: field by field (core.sync.merge): fields changed on one side only are
  taken from that side; a field changed on both sides goes to the more recent change
  (ties go to the vendor, the system of record, compared at the vendor's resolution:
  whole seconds for some vendors). A record with no pending edit fields left to
  compare (a local create, say) is decided whole by the same rule;
- manual: held for review, both versions kept, nothing overwritten;
- skip: neither side touched, logged.
A deletion made in ToothPick against a vendor edit is decided whole by the same rules
(timestamp: the later of the two wins). A vendor deletion against a pending local edit
is a deletion (held for approval where the connection asks): a deleted record has
nothing left to merge an edit into.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from core.models import ConflictPolicy, Record, RecordVersion

# The pull decides on the stored record's version (no data); the push has the whole Record.
Stored = Record | RecordVersion


class PullDecision(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    DELETE = "delete"
    HOLD_DELETE = "hold_delete"  # approve-deletes: a person confirms first
    TAKE_REMOTE = "take_remote"  # both changed, the vendor wins: local edit dropped
    KEEP_LOCAL = "keep_local"  # both changed, ours wins: keep edit, remember vendor base
    CONFLICT = "conflict"  # both changed, held for review
    SKIP = "skip"  # both changed, policy says leave both
    MERGE = "merge"  # both changed, timestamp policy: field by field (core.sync.merge)


class PushDecision(StrEnum):
    PUSH = "push"
    TAKE_REMOTE = "take_remote"
    CONFLICT = "conflict"
    SKIP = "skip"
    MERGE = "merge"


def local_wins(local_changed_at: datetime | None, remote_updated_at: datetime | None) -> bool:
    if local_changed_at is None:
        return False
    if remote_updated_at is None:
        return True
    if remote_updated_at.microsecond == 0:
        # A vendor time in whole seconds (Zoho, Pipedrive, Odoo) only says "during this
        # second": compare at its resolution, so that a same-second tie goes to the vendor.
        local_changed_at = local_changed_at.replace(microsecond=0)
    return local_changed_at > remote_updated_at


def _both_changed(
    policy: ConflictPolicy, local: Stored, remote_updated_at: datetime | None
) -> PullDecision:
    if policy is ConflictPolicy.MANUAL:
        return PullDecision.CONFLICT
    if policy is ConflictPolicy.SKIP:
        return PullDecision.SKIP
    if local.local_change:
        return PullDecision.MERGE
    if local_wins(local.local_changed_at, remote_updated_at):
        return PullDecision.KEEP_LOCAL
    return PullDecision.TAKE_REMOTE


def decide_pull(
    *,
    local: Stored | None,
    remote_hash: str,
    remote_deleted: bool,
    remote_updated_at: datetime | None,
    policy: ConflictPolicy,
    approve_deletes: bool,
) -> PullDecision:
    if remote_deleted:
        if local is None or local.deleted:
            return PullDecision.UNCHANGED
        return PullDecision.HOLD_DELETE if approve_deletes else PullDecision.DELETE
    if local is None:
        return PullDecision.CREATE
    if local.local_delete:  # deleted in ToothPick, not yet pushed
        if local.content_hash == remote_hash:
            return PullDecision.UNCHANGED  # the vendor's is the version we deleted
        return _both_changed(policy, local, remote_updated_at)  # decided whole: no fields
    if local.content_hash == remote_hash and not local.deleted:
        return PullDecision.UNCHANGED
    if local.local_change is None:
        return PullDecision.UPDATE
    return _both_changed(policy, local, remote_updated_at)


def decide_push(
    *,
    local: Record,
    remote_hash: str | None,
    remote_updated_at: datetime | None,
    policy: ConflictPolicy,
) -> PushDecision:
    """`remote_hash` None: the record is new on our side or the vendor has no version."""
    if remote_hash is None or remote_hash == local.content_hash:
        return PushDecision.PUSH
    decision = _both_changed(policy, local, remote_updated_at)
    return {
        PullDecision.CONFLICT: PushDecision.CONFLICT,
        PullDecision.SKIP: PushDecision.SKIP,
        PullDecision.KEEP_LOCAL: PushDecision.PUSH,
        PullDecision.MERGE: PushDecision.MERGE,
    }.get(decision, PushDecision.TAKE_REMOTE)
