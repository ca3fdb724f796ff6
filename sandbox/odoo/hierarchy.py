"""`child_of` and `parent_of`: the domain operators that walk `parent_id` chains.

`("id", "child_of", 5)` matches record 5 and everything below it; on a many2one
(`("categ_id", "child_of", 2)`) the linked record's chain is walked instead.
Only the simple form is supported (ids, not names), walking at most 64 levels.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

PARENT = "parent_id"
MAX_DEPTH = 64


class Records(Protocol):
    def value(self, model: str, record: Any, field: str) -> Any: ...

    def record(self, model: str, record_id: int) -> Any | None: ...


def hierarchy(
    operator: str, operand: Any, model: str, target: str, name: str, db: Records
) -> Callable[[Any], bool]:
    roots = operand if isinstance(operand, list | tuple) else [operand]
    wanted = {int(item) for item in roots if isinstance(item, int) and not isinstance(item, bool)}

    def chain(record: Any, record_model: str) -> list[int]:
        ids: list[int] = []
        current = record
        while current is not None and len(ids) < MAX_DEPTH:
            ids.append(int(current.id))
            parent = db.value(record_model, current, PARENT)
            current = db.record(record_model, parent) if parent else None
        return ids

    def matches(record: Any) -> bool:
        if name == "id":
            start, start_model = record, model
        else:
            value = db.value(model, record, name)
            start = db.record(target, value) if value else None
            start_model = target
        if start is None:
            return False
        if operator == "child_of":
            return bool(wanted & set(chain(start, start_model)))
        found = (db.record(start_model, i) for i in wanted)
        return any(int(start.id) in chain(root, start_model) for root in found if root is not None)

    return matches
