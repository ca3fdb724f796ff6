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
