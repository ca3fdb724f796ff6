"""A record's history as both stores give it: a creation's data read back from the record.

Why: a creation's change entry used to repeat the whole record as its `after`,
so a first sync wrote every record twice. It now stores no data; the record
itself holds it, and every later change keeps the fields it changed (before
and after), so walking the history newest first from the record's current
data undoes one change at a time and arrives at the data as it was created.

    >>> from core.models import ChangeKind, Entity, RecordChange
    >>> def change(kind, before=None, after=None):
    ...     return RecordChange(organisation_id="o", connection_id="c", entity=Entity.CONTACT,
    ...                         external_id="1", kind=kind, before=before, after=after)
    >>> history = [change(ChangeKind.UPDATED, {"phone": "1"}, {"phone": "2", "fax": "9"}),
    ...            change(ChangeKind.CREATED)]
    >>> with_creation(history, {"name": "Ada", "phone": "2", "fax": "9"})[1].after
    {'name': 'Ada', 'phone': '1'}
"""

from __future__ import annotations

from typing import Any

from core.models import ChangeKind, RecordChange


def needs_data(history: list[RecordChange]) -> bool:
    """True when a creation in `history` kept no data (the record's data is needed)."""
    return any(c.kind is ChangeKind.CREATED and c.after is None for c in history)


def with_creation(
    history: list[RecordChange], current: dict[str, Any] | None
) -> list[RecordChange]:
    """`history` newest first, each data-less creation given the data it created."""
    data = dict(current or {})
    filled: list[RecordChange] = []
    for change in history:
        if change.kind is ChangeKind.CREATED and change.after is None:
            change = change.model_copy(update={"after": dict(data)})
        filled.append(change)
        before, after = change.before or {}, change.after or {}
        if change.kind is ChangeKind.CREATED:
            data = {}  # an older entry belongs to an earlier life of the id
            continue
        for name in after.keys() - before.keys():
            data.pop(name, None)  # added by this change
        data.update(before)
    return filled
