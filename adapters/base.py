"""The Adapter protocol: the only face of a vendor that the sync engine sees.

An adapter speaks one vendor's dialect (auth, paging, rate limits, mapping)
and hands the engine canonical records. It never touches the store: refreshed
OAuth tokens go back through `AdapterContext.save_secret`, which the service
seals and stores. Each system declares itself once in a `SystemInfo` (the
connection form, the entities it supports and why not, incremental cursors,
writability); the registry, the forms on the dashboard and the API all read it.
Those declaration types live in core.schemas (the dashboard reads them without
importing an adapter) and are re-exported here for the adapters.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Protocol

from pydantic import SecretStr

from adapters.outbound import OutboundPolicy
from core.models import Connection, Entity
from core.page_budget import PageBudget
from core.schemas import (  # declared in core; re-exported for the adapters
    EntitySupport,
    FieldKind,
    FormField,
    SignInMethod,
    SystemInfo,
    VendorField,
)

if TYPE_CHECKING:
    from adapters.budget import AccountBudget

# --- what flows between an adapter and the engine ---------------------------------------


@dataclass
class RemoteRecord:
    """One vendor record, already mapped to the canonical entity."""

    external_id: str
    data: dict[str, Any]
    updated_at: datetime | None = None
    created_at: datetime | None = None
    deleted: bool = False


@dataclass
class RecordFailure:
    """A record the adapter could not map; `reason` is written for the person fixing it."""

    external_id: str | None
    reason: str


@dataclass
class RemotePage:
    """One page of a read. `resume` is the opaque position after this page
    (the engine checkpoints it); None means the stream is complete."""

    records: list[RemoteRecord]
    failures: list[RecordFailure] = field(default_factory=list)
    resume: dict[str, Any] | None = None
    # How many records the read yields from this page on (this page's included), when the
    # vendor's answer says so (Salesforce totalSize, OData __count, Oracle totalResults...):
    # set on a read's first page only; it is what gives live progress an end.
    total: int | None = None


@dataclass
class OutboundRecord:
    """A local change to push. `external_id` None (or `local:...`) means create.

    A create's `local:` id is its correlation key: adapters write it with the create
    (Salesforce's external-id field, Pipedrive's correlation field) so that a create
    repeated after a lost answer finds the record it made instead of making a second.
    `maybe_sent` says this create may have reached the vendor before (the run was taken
    over, or an earlier push of it failed): where the vendor has no upsert, the adapter
    looks the correlation key up before creating again.
    """

    external_id: str | None
    data: dict[str, Any]  # canonical fields to write
    changed_fields: tuple[str, ...] = ()
    maybe_sent: bool = False

    @property
    def creating(self) -> bool:
        return self.external_id is None or self.external_id.startswith("local:")


@dataclass
class WriteResult:
    """Outcome per OutboundRecord, in the same order."""

    external_id: str | None  # what was sent (None/local id for creates)
    new_external_id: str | None = None  # the vendor's id after the write
    updated_at: datetime | None = None  # the vendor's modified time after the write
    error: str | None = None  # the vendor's code and words for this record alone


@dataclass
class ConnectionCheck:
    ok: bool
    message: str  # what the vendor said, in words
    details: dict[str, str] = field(default_factory=dict)


@dataclass
class CallStats:
    """Counters the shared HTTP layer keeps; the engine reads them per entity."""

    api_calls: int = 0
    retries: int = 0
    rate_limit_wait_s: float = 0.0
    pages: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)  # adapters.budget.CallKind values
    # The same counters for the calls made for each entity (adapters.budget.counting_for);
    # the totals above also hold the calls made for none.
    by_entity: dict[str, CallStats] = field(default_factory=dict)

    def add(
        self,
        *,
        api_calls: int = 0,
        retries: int = 0,
        rate_limit_wait_s: float = 0.0,
        kind: str | None = None,
        entity: str | None = None,
    ) -> None:
        """Count into the totals and, for a call made for an entity, into its share."""
        for stats in (self, self.by_entity.setdefault(entity, CallStats())) if entity else (self,):
            if kind is not None:
                stats.by_kind[kind] = stats.by_kind.get(kind, 0) + api_calls
            stats.api_calls += api_calls
            stats.retries += retries
            stats.rate_limit_wait_s += rate_limit_wait_s

    def snapshot(self) -> CallStats:
        return CallStats(
            self.api_calls,
            self.retries,
            self.rate_limit_wait_s,
            self.pages,
            dict(self.by_kind),
            {entity: stats.snapshot() for entity, stats in self.by_entity.items()},
        )

    def minus(self, earlier: CallStats) -> CallStats:
        """What was counted since `earlier` (a snapshot of the same counters); no shares."""
        kinds = {k: n - earlier.by_kind.get(k, 0) for k, n in self.by_kind.items()}
        return CallStats(
            self.api_calls - earlier.api_calls,
            self.retries - earlier.retries,
            self.rate_limit_wait_s - earlier.rate_limit_wait_s,
            self.pages - earlier.pages,
            {k: n for k, n in kinds.items() if n},
        )

    def share(self, entity: str | None) -> CallStats:
        """One entity's calls; None: the calls made for no entity (totals less shares)."""
        if entity is not None:
            return self.by_entity.get(entity, CallStats()).snapshot()
        rest = CallStats(self.api_calls, self.retries, self.rate_limit_wait_s, self.pages)
        rest.by_kind = dict(self.by_kind)
        for stats in self.by_entity.values():
            rest = rest.minus(stats)
        return rest


@dataclass
class AdapterContext:
    """What an adapter is built from. `save_secret` stores refreshed tokens (sealed)."""

    connection: Connection
    secret: Mapping[str, SecretStr]
    save_secret: Callable[[dict[str, str]], None] = lambda _fields: None
    connect_timeout_s: float = 5.0
    read_timeout_s: float = 30.0
    ca_bundle: Path | None = None  # extra CA certificates to trust (TOOTHPICK_CA_BUNDLE)
    # where the joined CA bundle is written (owner-only); None: a private temporary directory
    data_dir: Path | None = None
    outbound: OutboundPolicy = field(default_factory=OutboundPolicy)  # what may be called
    # a person is waiting (dashboard "Test", field discovery): short timeouts, one attempt
    interactive: bool = False
    # the vendor account's shared limiter, breaker and meter (None: the adapter's own)
    budget: AccountBudget | None = None
    # pages of one entity fetched at once where the paging allows it (adapters.prefetch)
    pages_in_flight: int = 1
    # the process's budget of pages held between fetching and storing: a page fetched
    # ahead takes a spare token of it, so memory stays flat however many streams page ahead
    page_budget: PageBudget | None = None


IdOrder = Literal["number", "text"]  # how a vendor compares ids in a range filter


class Adapter(Protocol):
    info: ClassVar[SystemInfo]
    stats: CallStats

    def check(self) -> ConnectionCheck:
        """Authenticate and make one cheap read; never raises for a refusal (ok=False)."""
        ...

    def discover_fields(self, entity: Entity) -> list[VendorField]: ...

    def check_fields(self, entity: Entity) -> None:
        """InvalidInputError, in one line, when the connection's mapping names vendor fields
        the vendor no longer has (renamed or deleted by its admin): the engine asks before
        an entity's first read or write of a run (adapters.mapped_fields)."""
        ...

    def read(
        self, entity: Entity, *, since: datetime | None, resume: dict[str, Any] | None
    ) -> Iterator[RemotePage]:
        """Pages of records modified after `since` (all when None), oldest change first
        where the vendor can sort so; restarts after the page that produced `resume`."""
        ...

    def page_records(self, entity: Entity) -> int:
        """The most records a page of `entity` brings, where the adapter asks for a page
        size (0: the vendor decides): what a stream's read-ahead takes of the page budget
        before its first page (core.page_budget), so a HubSpot stream's first page waits
        in line as the 100 or 200 records it is, not as 1,000."""
        ...

    def pulled_fields(self, entity: Entity, fields: Sequence[str]) -> list[str]:
        """Those of `fields` (canonical names) the connection's mapping reads from the vendor."""
        ...

    def read_fields(self, entity: Entity, fields: Sequence[str]) -> Iterator[RemotePage]:
        """Every record (a full read) carrying only those of `fields` it pulls, unvalidated
        (a part of a record): the vendor is asked for the id, the modified stamp and those
        fields alone where it lets the read choose (a mapping change's backfill)."""
        ...

    def fetch(self, entity: Entity, external_ids: Sequence[str]) -> list[RemoteRecord]:
        """Current vendor versions of a few records (conflict checks before a push)."""
        ...

    def write(self, entity: Entity, records: Sequence[OutboundRecord]) -> list[WriteResult]: ...

    def delete(self, entity: Entity, external_ids: Sequence[str]) -> list[WriteResult]:
        """Delete these records at the vendor (deletes made in ToothPick), by its batch
        delete where it has one. One WriteResult per id, in order: no error when the record
        is deleted or was already gone (so a delete repeated after a lost answer is safe),
        else the vendor's code and words for that record alone. Whole-call failures
        (credentials, 5xx after the retries, rate limits) raise, as `write`'s do; an entity
        the vendor takes no writes of is refused as `write` refuses it."""
        ...

    def count(self, entity: Entity) -> int | None:
        """How many live records the vendor holds, by its cheapest means (one call: SOQL
        COUNT(), HubSpot's search total, Oracle's totalResults...); None where it has none.
        Reconciliation compares it with what the hub holds after a full sync."""
        ...

    def id_listing(self, entity: Entity) -> Iterator[str] | None:
        """The ids of the vendor's live records by its cheapest listing (SOQL `SELECT Id`,
        Odoo's `search`): reconciliation narrows a count difference with it. None where
        the vendor has none cheaper than reading the records."""
        ...

    def id_listing_page(self, entity: Entity) -> int:
        """How many ids one call of id_listing returns (0: there is no id listing), so
        reconciliation can tell whether a listing costs fewer calls than a bisection."""
        ...

    def id_order(self, entity: Entity) -> IdOrder | None:
        """How the vendor orders this entity's ids in a range filter ("number": as
        integers, "text": as strings, byte by byte), when it can count and list a range
        of them (count_range, list_range); None where it cannot: reconciliation then
        narrows a count difference by a listing of every id or record."""
        ...

    def count_range(self, entity: Entity, lo: str | None, hi: str | None) -> int:
        """Live records whose id is in [lo, hi) (None: unbounded), by the vendor's
        cheapest filtered count (one call). Only where id_order is not None."""
        ...

    def list_range(self, entity: Entity, lo: str | None, hi: str | None) -> list[str]:
        """Ids of the live records in [lo, hi), for a range a count said differs (small:
        a page or two). Only where id_order is not None."""
        ...

    def close(self) -> None: ...


__all__ = [
    "Adapter",
    "AdapterContext",
    "CallStats",
    "ConnectionCheck",
    "EntitySupport",
    "FieldKind",
    "FormField",
    "IdOrder",
    "OutboundRecord",
    "RecordFailure",
    "RemotePage",
    "RemoteRecord",
    "SignInMethod",
    "SystemInfo",
    "VendorField",
    "WriteResult",
]
