"""Per-tenant Salesforce metadata: objects and fields by case-insensitive name,
relationship names, and how to read any field (stored, system or computed)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sandbox.core import Entry, FieldDef, Tenant
from sandbox.core.timefmt import formatter
from sandbox.salesforce.fields import AUTONUMBER, COMPUTED_NAME, SYSTEM

Getter = Callable[[Entry], Any]

NAME_FIELD = FieldDef("Name", "string", updateable=False, label="Full Name", length=121)
DATETIME_SYSTEM = {"CreatedDate", "LastModifiedDate", "SystemModstamp"}


sf_datetime = formatter(suffix="+0000")  # 2024-01-31T10:00:00.000+0000, Salesforce's JSON


def relationship_name(field_name: str) -> str | None:
    return field_name[:-2] if field_name.endswith("Id") and field_name != "Id" else None


@dataclass
class SfObject:
    name: str
    key_prefix: str
    label: str
    label_plural: str
    writable: bool
    fields: dict[str, FieldDef] = field(default_factory=dict)  # canonical name -> def
    by_lower: dict[str, str] = field(default_factory=dict)  # lower name -> canonical
    relationships: dict[str, tuple[str, str]] = field(
        default_factory=dict
    )  # lower rel -> (fk, target)
    integration_user: str = ""

    def canonical(self, name: str) -> str | None:
        return self.by_lower.get(name.lower())

    def is_stored(self, name: str) -> bool:
        definition = self.fields[name]
        return not (definition in SYSTEM or (name == "Name" and self.name in COMPUTED_NAME))

    def getter(self, name: str) -> Getter:
        """A fast reader of one field's raw value (system datetimes as epoch ms)."""
        if name == "Id":
            return lambda e: e.id
        if name == "IsDeleted":
            return lambda e: e.deleted
        if name == "CreatedDate":
            return lambda e: e.created_ms
        if name in ("LastModifiedDate", "SystemModstamp"):
            return lambda e: e.modified_ms
        if name in ("CreatedById", "LastModifiedById"):
            user = self.integration_user
            return lambda e: user
        if name == "Name" and self.name in COMPUTED_NAME:
            return lambda e: " ".join(
                part for part in (e.fields.get("FirstName"), e.fields.get("LastName")) if part
            )
        return lambda e: e.fields.get(name)

    def json_getter(self, name: str) -> Getter:
        """Like `getter` but rendered as Salesforce writes it in JSON."""
        raw = self.getter(name)
        if name in DATETIME_SYSTEM:
            return lambda e: sf_datetime(raw(e))
        return raw

    def attributes(self, version: str, record_id: str) -> dict[str, str]:
        return {
            "type": self.name,
            "url": f"/services/data/v{version}/sobjects/{self.name}/{record_id}",
        }


def schema_of(tenant: Tenant) -> dict[str, SfObject]:
    """Lower-case object name -> SfObject for this tenant (cached in tenant.extras)."""
    cached: dict[str, SfObject] | None = tenant.schema_cache.get("sf_schema")
    if cached is not None:
        return cached
    integration_user = tenant.id_of("User", 0)
    objects: dict[str, SfObject] = {}
    for name, spec in tenant.specs.items():
        collection = tenant.collection(name)
        obj = SfObject(
            name=name,
            key_prefix=spec.ids.format(0)[:3],
            label=spec.label or name,
            label_plural=spec.label_plural or name + "s",
            writable=spec.writable,
            integration_user=integration_user,
        )
        definitions = list(SYSTEM) + list(collection.fields)
        if name in COMPUTED_NAME:
            definitions.append(NAME_FIELD)
        for definition in definitions:
            obj.fields[definition.name] = definition
            obj.by_lower[definition.name.lower()] = definition.name
            rel = relationship_name(definition.name)
            if definition.type == "reference" and definition.reference_to and rel:
                obj.relationships[rel.lower()] = (definition.name, definition.reference_to)
        objects[name.lower()] = obj
    tenant.schema_cache["sf_schema"] = objects
    return objects


def autonumber_field(object_name: str) -> str | None:
    return AUTONUMBER.get(object_name)
