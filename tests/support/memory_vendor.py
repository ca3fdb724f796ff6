"""A scripted vendor for engine tests: an Adapter over an in-memory table.

The real proof of the engine runs against the sandbox over HTTP through the
real adapters (tests/proof/). This double exists for what the sandbox makes
slow or indirect to pin down exactly: each conflict policy, checkpoints after
every page, a failure at page N and the resume after it. It behaves like a
well-mannered vendor: records sorted by modified time then id, `since` is
inclusive, `resume` is the offset after a page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from adapters import registry
from adapters.base import (
    AdapterContext,
    CallStats,
    ConnectionCheck,
    EntitySupport,
    FieldKind,
    FormField,
    IdOrder,
    OutboundRecord,
    RemotePage,
    RemoteRecord,
    SystemInfo,
    VendorField,
    WriteResult,
)
from core.entities import validate_canonical
from core.errors import NotFoundError, TransientVendorError, VendorError
from core.models import Entity, System, SystemKind

T0 = datetime(2026, 1, 1, tzinfo=UTC)

MEMORY_INFO = SystemInfo(
    system=System.HUBSPOT,
    label="Memory CRM",
    kind=SystemKind.CRM,
    form=(),
    entities=(
        EntitySupport(
            Entity.CONTACT, "contacts", incremental_cursor="updated", writable=True, deletions=True
        ),
        EntitySupport(Entity.ACCOUNT, "companies", incremental_cursor="updated", writable=True),
    ),
    auth="none",
)


class WorkerKilled(BaseException):
    """Stands for SIGKILL in-process: nothing catches it, no outcome is recorded, the
    heartbeat stops. (tests/proof/test_worker_kill.py kills a real worker process.)"""


@dataclass
class VendorRow:
    data: dict[str, Any]
    updated_at: datetime
    deleted: bool = False


@dataclass
class MemoryVendor:
    """The vendor's side: tables of rows keyed by id, and a clock that moves forward."""

    tables: dict[Entity, dict[str, VendorRow]] = field(default_factory=dict)
    clock: datetime = T0
    next_id: int = 1000
    refuse_reads_with: Exception | None = None  # every read raises it while set
    refuse_checks_with: str | None = None  # a connection test is refused with this text
    kill_on_page: int | None = None  # the worker 'dies' (WorkerKilled) reading this page
    id_order: IdOrder | None = None  # counts and lists id ranges, ids compared so, when set
    counts: bool = True  # False: no count and no id listing (Pipedrive's persons)
    refuse_deletes: dict[str, str] = field(default_factory=dict)  # id -> the vendor's refusal

    def tick(self) -> datetime:
        self.clock += timedelta(seconds=1)
        return self.clock

    def put(self, entity: Entity, external_id: str, data: dict[str, Any]) -> None:
        self.tables.setdefault(entity, {})[external_id] = VendorRow(
            validate_canonical(entity, data), self.tick()
        )

    def delete(self, entity: Entity, external_id: str) -> None:
        row = self.tables[entity][external_id]
        row.deleted, row.updated_at = True, self.tick()

    def truth(self, entity: Entity) -> dict[str, dict[str, Any]]:
        return {k: r.data for k, r in self.tables.get(entity, {}).items() if not r.deleted}


class MemoryAdapter:
    info: ClassVar[SystemInfo] = MEMORY_INFO

    def __init__(self, vendor: MemoryVendor, *, page_size: int = 3) -> None:
        self.vendor = vendor
        self.page_size = page_size
        self.stats = CallStats()
        self.fail_on_page: int | None = None  # 1-based page number of the next read that fails
        self.reject_resume = False  # like an expired Salesforce query locator
        self.pages_served = 0
        self.written: list[OutboundRecord] = []
        self.deleted: list[str] = []  # ids sent to `delete`

    def check(self) -> ConnectionCheck:
        return ConnectionCheck(ok=True, message="memory vendor answers")

    def discover_fields(self, entity: Entity) -> list[VendorField]:
        return [VendorField(name="loyalty", label="Loyalty", type="string", custom=True)]

    def check_fields(self, entity: Entity) -> None:
        """Every field a mapping names is the memory vendor's (rows hold any key)."""

    def _remote(self, external_id: str, row: VendorRow) -> RemoteRecord:
        return RemoteRecord(
            external_id=external_id,
            data=dict(row.data),
            updated_at=row.updated_at,
            deleted=row.deleted,
        )

    def read(
        self, entity: Entity, *, since: datetime | None, resume: dict[str, Any] | None
    ) -> Iterator[RemotePage]:
        rows = sorted(
            (
                (row.updated_at, key, row)
                for key, row in self.vendor.tables.get(entity, {}).items()
                if since is None or row.updated_at >= since
            ),
            key=lambda item: (item[0], item[1]),
        )
        if self.vendor.refuse_reads_with is not None:
            raise self.vendor.refuse_reads_with
        if resume and self.reject_resume:
            raise VendorError("INVALID_QUERY_LOCATOR: the query locator expired", status=400)
        offset = int((resume or {}).get("offset", 0))
        while offset < len(rows):
            self.stats.api_calls += 1
            self.pages_served += 1
            if self.vendor.kill_on_page == self.pages_served:
                raise WorkerKilled(f"killed while reading page {self.pages_served}")
            if self.fail_on_page is not None and self.pages_served == self.fail_on_page:
                raise TransientVendorError("the memory vendor dropped the connection", status=503)
            chunk = rows[offset : offset + self.page_size]
            offset += len(chunk)
            yield RemotePage(
                records=[self._remote(key, row) for _, key, row in chunk],
                resume={"offset": offset} if offset < len(rows) else None,
                # counted like Salesforce's totalSize: on a fresh read's first page
                total=len(rows) if resume is None and offset == len(chunk) else None,
            )

    def pulled_fields(self, entity: Entity, fields: Sequence[str]) -> list[str]:
        return list(fields)  # it holds canonical records: every field is "mapped"

    def read_fields(self, entity: Entity, fields: Sequence[str]) -> Iterator[RemotePage]:
        wanted = set(fields)
        for page in self.read(entity, since=None, resume=None):
            for record in page.records:
                record.data = {k: v for k, v in record.data.items() if k in wanted}
            yield page

    def fetch(self, entity: Entity, external_ids: Sequence[str]) -> list[RemoteRecord]:
        self.stats.api_calls += 1
        table = self.vendor.tables.get(entity, {})
        return [self._remote(k, table[k]) for k in external_ids if k in table]

    def count(self, entity: Entity) -> int | None:
        if not self.vendor.counts:
            return None
        self.stats.api_calls += 1
        return len(self.vendor.truth(entity))

    def id_listing(self, entity: Entity) -> Iterator[str] | None:
        if not self.vendor.counts:
            return None
        self.stats.api_calls += 1
        return iter(sorted(self.vendor.truth(entity)))

    def page_records(self, entity: Entity) -> int:
        return self.page_size

    def id_listing_page(self, entity: Entity) -> int:
        return 0 if self.vendor.id_order else 2**31  # ranged: as a vendor without id listing

    def id_order(self, entity: Entity) -> IdOrder | None:
        return self.vendor.id_order  # None: reconciles by its id listing

    def count_range(self, entity: Entity, lo: str | None, hi: str | None) -> int:
        self.stats.api_calls += 1
        return len(self._range(entity, lo, hi))

    def list_range(self, entity: Entity, lo: str | None, hi: str | None) -> list[str]:
        self.stats.api_calls += 1
        return self._range(entity, lo, hi)

    def _range(self, entity: Entity, lo: str | None, hi: str | None) -> list[str]:
        key: Callable[[str], Any] = int if self.vendor.id_order == "number" else str
        return [
            i
            for i in sorted(self.vendor.truth(entity), key=key)
            if (lo is None or key(i) >= key(lo)) and (hi is None or key(i) < key(hi))
        ]

    def write(self, entity: Entity, records: Sequence[OutboundRecord]) -> list[WriteResult]:
        self.stats.api_calls += 1
        results = []
        for record in records:
            self.written.append(record)
            key = record.external_id
            if key is None or record.creating:
                self.vendor.next_id += 1
                key = str(self.vendor.next_id)
            self.vendor.put(entity, key, record.data)
            results.append(
                WriteResult(
                    external_id=record.external_id,
                    new_external_id=key,
                    updated_at=self.vendor.tables[entity][key].updated_at,
                )
            )
        return results

    def delete(self, entity: Entity, external_ids: Sequence[str]) -> list[WriteResult]:
        """One call; an id the vendor no longer has counts as deleted, as the real
        adapters report it; an id in `vendor.refuse_deletes` is refused alone."""
        self.stats.api_calls += 1
        results = []
        table = self.vendor.tables.get(entity, {})
        for external_id in external_ids:
            self.deleted.append(external_id)
            refusal = self.vendor.refuse_deletes.get(external_id)
            if refusal:
                results.append(WriteResult(external_id, error=refusal))
                continue
            row = table.get(external_id)
            if row is not None and not row.deleted:
                self.vendor.delete(entity, external_id)
            results.append(WriteResult(external_id))
        return results

    def close(self) -> None:
        return None


# --- the memory vendor behind the registry, for service-level tests ----------------------

MEMORY_FORM = (
    FormField(
        "base_url", "Base URL", FieldKind.URL, required=False, default="https://memory.invalid"
    ),
    FormField("api_token", "API token", FieldKind.SECRET),
)


@contextmanager
def memory_system(vendor: MemoryVendor, *, valid_token: str) -> Iterator[type[MemoryAdapter]]:
    """Serve `vendor` as the HubSpot system for the duration of a test, then restore
    whatever adapter was registered before."""

    class RegisteredMemoryAdapter(MemoryAdapter):
        info: ClassVar[SystemInfo] = replace(MEMORY_INFO, form=MEMORY_FORM)

        def __init__(self, context: AdapterContext) -> None:
            super().__init__(vendor)
            self.token = context.secret["api_token"].get_secret_value()

        def check(self) -> ConnectionCheck:
            if vendor.refuse_checks_with is not None:
                return ConnectionCheck(ok=False, message=vendor.refuse_checks_with)
            if self.token != valid_token:
                return ConnectionCheck(ok=False, message="the memory vendor refused the API token")
            return super().check()

    try:
        previous: Any = registry.adapter_class(System.HUBSPOT)
    except NotFoundError:
        previous = None
    registry.register(RegisteredMemoryAdapter)
    try:
        yield RegisteredMemoryAdapter
    finally:
        registry.unregister(System.HUBSPOT)
        if previous is not None:
            registry.register(previous)
