"""An admin adding, renaming or deleting a custom field between two syncs.

Vendors let an admin change an object's custom fields at any time (Salesforce and
Zoho let the API name itself be edited; elsewhere a "rename" of the API name is a
delete and a new field). Integrations then meet a field they never heard of, or
lose one they read: the sandbox's control API applies such a change
(`PUT /__sandbox__/<system>/<tenant>/objects/<object>/fields`) to a tenant's
collection, and every vendor's metadata API and records follow it, as does each
vendor's own answer to a query naming a field that no longer exists.

    >>> change = FieldChange.from_json({"rename": {"Old__c": "New__c"}})
    >>> row = {"Old__c": 1}; change.move_values(row); row
    {'New__c': 1}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, get_args

from sandbox.core.schema import FieldDef, FieldType

Drawn = list[tuple[FieldDef, FieldDef | None]]


class FieldChangeError(ValueError):
    """The change names a field that is not there, or one that already is."""


@dataclass(frozen=True)
class FieldChange:
    add: tuple[FieldDef, ...] = ()
    rename: Mapping[str, str] = field(default_factory=dict)
    delete: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, body: Any) -> FieldChange:
        """`{"add": [{"name", "type"?, "label"?, "options"?}], "rename": {"old": "new"},
        "delete": ["name"]}`."""
        if not isinstance(body, dict) or not set(body) <= {"add", "rename", "delete"}:
            raise FieldChangeError('body must be {"add": [...], "rename": {...}, "delete": [...]}')
        added = []
        for item in body.get("add") or ():
            if not isinstance(item, dict) or not isinstance(item.get("name"), str):
                raise FieldChangeError('each added field is {"name": ..., "type"?: ...}')
            kind = item.get("type", "string")
            if kind not in get_args(FieldType) or kind in ("id", "reference"):
                raise FieldChangeError(f"cannot add a field of type {kind!r}")
            options = tuple(str(o) for o in item.get("options") or ())
            label = str(item.get("label") or "")
            added.append(FieldDef(item["name"], kind, label=label, options=options, custom=True))
        rename = body.get("rename") or {}
        delete = body.get("delete") or []
        if not isinstance(rename, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in rename.items()
        ):
            raise FieldChangeError('rename is {"old name": "new name"}')
        if not isinstance(delete, list) or not all(isinstance(n, str) for n in delete):
            raise FieldChangeError("delete is a list of field names")
        return cls(add=tuple(added), rename=dict(rename), delete=tuple(delete))

    def apply(self, drawn: Drawn, *, standard: Mapping[str, FieldDef]) -> Drawn:
        """The custom fields after the change: deleted ones keep their place in the draw
        order (so other fields keep their values), added ones draw after every other."""
        current = {now.name for _d, now in drawn if now is not None}
        for name in [*self.rename, *self.delete]:
            if name not in current:
                raise FieldChangeError(f"no custom field {name!r} to change")
        taken = (current - set(self.rename) - set(self.delete)) | set(standard)
        for name in [*self.rename.values(), *(f.name for f in self.add)]:
            if name in taken:
                raise FieldChangeError(f"a field {name!r} exists already")
            taken.add(name)
        out: Drawn = []
        for first, now in drawn:
            if now is not None and now.name in self.delete:
                now = None
            elif now is not None and now.name in self.rename:
                now = replace(now, name=self.rename[now.name], label="")
            out.append((first, now))
        return out + [(f, f) for f in self.add]

    def move_values(self, fields: dict[str, Any]) -> None:
        """A stored record's values under the new names (a deleted field's value is gone)."""
        for name in self.delete:
            fields.pop(name, None)
        moved = {new: fields.pop(old) for old, new in self.rename.items() if old in fields}
        fields.update(moved)

    def names(self) -> Sequence[str]:
        return [*self.delete, *self.rename, *self.rename.values(), *(f.name for f in self.add)]
