"""Field-level merging under the timestamp policy: a conflict is one field changed on both sides.

When the vendor changed a record that also has a pending local edit, the
timestamp policy does not pick a whole record: every field the vendor changed
that we did not edit is taken, every field we edited that the vendor did not
change is kept (and pushed), and only a field both sides changed is decided by
the later change. Knowing "the vendor changed this field" needs the vendor's
value when we edited it (the base): the record history keeps it, as the
`before` of the local edits since the last vendor version.

    >>> merge_fields(remote={"title": "CFO", "phone": "2"}, local_change={"phone": "3"},
    ...              base={"phone": "1"}, local_wins=False).conflicts
    ['phone']
    >>> merge_fields(remote={"title": "CFO", "phone": "1"}, local_change={"phone": "3"},
    ...              base={"phone": "1"}, local_wins=False).data
    {'title': 'CFO', 'phone': '3'}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from core.models import ChangeKind, Entity
from core.store.base import Store

# Local edits pile up between two pulls; more than this many is a record to decide whole.
HISTORY_DEPTH = 50


@dataclass(frozen=True)
class FieldMerge:
    data: dict[str, Any]  # the vendor's version with the surviving local edits on top
    pending: dict[str, Any]  # local edits still to push
    conflicts: list[str]  # fields changed on both sides
    vendor_won: list[str]  # conflicting fields where the vendor's later change was taken


def merge_fields(
    *,
    remote: Mapping[str, Any],
    local_change: Mapping[str, Any],
    base: Mapping[str, Any],
    local_wins: bool,
) -> FieldMerge:
    """`base`: the vendor's value of each locally edited field when it was edited (a field
    missing from it is treated as changed by the vendor too: the later change decides)."""
    conflicts = sorted(
        name
        for name, value in local_change.items()
        if remote.get(name) != value and (name not in base or remote.get(name) != base[name])
    )
    vendor_won = [] if local_wins else conflicts
    pending = {
        name: value
        for name, value in local_change.items()
        if remote.get(name) != value and name not in vendor_won
    }
    return FieldMerge({**remote, **pending}, pending, conflicts, vendor_won)


def local_base(
    store: Store, organisation_id: str, connection_id: str, entity: Entity, external_id: str
) -> dict[str, Any]:
    """The vendor's values of the locally edited fields: the `before` of the oldest local
    edit of each field since the last vendor version was stored."""
    base: dict[str, Any] = {}
    history = store.record_history(
        organisation_id, connection_id, entity, external_id, limit=HISTORY_DEPTH
    )
    for change in history:  # newest first; an older edit's `before` replaces a newer one's
        if change.kind is not ChangeKind.LOCAL_EDIT:
            break
        base.update(change.before or {})
    return base
