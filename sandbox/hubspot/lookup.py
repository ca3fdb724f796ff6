"""Finding records by id or by a unique property (contacts' email), in O(overlay)."""

from __future__ import annotations

import re

from sandbox.core import Collection, Entry

_INDEX_IN_EMAIL = re.compile(r"(\d+)@")


def by_email(collection: Collection, email: str, *, include_deleted: bool = False) -> Entry | None:
    """Base emails embed the record index (first.last<index>@domain), so a look-up is
    one generation plus a pass over the overlay, at any scale."""
    wanted = email.strip().lower()
    for entry in collection.overlay_entries():
        value = entry.fields.get("email")
        if (
            isinstance(value, str)
            and value.lower() == wanted
            and (include_deleted or not entry.deleted)
        ):
            return entry
    match = _INDEX_IN_EMAIL.search(wanted)
    if match is None:
        return None
    index = int(match.group(1))
    if index >= collection.count or collection.is_overlaid(index):
        return None
    entry = collection.generate(index)
    value = entry.fields.get("email")
    return entry if isinstance(value, str) and value.lower() == wanted else None


def find(
    collection: Collection,
    object_type: str,
    key: str,
    id_property: str | None,
    *,
    include_deleted: bool = False,
) -> Entry | None:
    if id_property in (None, "", "hs_object_id"):
        return collection.get(key, include_deleted=include_deleted)
    if object_type == "contacts" and id_property == "email":
        return by_email(collection, key, include_deleted=include_deleted)
    definition = collection.field_index.get(str(id_property))
    if definition is not None and definition.external_id:  # a unique custom property
        return next(
            (
                e
                for e in collection.overlay_entries()  # generated records leave it empty
                if e.fields.get(definition.name) == key and (include_deleted or not e.deleted)
            ),
            None,
        )
    return None


class UniqueIndex:
    """Live records by one unique property, built with one pass over the overlay: a batch
    upsert of 100 inputs looks each up here instead of passing over the overlay 100 times.
    Base records are found as `find` finds them (emails embed their index; other unique
    properties are empty on generated records)."""

    def __init__(self, collection: Collection, object_type: str, name: str) -> None:
        self.collection, self.object_type, self.name = collection, object_type, name
        self._by_value: dict[str, Entry] = {}
        for entry in collection.overlay_entries():
            value = entry.fields.get(name)
            if isinstance(value, str) and not entry.deleted:
                self._by_value.setdefault(self._key(value), entry)

    def _key(self, value: str) -> str:
        return value.strip().lower() if self.name == "email" else value

    def find(self, value: str) -> Entry | None:
        found = self._by_value.get(self._key(value))
        if found is not None:
            current = self.collection.get(found.id)  # written since: read it again
            if current is not None and current.fields.get(self.name) == found.fields.get(self.name):
                return current
        if self.name != "email":
            return None
        match = _INDEX_IN_EMAIL.search(self._key(value))
        if match is None or int(match.group(1)) >= self.collection.count:
            return None
        index = int(match.group(1))
        if self.collection.is_overlaid(index):
            return None
        entry = self.collection.generate(index)
        email = entry.fields.get("email")
        return entry if isinstance(email, str) and email.lower() == self._key(value) else None

    def add(self, entry: Entry) -> None:
        value = entry.fields.get(self.name)
        if isinstance(value, str):
            self._by_value[self._key(value)] = entry
