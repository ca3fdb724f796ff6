"""EntitySpec: how one canonical entity is read from (and written to) a vendor.

A vendor adapter declares one spec per supported entity, a handful of
attributes in the manner of Singer SDK streams; `declare_system` turns the
specs plus the honest refusals into the SystemInfo the registry, the forms and
the API read.

    CONTACTS = EntitySpec(
        Entity.CONTACT, "Contact", CONTACT_MAP,
        path="/services/data/v60.0/query", records_path="records", key="Id",
        cursor="SystemModstamp", created="CreatedDate", deleted="IsDeleted",
        paginator=lambda: NextUrlPaginator(next_path="nextRecordsUrl"), writable=True,
    )
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

from adapters.base import (
    EntitySupport,
    FormField,
    RecordFailure,
    RemotePage,
    RemoteRecord,
    SignInMethod,
    SystemInfo,
)
from adapters.convert import ConversionError, read_datetime
from adapters.mapping import FieldMap
from adapters.paging import Paginator, SinglePage
from adapters.paths import dig, digger
from core.errors import RecordError
from core.models import SYSTEM_KIND, Entity, System

Dig = Callable[[Any, Any], Any]  # adapters.paths.digger: a path's dig, split once


@dataclass(frozen=True)
class EntitySpec:
    """How one canonical entity is read from (and written to) the vendor."""

    entity: Entity
    vendor_object: str  # "Contact", "contacts", "res.partner", "A_Product", "itemsV2"
    fields: FieldMap
    path: str = ""  # endpoint relative to the base URL; "" means `vendor_object`
    records_path: str = ""  # where the list sits in the body ("records", "d.results")
    key: str = "id"  # the vendor's record id
    cursor: str | None = None  # modification time: incremental filter and updated_at
    created: str | None = None
    deleted: str | None = None  # truthy means deleted or archived at the vendor
    paginator: Callable[[], Paginator] = SinglePage
    writable: bool = False
    # Writable, but the vendor's API deletes none: why, and what a person does instead
    # (a deletion made in ToothPick is refused up front with these words).
    undeletable: str | None = None

    @property
    def endpoint(self) -> str:
        return self.path or self.vendor_object

    def support(self) -> EntitySupport:
        return EntitySupport(
            self.entity,
            self.vendor_object,
            incremental_cursor=self.cursor,
            writable=self.writable,
            deletions=self.deleted is not None,
            undeletable=self.undeletable,
        )

    def to_page(self, fields: FieldMap, raw: Sequence[Any]) -> RemotePage:
        """Map vendor records; one that cannot be mapped becomes a RecordFailure in words.
        A deleted record need not be complete: its data may stay empty."""
        page = RemotePage(records=[])
        key_of, deleted_of, updated_of, created_of = self._diggers
        for item in raw:
            key = key_of(item, None)
            external_id = str(key) if key not in (None, "") else None
            deleted = bool(deleted_of(item, None)) if deleted_of is not None else False
            try:
                if external_id is None:
                    raise RecordError(
                        f"a {self.entity.value} arrived without its {self.key}; it was skipped"
                    )
                data = fields.to_canonical(item, external_id=external_id)
            except RecordError as exc:
                if not deleted or external_id is None:
                    page.failures.append(RecordFailure(external_id, str(exc)))
                    continue
                data = {}
            updated = _time(updated_of(item, None)) if updated_of is not None else None
            created = _time(created_of(item, None)) if created_of is not None else None
            page.records.append(RemoteRecord(external_id, data, updated, created, deleted))
        return page

    @cached_property
    def _diggers(self) -> tuple[Dig, Dig | None, Dig | None, Dig | None]:
        """The key's, deletion flag's and timestamps' paths, split once (to_page reads
        them from every record)."""
        return (
            digger(self.key),
            digger(self.deleted) if self.deleted else None,
            digger(self.cursor) if self.cursor else None,
            digger(self.created) if self.created else None,
        )


def declare_system(
    system: System,
    *,
    label: str,
    form: Sequence[FormField],
    specs: Sequence[EntitySpec],
    unsupported: Mapping[Entity, str],
    auth: str,
    docs_url: str = "",
    sign_in: Sequence[SignInMethod] = (),
    write_batch_size: int = 50,
) -> SystemInfo:
    """A SystemInfo whose entity list comes from the specs plus the honest refusals."""
    entities = [spec.support() for spec in specs]
    entities += [
        EntitySupport(entity, None, supported=False, reason=reason)
        for entity, reason in unsupported.items()
    ]
    return SystemInfo(
        system,
        label,
        SYSTEM_KIND[system],
        tuple(form),
        tuple(entities),
        auth,
        docs_url,
        sign_in=tuple(sign_in),
        write_batch_size=write_batch_size,
    )


def read_time(item: Any, path: str | None) -> datetime | None:
    """A vendor timestamp at `path`, or None when absent or unreadable."""
    return _time(dig(item, path) if path else None)


def _time(value: Any) -> datetime | None:
    if value in (None, "", False):
        return None
    try:
        return read_datetime(value)
    except (ConversionError, ValueError, TypeError, OverflowError):
        return None
