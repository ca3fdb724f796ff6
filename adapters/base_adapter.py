"""BaseAdapter: the Adapter protocol built once on the shared pieces.

A vendor adapter declares a SystemInfo, one EntitySpec per supported entity,
its rate limits, and overrides a few hooks where its API is its own
(`first_request` for filters and sort, `create`/`update` for writes,
`custom_fields` for its metadata API). Everything else (the read loop with
resume positions, mapping and validation, per-record failures, the session
with its limiter, breaker, retries and redaction, the refreshed-token hand-off)
is here.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import quote

import requests

from adapters import deletes
from adapters.auth import Authenticator
from adapters.base import (
    AdapterContext,
    CallStats,
    ConnectionCheck,
    FieldKind,
    IdOrder,
    OutboundRecord,
    RemotePage,
    RemoteRecord,
    SystemInfo,
    VendorField,
    WriteResult,
)
from adapters.budget import CallKind, counting_as
from adapters.circuit import CircuitBreaker
from adapters.failures import Resolution
from adapters.http import Reply, VendorSession
from adapters.mapped_fields import fields_gone, mapped_by_overrides, missing
from adapters.mapping import FieldMap
from adapters.oauth import EXPIRES_AT, TOKEN_METADATA, OAuth2
from adapters.paging import PageRequest
from adapters.paths import dig
from adapters.prefetch import fetch_pages
from adapters.ratelimit import RateHeaders, RateLimit, RateLimiter
from adapters.record_errors import is_record_level
from adapters.redaction import Redactor
from adapters.retry import RetryPolicy
from adapters.spec import EntitySpec, declare_system, read_time
from adapters.timing import SYSTEM_CLOCK, Clock
from adapters.tls import trust_store
from core.errors import (
    InvalidInputError,
    RecordError,
    ToothpickError,
    VendorError,
)
from core.models import Entity
from core.redaction import SHORT_LIVED_FIELDS

log = logging.getLogger("adapters")
USER_AGENT = "ToothPick-Integration-Hub/0.1"
# A person waiting for "Test connection" gets an answer in seconds, not a retry budget:
# one attempt, at most 3 s to connect and 10 s to answer.
INTERACTIVE_TIMEOUTS = (3.0, 10.0)
_GRANTED_TOKEN_FIELDS = ("access_token", "token_type", "expires_in", "scope", EXPIRES_AT)
INTERACTIVE_RETRY = RetryPolicy(max_attempts=1, max_retry_after_s=0.0, max_total_wait_s=0.0)


def _is_record_level(exc: VendorError) -> bool:
    """A refusal of this one record (400/404/409/412/422), not of the whole connection
    (adapters.record_errors, where deletes read it too)."""
    return is_record_level(exc)


def _timeouts(context: AdapterContext) -> tuple[float, float]:
    given = (context.connect_timeout_s, context.read_timeout_s)
    if not context.interactive:
        return given
    return min(given[0], INTERACTIVE_TIMEOUTS[0]), min(given[1], INTERACTIVE_TIMEOUTS[1])


class BaseAdapter:
    info: ClassVar[SystemInfo]
    specs: ClassVar[tuple[EntitySpec, ...]]
    rate_limits: ClassVar[tuple[RateLimit, ...]] = ()
    max_concurrent: ClassVar[int | None] = None
    rate_headers: ClassVar[RateHeaders | None] = None
    retry_policy: ClassVar[RetryPolicy] = RetryPolicy()
    # Query options that make the vendor report a read's total on its first page (OData's
    # $inlinecount, Oracle's totalResults): sent on that page only, as counting costs it.
    count_params: ClassVar[dict[str, str]] = {}
    # The vendor's field names ignore case (Salesforce): so does the mapped-field check.
    fold_field_case: ClassVar[bool] = False

    def __init__(
        self,
        context: AdapterContext,
        *,
        clock: Clock = SYSTEM_CLOCK,
        http: requests.Session | None = None,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.context = context
        self.config = context.connection.config
        self.stats = CallStats()
        self.clock = clock
        self._secret = {k: v.get_secret_value() for k, v in context.secret.items()}
        self._maps: dict[Entity, FieldMap] = {}
        self._selected: dict[Entity, FieldMap] = {}  # a read of some fields only (read_fields)
        self._fields_checked: set[Entity] = set()
        self.session = VendorSession(
            vendor=self.info.label,
            base_url=self.base_url,
            auth=self.authenticator(),
            stats=self.stats,
            limiter=self.account_limiter(self.rate_limits, max_concurrent=self.max_concurrent),
            rate_reader=self.rate_headers.read if self.rate_headers else None,
            breaker=context.budget.breaker(self.info.label, clock=clock)
            if context.budget is not None
            else CircuitBreaker(self.info.label, clock=clock),
            retry=INTERACTIVE_RETRY if context.interactive else self.retry_policy,
            classify=self.classify,
            redactor=Redactor(v for k, v in self._secret.items() if k not in TOKEN_METADATA),
            timeouts=_timeouts(context),
            headers=self.default_headers(),
            verify=trust_store(context.ca_bundle, directory=context.data_dir),
            clock=clock,
            rand=rand,
            http=http,
            outbound=context.outbound.for_system(self.info.system.value),
            meter=context.budget.charge if context.budget is not None else None,
        )
        self.check_addresses()

    def account_limiter(
        self, limits: Sequence[RateLimit], *, max_concurrent: int | None = None
    ) -> RateLimiter:
        """The vendor account's limiter, shared by every run and worker when the service
        gave a budget (core.budgets), else this adapter's own."""
        if self.context.budget is None:
            return RateLimiter(limits, clock=self.clock, max_concurrent=max_concurrent)
        return self.context.budget.limiter(limits, max_concurrent=max_concurrent, clock=self.clock)

    def check_addresses(self) -> None:
        """The connection's own URLs against the outbound policy, before any call."""
        for form_field in self.info.form:
            value = self.config.get(form_field.name)
            if form_field.kind is FieldKind.URL and value:
                self.session.outbound.check_url(str(value), what=form_field.label)

    # --- hooks a vendor adapter overrides -----------------------------------------------------

    def base_url(self) -> str:
        """The API root; read per call, so it may follow a refreshed token's instance URL."""
        return str(self.config.get("base_url", "")).rstrip("/")

    def authenticator(self) -> Authenticator:
        return Authenticator()

    def default_headers(self) -> dict[str, str]:
        """Sent on every call (Oracle adds REST-Framework-Version, Odoo 19 X-Odoo-Database)."""
        return {"Accept": "application/json", "User-Agent": USER_AGENT}

    def classify(self, response: requests.Response) -> Resolution | None:
        """Vendor readings of failed answers (daily quota, token refusal codes...)."""
        return None

    def first_request(self, spec: EntitySpec, since: datetime | None) -> PageRequest:
        """The first page's request: add the incremental filter and the oldest-first sort."""
        return PageRequest(url=spec.endpoint)

    def send_page(self, spec: EntitySpec, request: PageRequest) -> Reply:
        return self.session.request_json(
            request.method,
            request.url,
            params=request.params,
            json=request.json,
            headers=request.headers,
            idempotent=True,  # reads, even when a search is a POST
        )

    def records(self, spec: EntitySpec, reply: Reply) -> list[Any]:
        found = dig(reply.body, spec.records_path)
        return found if isinstance(found, list) else []

    def fetch_one(self, spec: EntitySpec, external_id: str) -> Mapping[str, Any] | None:
        try:
            reply = self.session.request_json(
                "GET", f"{spec.endpoint}/{quote(external_id, safe='')}"
            )
        except VendorError as exc:
            if exc.status == 404:
                return None
            raise
        return reply.body if isinstance(reply.body, Mapping) else None

    def create(self, spec: EntitySpec, payload: dict[str, Any]) -> tuple[str, datetime | None]:
        """Create one record; returns the vendor's new id and modification time."""
        reply = self.session.request_json("POST", spec.endpoint, json=payload)
        new_id = dig(reply.body, spec.key)
        if new_id in (None, ""):
            raise VendorError(f"{self.info.label} created a record but did not return its id")
        return str(new_id), read_time(reply.body, spec.cursor)

    def update(
        self, spec: EntitySpec, external_id: str, payload: dict[str, Any]
    ) -> datetime | None:
        url = f"{spec.endpoint}/{quote(external_id, safe='')}"
        reply = self.session.request_json("PATCH", url, json=payload)
        return read_time(reply.body, spec.cursor)

    def delete_one(self, spec: EntitySpec, external_id: str) -> None:
        """Delete one record (`DELETE {endpoint}/{id}`); a 404 means it was already gone."""
        url = f"{spec.endpoint}/{quote(external_id, safe='')}"
        self.session.request("DELETE", url)  # a write, and safe to repeat (http.py)

    def complete_records(self, spec: EntitySpec, raw: list[Any]) -> list[Any]:
        """A page's records made whole: an adapter whose field list did not fit in one
        request URL reads the other fields by id here (adapters.wide_reads)."""
        return raw

    def reported_total(self, spec: EntitySpec, request: PageRequest, reply: Reply) -> int | None:
        """The read's record count as the vendor's first answer reports it; None: it does not."""
        return None

    def custom_fields(self, spec: EntitySpec) -> list[VendorField]:
        """The vendor's custom fields for an entity, from its metadata API."""
        return []

    def field_names(self, spec: EntitySpec) -> set[str] | None:
        """Every field the vendor's metadata lists for the entity now, named as the field
        map names them (custom ones with their prefix); None: the vendor cannot tell."""
        return None

    def check_fields(self, entity: Entity) -> None:
        """Refuse, in one line, a run whose mapping names vendor fields the vendor no longer
        has (adapters.mapped_fields); asked once per entity and adapter (a run)."""
        if entity in self._fields_checked:
            return
        spec = self.spec(entity)
        paths = mapped_by_overrides(spec.fields, self.field_map(entity))
        if paths:
            with counting_as(CallKind.METADATA):
                known = self.field_names(spec)
            gone = missing(paths, known, fold_case=self.fold_field_case) if known else []
            if gone:
                raise fields_gone(self.info.label, spec.vendor_object, entity, gone)
        self._fields_checked.add(entity)

    def probe(self) -> str:
        """One cheap authenticated read for `check`; returns what was seen, in words."""
        spec = self.specs[0]
        reply = self.send_page(spec, self.first_request(spec, None))
        return f"read {spec.vendor_object} ({len(self.records(spec, reply))} records on page one)"

    # --- the Adapter protocol -----------------------------------------------------------------

    def check(self) -> ConnectionCheck:
        try:
            seen = self.probe()
        except ToothpickError as exc:  # refused, unreachable, misconfigured: all in words
            return ConnectionCheck(False, str(exc))
        return ConnectionCheck(True, f"Connected to {self.info.label}: {seen}")

    def discover_fields(self, entity: Entity) -> list[VendorField]:
        spec = self.spec(entity)
        found = {
            rule.vendor: VendorField(
                rule.vendor, rule.canonical, rule.convert.name, False, rule.writable
            )
            for rule in spec.fields.rules
            if rule.custom_name is None
        }
        with counting_as(CallKind.METADATA):
            custom = self.custom_fields(spec)
        for item in custom:
            found.setdefault(item.name, item)
        return list(found.values())

    def read(
        self, entity: Entity, *, since: datetime | None, resume: dict[str, Any] | None
    ) -> Iterator[RemotePage]:
        spec = self.spec(entity)
        fields = self.field_map(entity)
        paginator = spec.paginator()
        request = self.first_request(spec, since)
        paginator.init_request(request, resume)
        first = resume is None  # a resumed read's first page is not the read's first
        if first:
            request.params.update(self.count_params)
        for reply, raw in fetch_pages(
            paginator,
            request,
            lambda page_request: self.send_page(spec, page_request),
            lambda answer: self.records(spec, answer),
            width=self.context.pages_in_flight,
            budget=self.context.page_budget,
            page_records=self.page_records(entity),
        ):
            self.stats.pages += 1
            page = self.to_page(spec, fields, self.complete_records(spec, raw))
            page.resume = paginator.resume
            if first:
                page.total, first = self.reported_total(spec, request, reply), False
                for name in self.count_params:
                    request.drop(name)
            # Suspended, this frame keeps its locals: not the decoded answer, nor the page
            # the engine stores (it counts in the process's page budget; adapters.prefetch).
            del reply, raw
            box = [page]
            del page
            yield box.pop()

    def counted_page(self, spec: EntitySpec, fields: FieldMap, raw: Sequence[Any]) -> RemotePage:
        """A page read by a path of the adapter's own (a bulk job's rows), counted as the
        paged read counts its pages."""
        self.stats.pages += 1
        return self.to_page(spec, fields, raw)

    def page_records(self, entity: Entity) -> int:
        return 0

    def pulled_fields(self, entity: Entity, fields: Sequence[str]) -> list[str]:
        return [r.canonical for r in self.field_map(entity).selecting(fields).rules]

    def read_fields(self, entity: Entity, fields: Sequence[str]) -> Iterator[RemotePage]:
        """Every record with only `fields`: each adapter builds its field list (SOQL select
        list, HubSpot `properties`, Zoho and Odoo `fields`) from `field_map`, which answers
        with the selection while this read lasts; the key, modified stamp and deletion
        flag are the adapter's own columns and always come."""
        self._selected[entity] = self.field_map(entity).selecting(fields)
        try:
            yield from self.read(entity, since=None, resume=None)
        finally:
            self._selected.pop(entity, None)

    def fetch(self, entity: Entity, external_ids: Sequence[str]) -> list[RemoteRecord]:
        spec, fields = self.spec(entity), self.field_map(entity)
        found = [raw for raw in (self.fetch_one(spec, i) for i in external_ids) if raw is not None]
        page = self.to_page(spec, fields, found)
        for failure in page.failures:
            log.warning("%s: %s", self.info.label, failure.reason)
        return page.records

    def write(self, entity: Entity, records: Sequence[OutboundRecord]) -> list[WriteResult]:
        spec, fields = self.writable_spec(entity), self.field_map(entity)
        return [self._write_one(spec, fields, record) for record in records]

    def delete(self, entity: Entity, external_ids: Sequence[str]) -> list[WriteResult]:
        """One `delete_one` call per record (adapters.deletes); vendors with a batch delete
        override this."""
        spec = self.writable_spec(entity)
        return deletes.each(external_ids, lambda external_id: self.delete_one(spec, external_id))

    def writable_spec(self, entity: Entity) -> EntitySpec:
        """The entity's spec, or a refusal in words if the vendor takes no writes of it."""
        spec = self.spec(entity)
        if not spec.writable:
            raise InvalidInputError(
                f"{self.info.label} does not accept writes of {entity.value}; sync it pull-only",
                field="direction",
            )
        return spec

    def count(self, entity: Entity) -> int | None:
        """None: this vendor has no cheap count (an adapter that has one overrides this)."""
        return None

    def id_listing(self, entity: Entity) -> Iterator[str] | None:
        """None: no listing cheaper than the records (an adapter that has one overrides)."""
        return None

    def id_listing_page(self, entity: Entity) -> int:
        return 0  # no id listing

    def id_order(self, entity: Entity) -> IdOrder | None:
        """None: this vendor cannot count an id range (an adapter that can overrides
        this, count_range and list_range)."""
        return None

    def count_range(self, entity: Entity, lo: str | None, hi: str | None) -> int:
        raise NotImplementedError(f"{self.info.label} cannot count an id range")

    def list_range(self, entity: Entity, lo: str | None, hi: str | None) -> list[str]:
        raise NotImplementedError(f"{self.info.label} cannot list an id range")

    def waiting_on(self) -> str | None:
        """What this adapter's calls wait on at the vendor now, in words (VendorSession)."""
        return self.session.waiting_on()

    def close(self) -> None:
        self.session.close()

    # --- shared helpers -------------------------------------------------------------------------

    def spec(self, entity: Entity) -> EntitySpec:
        for spec in self.specs:
            if spec.entity is entity:
                return spec
        raise InvalidInputError(self.info.support(entity).reason or "", field="entities")

    def field_map(self, entity: Entity) -> FieldMap:
        """The default map with this connection's overrides applied (or a field selection
        while `read_fields` reads)."""
        if entity in self._selected:
            return self._selected[entity]
        if entity not in self._maps:
            overrides = self.context.connection.field_overrides
            self._maps[entity] = self.spec(entity).fields.with_overrides(overrides)
        return self._maps[entity]

    def secret(self, name: str) -> str:
        value = self._secret.get(name)
        if not value:
            raise InvalidInputError(
                f"the connection has no {name}; enter it in the connection settings", field=name
            )
        return value

    def save_tokens(self, tokens: Mapping[str, str]) -> None:
        """Hand refreshed tokens to the service: the whole secret, so that nothing is lost
        whether the service merges or replaces."""
        self._secret.update(tokens)
        for name, value in tokens.items():
            if name not in TOKEN_METADATA:
                self.session.redactor.add(value, short_lived=name in SHORT_LIVED_FIELDS)
        self.context.save_secret(dict(self._secret))

    def oauth2(self, *, token_url: str, **options: Any) -> OAuth2:
        """OAuth2 wired to this connection: client id/secret and tokens from the secret,
        refreshed tokens back to `save_tokens`."""
        tokens = {k: v for k, v in self._secret.items() if k not in ("client_id", "client_secret")}
        return OAuth2(
            vendor=self.info.label,
            token_url=token_url,
            client_id=self.secret("client_id"),
            client_secret=self._secret.get("client_secret"),
            tokens=tokens,
            on_refresh=self.save_tokens,
            clock=self.clock,
            **options,
        )

    def client_credentials(self, *, token_url: str, client_id: str, secret: str) -> OAuth2:
        """A client-credentials grant whose token is stored with the connection and reused
        by the next run and every worker until it expires: a token per run would be a
        login per run (SAP, Oracle)."""
        tokens = {k: v for k, v in self._secret.items() if k in _GRANTED_TOKEN_FIELDS}
        return OAuth2(
            vendor=self.info.label,
            token_url=token_url,
            client_id=client_id,
            client_secret=secret,
            grant="client_credentials",
            client_auth="basic",
            tokens=tokens,
            on_refresh=self.save_tokens,
            clock=self.clock,
        )

    def to_page(self, spec: EntitySpec, fields: FieldMap, raw: Sequence[Any]) -> RemotePage:
        """Vendor records to RemoteRecords; the ones that fail mapping become RecordFailures."""
        return spec.to_page(fields, raw)

    def _write_one(self, spec: EntitySpec, fields: FieldMap, record: OutboundRecord) -> WriteResult:
        try:
            if record.creating:
                payload = fields.to_vendor(record.data, creating=True)
                new_id, updated = self.create(spec, payload)
                return WriteResult(record.external_id, new_external_id=new_id, updated_at=updated)
            assert record.external_id is not None
            payload = fields.to_vendor(record.data, changed=record.changed_fields or None)
            updated = self.update(spec, record.external_id, payload)
            return WriteResult(record.external_id, record.external_id, updated_at=updated)
        except RecordError as exc:
            return WriteResult(record.external_id, error=str(exc))
        except VendorError as exc:
            if not _is_record_level(exc):
                raise
            return WriteResult(record.external_id, error=str(exc))


__all__ = [
    "BaseAdapter",
    "EntitySpec",
    "declare_system",
]
