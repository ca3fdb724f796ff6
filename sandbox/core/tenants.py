"""Tenants: one vendor account each, with its own credentials, seed, scale and data.

A vendor ships `TenantConfig`s (at least two: "acme" and "globex"); the sandbox
turns each into a `Tenant` holding lazily created collections, a rate budget and
a scratch dict (`extras`) for vendor runtime state such as query cursors. Writes
go through `Tenant.create/update/delete` so that every change, whichever door
it came through, bumps the vendor's modified time and reaches webhooks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

from sandbox.core.clock import now_ms
from sandbox.core.collection import Collection
from sandbox.core.draw import Draw, collection_key
from sandbox.core.entry import Entry
from sandbox.core.field_changes import FieldChange
from sandbox.core.limits import RateBudget, RateLimitConfig
from sandbox.core.schema import FieldDef, ObjectSpec
from sandbox.core.webhooks import ChangeEvent, ChangeKind


@dataclass(frozen=True)
class TenantConfig:
    """A vendor account as shipped. `credentials` keys are the vendor's own vocabulary
    (e.g. "username", "private_app_token", "api_token"); `settings` holds other
    vendor facts (org id, portal id, company currency)."""

    name: str
    seed: int
    credentials: Mapping[str, str]
    scale: Mapping[str, int] = field(default_factory=dict)
    custom_fields: Mapping[str, tuple[FieldDef, ...]] = field(default_factory=dict)
    limits: RateLimitConfig = field(default_factory=RateLimitConfig)
    token_ttl_s: int = 3600
    settings: Mapping[str, Any] = field(default_factory=dict)
    description: str = ""


class Tenant:
    def __init__(
        self,
        system: str,
        config: TenantConfig,
        specs: Mapping[str, ObjectSpec],
        *,
        scale_overrides: Mapping[str, int] | None = None,
        emit: Callable[[ChangeEvent], None] | None = None,
        sequence: Callable[[], int] | None = None,
    ) -> None:
        self.system = system
        self.config = config
        self._shipped = config  # what a reset goes back to (custom fields may be added)
        self.name = config.name
        self.specs = dict(specs)
        self.budget = RateBudget(config.limits)
        self.extras: dict[str, Any] = {}
        # What vendors derive from the objects' fields (describe, $metadata, fields_get):
        # dropped whenever an admin changes a field (change_fields) and on reset.
        self.schema_cache: dict[str, Any] = {}
        self._field_changes: dict[str, list[FieldChange]] = {}
        self._overrides = dict(scale_overrides or {})
        self._scale: dict[str, int] = {}
        self._collections: dict[str, Collection] = {}
        self._emit = emit or (lambda event: None)
        self._sequence = sequence or (lambda: 0)

    # --- GenContext ----------------------------------------------------------------

    @property
    def tenant_name(self) -> str:
        return self.name

    def set_clock(
        self, *, skew_ms: int | None, frozen_at_ms: int | None, repeat: bool = False
    ) -> None:
        """Skew (ms ahead of real time; negative: behind) or freeze the vendor's clock. A
        clock set back stamps the next writes earlier than the last ones, as a vendor's
        corrected clock does. `repeat`: writes may share a time (frozen: all at one)."""
        self.extras["clock_skew_ms"], self.extras["clock_frozen_ms"] = skew_ms, frozen_at_ms
        self.extras["clock_repeat"] = repeat
        for collection in self._collections.values():
            collection.follow_clock(repeat=repeat)

    def vendor_now_ms(self) -> int:
        """Skewed or frozen through the control API (`PUT .../clock`); a reset drops it."""
        frozen = self.extras.get("clock_frozen_ms")
        if frozen is not None:
            return int(frozen)
        return now_ms() + int(self.extras.get("clock_skew_ms") or 0)

    def result_cap(self, name: str, published: int) -> int:
        """How many results one query of the vendor pages through (`name` as the vendor
        declares it in `Vendor.caps`; `published` is its own figure). A test lowers it
        through the control API (`PUT .../caps`) so that a catch-up past HubSpot's 10,000
        needs a few hundred records, not ten thousand; a reset drops it."""
        return int(self.extras.get("caps", {}).get(name, published))

    def set_result_caps(self, caps: Mapping[str, int]) -> None:
        """Lowered (or raised) caps by name until the next call or reset; `{}`: the
        vendor's published ones."""
        self.extras["caps"] = dict(caps)

    @property
    def settings(self) -> Mapping[str, Any]:
        return self.config.settings

    def count(self, object_name: str) -> int:
        return self.scale_of(object_name)

    def ref_index(self, object_name: str, draw: Draw) -> int | None:
        total = self._scale.get(object_name)
        if total is None:
            total = self.scale_of(object_name)
        return draw.below(total) if total else None

    def ref(self, object_name: str, draw: Draw) -> str | None:
        total = self._scale.get(object_name)
        if total is None:
            total = self.scale_of(object_name)
        return self.specs[object_name].ids.format(draw.below(total)) if total else None

    def id_of(self, object_name: str, index: int) -> str:
        return self.specs[object_name].ids.format(index)

    # --- data ------------------------------------------------------------------------

    def scale_of(self, object_name: str) -> int:
        found = self._scale.get(object_name)
        if found is not None:
            return found
        spec = self.specs[object_name]
        value = self.config.scale.get(object_name, spec.default_scale)
        for key in (f"{self.system}.{object_name}", object_name, f"{self.system}.*", "*"):
            if key in self._overrides:
                value = self._overrides[key]
                break
        self._scale[object_name] = value
        return value

    def collection(self, object_name: str) -> Collection:
        """The object's collection; KeyError if this vendor has no such object."""
        found = self._collections.get(object_name)
        if found is None:
            spec = self.specs[object_name]
            found = Collection(
                spec,
                key=collection_key(self.system, self.name, self.config.seed, object_name),
                count=self.scale_of(object_name),
                ctx=self,
                custom_fields=tuple(self.config.custom_fields.get(object_name, ())),
            )
            for change in self._field_changes.get(object_name, ()):
                found.change_fields(change)
            found.follow_clock(repeat=bool(self.extras.get("clock_repeat")))
            self._collections[object_name] = found
        return found

    def custom_fields(self, object_name: str) -> tuple[FieldDef, ...]:
        """The object's custom fields now: as shipped, then as an admin changed them."""
        if object_name not in self._field_changes:
            return tuple(self.config.custom_fields.get(object_name, ()))
        return self.collection(object_name).custom_fields

    def custom_field_map(self) -> dict[str, tuple[FieldDef, ...]]:
        names = set(self.config.custom_fields) | set(self._field_changes)
        return {name: self.custom_fields(name) for name in names}

    def change_fields(self, object_name: str, change: FieldChange) -> tuple[FieldDef, ...]:
        """Add, rename or delete custom fields of one object (sandbox.core.field_changes);
        FieldChangeError if the change does not fit the fields as they are."""
        self.collection(object_name).change_fields(change)
        self._field_changes.setdefault(object_name, []).append(change)
        self.schema_cache.clear()
        return self.collection(object_name).custom_fields

    def set_scale(self, scale: Mapping[str, int]) -> None:
        """Change base record counts; an object whose scale changes starts afresh."""
        for object_name, value in scale.items():
            if object_name not in self.specs:
                raise KeyError(object_name)
            if value < 0:
                raise ValueError(f"scale of {object_name} must not be negative")
        for object_name, value in scale.items():
            self._scale[object_name] = value
            self._collections.pop(object_name, None)

    def add_custom_fields(self, object_name: str, fields: tuple[FieldDef, ...]) -> None:
        """Give the object more custom fields (after its shipped ones) until the next reset.
        The object starts afresh, its records generated with values in every field, and
        what vendors derived from the field lists (metadata, renderers) is dropped from
        `extras` (the vendor clock's settings stay)."""
        if object_name not in self.specs:
            raise KeyError(object_name)
        known = {f.name for f in self.config.custom_fields.get(object_name, ())}
        added = tuple(f for f in fields if f.name not in known)
        custom = dict(self.config.custom_fields)
        custom[object_name] = (*custom.get(object_name, ()), *added)
        self.config = replace(self.config, custom_fields=custom)
        self._collections.pop(object_name, None)
        for key in [k for k in self.extras if not k.startswith("clock_")]:
            del self.extras[key]

    def reset(self, scale: Mapping[str, int] | None = None) -> None:
        """Back to the shipped data: overlay, scale overrides, added custom fields, budget
        and extras dropped."""
        self.config = self._shipped
        self._collections.clear()
        self._scale.clear()  # also the memo of resolved defaults
        self.extras.clear()
        self.schema_cache.clear()
        self._field_changes.clear()
        self.budget.reset()
        if scale:
            self.set_scale(scale)

    @contextmanager
    def atomic(self) -> Iterator[None]:
        """All the writes in the block, or none of them if it raises (webhook events already
        sent for undone writes are not taken back)."""
        collections = list(self._collections.values())
        for collection in collections:
            collection.begin()
        try:
            yield
        except BaseException:
            for collection in collections:
                collection.rollback()
            raise
        for collection in collections:
            collection.commit()

    def create(
        self,
        object_name: str,
        fields: Mapping[str, Any],
        *,
        source: str = "api",
        record_id: str | None = None,
    ) -> Entry:
        entry = self.collection(object_name).create(fields, record_id=record_id)
        self._changed(object_name, entry, "created", tuple(fields), None, source)
        return entry

    def update(
        self, object_name: str, record_id: str, fields: Mapping[str, Any], *, source: str = "api"
    ) -> Entry:
        collection = self.collection(object_name)
        before = collection.get(record_id)
        entry = collection.update(record_id, fields)
        previous = dict(before.fields) if before is not None else None
        changed = tuple(k for k in fields if previous is None or previous.get(k) != fields[k])
        self._changed(object_name, entry, "updated", changed, previous, source)
        return entry

    def delete(
        self, object_name: str, record_id: str, *, hard: bool = False, source: str = "api"
    ) -> Entry:
        entry = self.collection(object_name).delete(record_id, hard=hard)
        self._changed(object_name, entry, "deleted", (), dict(entry.fields), source)
        return entry

    def _changed(
        self,
        object_name: str,
        entry: Entry,
        kind: ChangeKind,
        changed: tuple[str, ...],
        previous: dict[str, Any] | None,
        source: str,
    ) -> None:
        self._emit(
            ChangeEvent(
                system=self.system,
                tenant=self.name,
                object=object_name,
                record_id=entry.id,
                kind=kind,
                occurred_ms=entry.modified_ms,
                fields=dict(entry.fields),
                changed=changed,
                previous=previous,
                source=source,
                sequence=self._sequence(),
            )
        )
