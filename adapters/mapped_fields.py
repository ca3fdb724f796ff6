"""A mapped vendor field that the vendor no longer has: the entity stops, in one line,
before anything of it is read.

An admin renames or deletes a custom field between two runs. Most vendors then leave
it out of their answers (HubSpot ignores an unknown property, Pipedrive omits the key),
which looks exactly like an empty value: the hub would store the field emptied, or keep
it stale, and end green. Others refuse the whole query (Salesforce INVALID_FIELD, Odoo
"Invalid field", SAP and Zoho 400) in words that do not say what to do. So before an
entity's first read or write of a run, the vendor fields its connection's overrides map
(the adapter's default map is the vendor's standard, held by its own tests) are looked
up in the vendor's metadata: one listing per entity and run, counted as METADATA calls.
An absent value proves nothing (a value can be legitimately empty); the metadata does.

    >>> missing(["properties.tier", "properties.region"], {"properties.region"})
    ['properties.tier']
    >>> missing(["Account_Name.id"], {"Account_Name"})   # a path inside a known field
    []
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from adapters.mapping import FieldMap
from core.errors import InvalidInputError
from core.models import Entity


def mapped_by_overrides(default: FieldMap, mapped: FieldMap) -> list[str]:
    """The vendor paths the connection's overrides read or write beyond the default map."""
    standard = {rule.vendor for rule in default.rules}
    return [p for p in dict.fromkeys(r.vendor for r in mapped.rules) if p not in standard]


def missing(paths: Iterable[str], known: Collection[str], *, fold_case: bool = False) -> list[str]:
    """Those of `paths` whose field is not among `known` (a path may go inside a known field:
    `Account.Name`, `ItemDFF.items.0.x`, `to_Text/Name`)."""
    names = {n.casefold() for n in known} if fold_case else set(known)
    gone = []
    for path in paths:
        seen = path.casefold() if fold_case else path
        heads = (seen[:i] for i, ch in enumerate(seen) if ch in "./")
        if seen not in names and not any(head in names for head in heads):
            gone.append(path)
    return gone


def fields_gone(
    vendor: str, vendor_object: str, entity: Entity, gone: list[str]
) -> InvalidInputError:
    """The one line a person can act on (the engine puts the entity in front)."""
    return InvalidInputError(
        f"{vendor} {vendor_object} no longer has the mapped field(s) {', '.join(gone)} "
        f"(renamed or deleted at the vendor), so nothing of {entity.value} was read or written; "
        f"fix the {entity.value} field mapping in the connection's settings, then sync again",
        field="field_overrides",
    )
