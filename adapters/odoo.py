"""Odoo: XML-RPC up to 18, /json/2 from 19 (chosen from the server's version), as an ERP.

Reads are `search_read` on the entity's model with `active_test` off (archived
records come along, so archival is seen), paged by id within a write_date window:

    [["write_date", ">=", since], ["write_date", "<", bound], ["id", ">", last_id]]
    order "id asc", limit = the connection's page size

not by offset over `write_date asc, id asc`. Offset paging over a sort key that
moves skips a record whenever one on an earlier page is edited mid-read (every
later record shifts up a position), and the cursor then passes the skipped one
for good. Ids never move; the bound (the newest write_date when the read began,
plus a second, as Odoo shows seconds but keeps microseconds) keeps edits made
during the read out of it, so the committed cursor stays below them and the
next incremental read picks them up. A page therefore costs O(page) on Odoo's
primary key however deep the read is. With pages in flight, the read first lists
its ids (`search`, ids only, in place of the first page's `search_count`) and asks
for the id windows `(after_id, upto_id]` at once (adapters.odoo_paging).

Deletions: archival (`active = False`) and leaving the entity's scope (a quote
confirmed into an order, a customer's rank back to 0) arrive as changed records
and are carried as deletions; incremental reads drop the scope filter so those
departures are seen. `unlink` is a hard delete Odoo keeps no trace of, so after
its pages each read lists the model's live ids (`search`, ids only) and reports
every id missing between the smallest and largest live one as deleted (a no-op
for ids never synced; adapters.odoo_sweep). Turn `detect_deletions` off where churn
makes that list large (stock quants come and go); Odoo's automated actions can also
post deletions.

Writes go in bulk (adapters.odoo_writes): products and customers through `load`,
Odoo's import, one call a batch, each new record under an external id derived
from its local id so that a create sent twice updates rather than duplicates;
quotes (which carry lines) through `create` on a list and `write` on ids that
share their values. The reconciliation's counts and id listings use the entities'
live scopes (adapters.odoo_reconcile); custom fields come from `fields_get`
(adapters.odoo_fields).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from adapters import odoo_fields, odoo_reconcile
from adapters import odoo_maps as maps
from adapters.auth import Authenticator, TokenAuth
from adapters.base import (
    AdapterContext,
    IdOrder,
    OutboundRecord,
    RemotePage,
    RemoteRecord,
    VendorField,
    WriteResult,
)
from adapters.base_adapter import (
    BaseAdapter,
    EntitySpec,
    _is_record_level,
    declare_system,
)
from adapters.convert import read_datetime
from adapters.mapping import FieldMap
from adapters.odoo_paging import IdWindowPaginator
from adapters.odoo_reconcile import ALL_IDS
from adapters.odoo_rpc import OdooOrm
from adapters.odoo_sweep import sweep
from adapters.odoo_writes import Job, OdooWriter, unlink_records
from adapters.paging import PageRequest
from adapters.payload import Reply
from adapters.registry import register
from core.errors import RecordError
from core.models import Direction, Entity, System

DELETED = "_toothpick_deleted"
ODOO_TIME = "%Y-%m-%d %H:%M:%S"


def _spec(entity: Entity, model: str, fields: FieldMap, *, writable: bool = False) -> EntitySpec:
    return EntitySpec(
        entity,
        model,
        fields,
        key="id",
        cursor="write_date",
        created="create_date",
        deleted=DELETED,
        paginator=IdWindowPaginator,
        writable=writable,
    )


SPECS = (
    _spec(Entity.PRODUCT, "product.product", maps.PRODUCT, writable=True),
    _spec(Entity.CUSTOMER, "res.partner", maps.CUSTOMER, writable=True),
    _spec(Entity.ORDER, "sale.order", maps.ORDER),
    _spec(Entity.QUOTE, "sale.order", maps.QUOTE, writable=True),
    _spec(Entity.INVENTORY, "stock.quant", maps.INVENTORY),
)


@register
class OdooAdapter(BaseAdapter):
    info = declare_system(
        System.ODOO,
        label="Odoo",
        form=maps.FORM,
        specs=SPECS,
        unsupported={},
        auth="Database, login and API key (XML-RPC up to 18; bearer API key on /json/2 from 19)",
        docs_url="https://www.odoo.com/documentation/19.0/developer/reference/external_api.html",
        write_batch_size=200,  # records per `load` call: one import of a batch
    )
    specs = SPECS

    def __init__(self, context: AdapterContext, **options: Any) -> None:
        config = context.connection.config
        self.page_size = max(1, min(int(config.get("page_size") or maps.DEFAULT_PAGE), 5000))
        self.sweep = bool(config.get("detect_deletions", True))
        super().__init__(context, **options)
        self.orm = OdooOrm(
            self.session,
            db=str(config.get("database", "")),
            login=str(config.get("login", "")),
            key=self.secret("api_key"),
            protocol=str(config.get("protocol") or "auto"),
        )

    # --- hooks ---------------------------------------------------------------------------

    def base_url(self) -> str:
        return str(self.config.get("url", "")).rstrip("/")

    def authenticator(self) -> Authenticator:
        return TokenAuth.bearer(self.secret("api_key"), scheme="bearer")  # only /json/2 uses it

    def default_headers(self) -> dict[str, str]:
        return {
            **super().default_headers(),
            "X-Odoo-Database": str(self.config.get("database", "")),
        }

    def probe(self) -> str:
        said = self.orm.check()
        count = self.orm.call("res.partner", "search_count", params={"domain": []})
        return f"{said}; {count} contacts in database {self.orm.db!r}"

    def count(self, entity: Entity) -> int | None:
        return odoo_reconcile.count(self, entity)

    def id_listing(self, entity: Entity) -> Iterator[str] | None:
        return odoo_reconcile.id_listing(self, entity)

    def id_listing_page(self, entity: Entity) -> int:
        return ALL_IDS  # `search` without a limit: every id in one call

    def id_order(self, entity: Entity) -> IdOrder | None:
        """Odoo ids are integers; a domain compares them as such."""
        return "number"

    def count_range(self, entity: Entity, lo: str | None, hi: str | None) -> int:
        return odoo_reconcile.count_range(self, entity, lo, hi)

    def list_range(self, entity: Entity, lo: str | None, hi: str | None) -> list[str]:
        return odoo_reconcile.list_range(self, entity, lo, hi)

    def spec(self, entity: Entity) -> EntitySpec:
        """With pages in flight, the read lists its ids first and fetches id windows at once
        (adapters.odoo_paging); one page at a time, plain keyset pages."""
        spec = super().spec(entity)
        if self.context.pages_in_flight <= 1:
            return spec
        lister = partial(self._listed_ids, spec)
        return replace(spec, paginator=lambda: IdWindowPaginator(lister))

    def page_records(self, entity: Entity) -> int:
        return self.page_size

    def first_request(self, spec: EntitySpec, since: datetime | None) -> PageRequest:
        fields_wanted, full_domain, _scope, fixed = maps.SCOPES[spec.entity]
        domain = [*fixed, *(full_domain if since is None else [])]
        if since is not None:
            domain.append(["write_date", ">=", since.strftime(ODOO_TIME)])
        wanted = self.field_map(spec.entity).vendor_paths(Direction.PULL)
        fields = list(dict.fromkeys(["id", "write_date", "create_date", *fields_wanted, *wanted]))
        body = {"domain": domain, "fields": fields, "limit": self.page_size, "order": "id asc"}
        return PageRequest(
            "POST", spec.vendor_object, json={**body, "context": {"active_test": False}}
        )

    def send_page(self, spec: EntitySpec, request: PageRequest) -> Reply:
        params = {**(request.json or {}), "domain": self._domain(spec, request)}
        rows = self.orm.call(spec.vendor_object, "search_read", params=params)
        return Reply(200, {}, rows if isinstance(rows, list) else [], spec.vendor_object)

    def _domain(self, spec: EntitySpec, request: PageRequest) -> list[Any]:
        """The page's domain: the read's filter, its upper edge and the id window."""
        if "until" not in request.params:
            request.params["until"] = self._bound(spec)
        domain = list((request.json or {}).get("domain", []))
        if request.params.get("until"):
            domain.append(["write_date", "<", request.params["until"]])
        if request.params.get("after_id"):
            domain.append(["id", ">", int(request.params["after_id"])])
        if request.params.get("upto_id") is not None:
            domain.append(["id", "<=", int(request.params["upto_id"])])
        return domain

    def _listed_ids(self, spec: EntitySpec, request: PageRequest, limit: int) -> list[int]:
        """The ids the read's next pages hold, ascending: `search` over the pages' domain."""
        found = self.orm.call(
            spec.vendor_object,
            "search",
            params={
                "domain": self._domain(spec, request),
                "order": "id asc",
                "limit": limit,
                "context": (request.json or {}).get("context") or {},
            },
        )
        return sorted(int(i) for i in found or [])

    def reported_total(self, spec: EntitySpec, request: PageRequest, reply: Reply) -> int | None:
        """search_count over the first page's domain: one more call, for progress with an end
        (none where the read listed its ids first: their number)."""
        if isinstance(request.params.get("listed"), int):
            return int(request.params["listed"])
        counted = self.orm.call(
            spec.vendor_object,
            "search_count",
            params={"domain": self._domain(spec, request), "context": {"active_test": False}},
        )
        return counted if isinstance(counted, int) and not isinstance(counted, bool) else None

    def records(self, spec: EntitySpec, reply: Reply) -> list[Any]:
        rows = list(reply.body or [])
        if spec.fields.lines is not None and rows:
            self._attach_lines(rows)
        return rows

    def to_page(self, spec: EntitySpec, fields: FieldMap, raw: Sequence[Any]) -> RemotePage:
        scope = maps.SCOPES[spec.entity][2]
        marked = [
            {**row, DELETED: scope is not None and not scope(row)}
            if isinstance(row, Mapping)
            else row
            for row in raw
        ]
        return super().to_page(spec, fields, marked)

    def read(
        self, entity: Entity, *, since: datetime | None, resume: dict[str, Any] | None
    ) -> Iterator[RemotePage]:
        spec = self.spec(entity)
        if not (resume and resume.get("sweep")):
            # map, not a loop: a suspended loop keeps its last page (core.page_budget)
            yield from map(self._then_sweep, super().read(entity, since=since, resume=resume))
        if self.sweep:
            yield from sweep(self, spec, after=int((resume or {}).get("after_id", 0)))

    def _then_sweep(self, page: RemotePage) -> RemotePage:
        """The listing's last page leads on to the sweep of deleted ids, where there is one."""
        if page.resume is None and self.sweep:
            page.resume = {"sweep": True, "after_id": 0}
        return page

    def fetch(self, entity: Entity, external_ids: Sequence[str]) -> list[RemoteRecord]:
        spec = self.spec(entity)
        ids = [int(i) for i in external_ids if str(i).isdigit()]
        if not ids:
            return []
        request = self.first_request(spec, None)
        params = {**(request.json or {}), "domain": [["id", "in", ids]], "limit": len(ids)}
        rows = self.orm.call(spec.vendor_object, "search_read", params=params)
        raw = self.records(spec, Reply(200, {}, rows, spec.vendor_object))
        return [r for r in self.to_page(spec, self.field_map(entity), raw).records if not r.deleted]

    def write(self, entity: Entity, records: Sequence[OutboundRecord]) -> list[WriteResult]:
        """A batch in a few calls (adapters.odoo_writes): `load` with external ids for
        flat records, `create`/`write` on lists for documents with lines."""
        spec, fields = self.writable_spec(entity), self.field_map(entity)
        results: dict[int, WriteResult] = {}
        jobs: list[Job] = []
        for position, record in enumerate(records):
            creating = record.creating
            try:
                payload = (
                    fields.to_vendor(record.data, creating=True)
                    if creating
                    else fields.to_vendor(record.data, changed=record.changed_fields or None)
                )
                values = self._vendor_values(spec, payload, creating=creating)
            except RecordError as exc:
                results[position] = WriteResult(record.external_id, error=str(exc))
                continue
            jobs.append(Job(position, record, values))
        writer = OdooWriter(self.orm, record_level=_is_record_level)
        results.update(
            writer.write(spec.vendor_object, jobs, documents=spec.fields.lines is not None)
        )
        return [results[position] for position in range(len(records))]

    def delete(self, entity: Entity, external_ids: Sequence[str]) -> list[WriteResult]:
        """`search` for the ids still there, then one `unlink` (adapters.odoo_writes)."""
        spec = self.writable_spec(entity)
        return unlink_records(
            self.orm, spec.vendor_object, external_ids, record_level=_is_record_level
        )

    def field_names(self, spec: EntitySpec) -> set[str]:
        return odoo_fields.field_names(self, spec)

    def custom_fields(self, spec: EntitySpec) -> list[VendorField]:
        return odoo_fields.custom_fields(self, spec)

    # --- helpers ---------------------------------------------------------------------------

    def _bound(self, spec: EntitySpec) -> str | None:
        """One second past the newest write_date now: the read's upper edge (None: empty)."""
        newest = self.orm.call(
            spec.vendor_object,
            "search_read",
            params={
                "domain": [],
                "fields": ["write_date"],
                "limit": 1,
                "order": "write_date desc",
                "context": {"active_test": False},
            },
        )
        if not newest or not newest[0].get("write_date"):
            return None
        return (read_datetime(newest[0]["write_date"]) + timedelta(seconds=1)).strftime(ODOO_TIME)

    def _attach_lines(self, orders: list[dict[str, Any]]) -> None:
        by_order = self.orm.lines_of([int(o["id"]) for o in orders], maps.LINE_FIELDS)
        for order in orders:
            order["order_line"] = by_order.get(int(order["id"]), [])

    def _vendor_values(
        self, spec: EntitySpec, payload: dict[str, Any], *, creating: bool
    ) -> dict[str, Any]:
        values = dict(payload)
        if spec.entity is Entity.CUSTOMER and creating:
            values.setdefault("customer_rank", 1)  # in scope: a customer, not a mere contact
        if "order_line" in values:
            lines = [[0, 0, line] for line in values.pop("order_line") or []]
            values["order_line"] = lines if creating else [[5, 0, 0], *lines]
        return values
