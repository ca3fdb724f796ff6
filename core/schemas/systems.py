"""How each system declares itself: its connection form, its entities and why not.

Adapters declare a `SystemInfo` once; the service hands the same objects to the
dashboard's forms, the CLI and the API, so those never import an adapter.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from core.models import Entity, System, SystemKind


class FieldKind(StrEnum):
    TEXT = "text"
    URL = "url"
    SECRET = "secret"  # a password input, stored only sealed
    INTEGER = "integer"
    BOOLEAN = "boolean"
    CHOICE = "choice"


@dataclass(frozen=True)
class FormField:
    """One input of a system's connection form."""

    name: str
    label: str
    kind: FieldKind = FieldKind.TEXT
    required: bool = True
    default: str | int | bool | None = None
    help: str = ""
    choices: tuple[str, ...] = ()
    placeholder: str = ""

    @property
    def secret(self) -> bool:
        return self.kind is FieldKind.SECRET


@dataclass(frozen=True)
class SignInMethod:
    """One way to sign in to a system (a system with several lets the user choose first).

    `fields` are the form fields only this method uses (the form shows them when it
    is chosen, and sends the others blank); `required` are those it cannot do
    without; `sets` are choice fields the method fixes (e.g. auth_method=oauth2).

        SignInMethod("token", "Private app token", fields=("private_app_token",),
                     required=("private_app_token",))
    """

    name: str
    label: str
    fields: tuple[str, ...] = ()
    required: tuple[str, ...] = ()
    sets: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class EntitySupport:
    """How (and whether) a system carries one canonical entity."""

    entity: Entity
    vendor_object: str | None
    supported: bool = True
    reason: str | None = None  # why not, in words, when unsupported
    incremental_cursor: str | None = None  # vendor field for incremental reads
    writable: bool = False
    deletions: bool = False  # the vendor exposes deletions/archival we carry over
    undeletable: str | None = None  # writable, but its API deletes none: why, in words


@dataclass(frozen=True)
class SystemInfo:
    system: System
    label: str
    kind: SystemKind
    form: tuple[FormField, ...]
    entities: tuple[EntitySupport, ...]
    auth: str  # one line: how this system authenticates
    docs_url: str = ""
    sign_in: tuple[SignInMethod, ...] = ()  # empty: one way in, every field shown
    # Records the engine hands `Adapter.write` at once: the vendor's own per-call limit
    # (Salesforce collections 200, HubSpot and Zoho 100), so one push batch is one call.
    write_batch_size: int = 50

    def sign_in_method(self, name: str | None) -> SignInMethod | None:
        return next((m for m in self.sign_in if m.name == name), None)

    def support(self, entity: Entity) -> EntitySupport:
        for item in self.entities:
            if item.entity is entity:
                return item
        return EntitySupport(
            entity, None, supported=False, reason=f"{self.label} has no {entity.value} entity."
        )

    @property
    def supported_entities(self) -> list[Entity]:
        return [item.entity for item in self.entities if item.supported]

    @property
    def secret_fields(self) -> list[str]:
        return [f.name for f in self.form if f.secret]

    @property
    def bound_fields(self) -> list[str]:
        """Fields that say where the secrets are used (URLs, Odoo's database): changing one
        requires entering the secrets again (core.bindings)."""
        return [f.name for f in self.form if f.kind is FieldKind.URL or f.name in _PLACE_FIELDS]


# Non-URL fields that say *where* credentials are used (Odoo: one server, many databases).
_PLACE_FIELDS = frozenset({"database", "tenant", "domain", "company_domain"})


@dataclass
class VendorField:
    """A vendor field offered for mapping (custom fields are the reason this exists)."""

    name: str
    label: str
    type: str
    custom: bool
    writable: bool = True
