"""Salesforce: REST API (SOQL reads, sObject writes) with OAuth2 refresh-token auth.

Reads are one SOQL query per entity through `queryAll` (so soft-deleted records
arrive with `IsDeleted = true`), oldest change first:

    SELECT Id, SystemModstamp, CreatedDate, IsDeleted, FirstName, ... FROM Contact
    WHERE SystemModstamp >= 2024-05-01T10:00:00.000Z ORDER BY SystemModstamp, Id

paged through `nextRecordsUrl` locators (`Sforce-Query-Options: batchSize=`).
A locator expires after some idle minutes; the resume position also names the
last SystemModstamp read, so an expired one restarts the query from there
(adapters.salesforce_soql).
A full read of an object holding at least `bulk_threshold` live records goes
through a Bulk API 2.0 query job instead (adapters/salesforce_bulk.py): about
25 calls for a million records where REST pages take 500.
The columns are the field map's, minus any standard field the org does not show
the integration user (describe: field-level security, single-currency orgs
without CurrencyIsoCode; adapters.salesforce_describe). The reconciliation's
counts, id listings and id ranges are SOQL over live records
(adapters.salesforce_reconcile). Writes go through sObject Collections, 200 records per
call, creates as upserts by the connection's external-id field
(`adapters.salesforce_writes`); the engine's conflict check fetches current
versions with one `Id IN (...)` query.

The token endpoint's answer is kept whole; `instance_url` is where every API
call goes. 401 INVALID_SESSION_ID refreshes once. 403 REQUEST_LIMIT_EXCEEDED is
either the rolling 24-hour allowance ("TotalRequests Limit exceeded": the run
pauses) or the concurrent long-request limit (retried after a back-off).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import Any
from urllib.parse import urlsplit

import requests

from adapters import salesforce_describe as described
from adapters import salesforce_maps as maps
from adapters import salesforce_reconcile as reconcile
from adapters.auth import Authenticator
from adapters.base import (
    AdapterContext,
    IdOrder,
    OutboundRecord,
    RemotePage,
    RemoteRecord,
    VendorField,
    WriteResult,
)
from adapters.base_adapter import BaseAdapter, EntitySpec, declare_system
from adapters.bulk_jobs import bulk_threshold, engine_pages
from adapters.failures import Resolution, error_code, error_detail, json_body
from adapters.mapping import FieldMap
from adapters.oauth import OAuth2
from adapters.paging import PageRequest
from adapters.paths import dig, dig_count
from adapters.payload import Reply
from adapters.registry import register
from adapters.salesforce_bulk import BulkQuery
from adapters.salesforce_maps import DEFAULT_BATCH, DEFAULT_VERSION
from adapters.salesforce_soql import SoqlPaginator, restart_point, soql_datetime
from adapters.salesforce_wide import WideSoql
from adapters.salesforce_writes import (
    COLLECTION_LIMIT,
    DEFAULT_EXTERNAL_ID_FIELD,
    delete_collections,
    write_collections,
)
from adapters.wide_reads import FieldGroups
from core.errors import InvalidInputError, VendorError
from core.models import Entity, System

TOKEN_PATH = "/services/oauth2/token"
ROLLING_RECHECK = timedelta(hours=1)
"""Salesforce counts API calls over a rolling 24 hours and says nothing about when a
spent allowance comes back: calls return as they age out of the window. A paused run
looks again after an hour (one refused call) rather than idling a whole day."""
_VERSION = re.compile(r"^(\d{2,3})\.0$")


def _spec(entity: Entity, sobject: str, fields: FieldMap) -> EntitySpec:
    return EntitySpec(
        entity,
        sobject,
        fields,
        path=sobject,
        records_path="records",
        key="Id",
        cursor="SystemModstamp",
        created="CreatedDate",
        deleted="IsDeleted",
        paginator=SoqlPaginator,
        writable=True,
    )


SPECS = (
    _spec(Entity.CONTACT, "Contact", maps.CONTACT),
    _spec(Entity.ACCOUNT, "Account", maps.ACCOUNT),
    _spec(Entity.OPPORTUNITY, "Opportunity", maps.OPPORTUNITY),
    _spec(Entity.ACTIVITY, "Task", maps.ACTIVITY),
    _spec(Entity.QUOTE, "Quote", maps.QUOTE),
    _spec(Entity.PRODUCT, "Product2", maps.PRODUCT),
)


@register
class SalesforceAdapter(BaseAdapter):
    info = declare_system(
        System.SALESFORCE,
        label="Salesforce",
        form=maps.FORM,
        specs=SPECS,
        unsupported=maps.UNSUPPORTED,
        auth="OAuth 2.0 refresh token of a connected app; API calls go to the instance_url "
        "the token endpoint names",
        docs_url="https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/",
        write_batch_size=COLLECTION_LIMIT,
    )
    specs = SPECS
    fold_field_case = True  # SOQL names are case-insensitive

    def __init__(self, context: AdapterContext, **options: Any) -> None:
        config = context.connection.config
        self.version = _version(config.get("api_version"))
        self.batch_size = _batch_size(config.get("batch_size"))
        self.bulk_threshold = bulk_threshold(config.get("bulk_threshold"))
        self.login_url = str(config.get("login_url") or "https://login.salesforce.com").rstrip("/")
        self.external_id_field = _external_id_field(
            config.get("external_id_field", DEFAULT_EXTERNAL_ID_FIELD)
        )
        self._described: dict[str, list[dict[str, Any]]] = {}
        super().__init__(context, **options)

    # --- auth and addresses ------------------------------------------------------------------

    def authenticator(self) -> Authenticator:
        self.oauth: OAuth2 = self.oauth2(token_url=self.login_url + TOKEN_PATH)
        return self.oauth

    def base_url(self) -> str:
        instance = self.oauth.tokens.get("instance_url", "").rstrip("/")
        if not instance:
            return self.login_url  # no token yet: the first call refreshes, then moves here
        if urlsplit(instance).scheme != "https" and urlsplit(self.login_url).scheme == "https":
            raise VendorError(f"Salesforce named an instance URL without TLS ({instance})")
        return instance

    @property
    def data_path(self) -> str:
        return f"/services/data/v{self.version}"

    def classify(self, response: requests.Response) -> Resolution | None:
        if (
            response.status_code != 403
            or error_code(json_body(response)) != "REQUEST_LIMIT_EXCEEDED"
        ):
            return None
        if "TotalRequests" in error_detail(response):
            return Resolution.quota(
                "Salesforce's rolling 24-hour API request allowance is spent",
                resets_at=self.clock.now() + ROLLING_RECHECK,
            )
        return Resolution.rate_limited("Salesforce's concurrent request limit was reached")

    # --- reads ---------------------------------------------------------------------------------

    def read(
        self, entity: Entity, *, since: datetime | None, resume: dict[str, Any] | None
    ) -> Iterator[RemotePage]:
        if self._reads_in_bulk(entity, since, resume):
            yield from self._bulk_read(entity, resume)
            return
        restarts = 0

        def noted(page: RemotePage) -> RemotePage:
            nonlocal resume
            resume = page.resume
            return page

        while True:
            try:
                # map, not a loop: a suspended loop keeps its last page (core.page_budget)
                yield from map(noted, super().read(entity, since=since, resume=resume))
                return
            except VendorError as exc:
                restart = restart_point(exc, resume)
                if restart is None or restarts == 3:
                    raise
                restarts += 1
                since, resume = restart, None  # same order, so nothing is skipped

    def _reads_in_bulk(
        self, entity: Entity, since: datetime | None, resume: dict[str, Any] | None
    ) -> bool:
        """A full read (no window, from its start) of an object at least the threshold big,
        or the continuation of one that already started as a job."""
        if resume is not None:
            return bool(resume.get("bulk_job"))
        if since is not None or not self.bulk_threshold:
            return False
        held = self.count(entity)
        return held is not None and held >= self.bulk_threshold

    def _bulk_read(self, entity: Entity, resume: dict[str, Any] | None) -> Iterator[RemotePage]:
        spec, fields = self.spec(entity), self.field_map(entity)
        types = {
            str(f["name"]): str(f.get("type") or "") for f in self.describe(spec.vendor_object)
        }
        query = BulkQuery(self.session, self.data_path, self.clock, types, self.batch_size)
        yield from engine_pages(
            query.pages(self.select(spec), resume),
            partial(self.counted_page, spec, fields),
            None if resume else lambda: query.processed,  # the job's rows, counted by Salesforce
        )

    def page_records(self, entity: Entity) -> int:
        return self.batch_size  # a query job's result pages too (adapters.salesforce_bulk)

    def first_request(self, spec: EntitySpec, since: datetime | None) -> PageRequest:
        soql = self.select(spec, self._groups(spec).page)
        if since is not None:
            soql += f" WHERE SystemModstamp >= {soql_datetime(since)}"
        soql += " ORDER BY SystemModstamp, Id"
        return PageRequest(
            url=f"{self.data_path}/queryAll",
            params={"q": soql},
            headers={"Sforce-Query-Options": f"batchSize={self.batch_size}"},
        )

    def _groups(self, spec: EntitySpec) -> FieldGroups:
        return self.wide.page_groups(spec.vendor_object, self.columns(spec))

    def complete_records(self, spec: EntitySpec, raw: list[Any]) -> list[Any]:
        """Columns past what one URL can select, read for the page's ids (salesforce_wide)."""
        return self.wide.complete(spec.vendor_object, raw, self._groups(spec))

    @property
    def wide(self) -> WideSoql:
        return WideSoql(self.session, self.data_path)

    def reported_total(self, spec: EntitySpec, request: PageRequest, reply: Reply) -> int | None:
        """queryAll's totalSize: every row the query yields, deleted ones included."""
        return dig_count(reply.body, "totalSize")

    def count(self, entity: Entity) -> int | None:
        return reconcile.count(self, entity)

    def id_listing(self, entity: Entity) -> Iterator[str] | None:
        return reconcile.id_listing(self, entity)

    def id_order(self, entity: Entity) -> IdOrder | None:
        """Ids compare as text in SOQL (`WHERE Id >= '...'`, as PK chunking does)."""
        return "text"

    def count_range(self, entity: Entity, lo: str | None, hi: str | None) -> int:
        return reconcile.count_range(self, entity, lo, hi)

    def list_range(self, entity: Entity, lo: str | None, hi: str | None) -> list[str]:
        return reconcile.list_range(self, entity, lo, hi)

    def id_listing_page(self, entity: Entity) -> int:
        return DEFAULT_BATCH

    def select(self, spec: EntitySpec, columns: Sequence[str] | None = None) -> str:
        # Every column is a checked identifier (see `columns`), the object one of ours.
        chosen = self.columns(spec) if columns is None else columns
        return f"SELECT {', '.join(chosen)} FROM {spec.vendor_object}"  # noqa: S608

    def columns(self, spec: EntitySpec) -> list[str]:
        return described.columns(self, spec)

    def describe(self, sobject: str) -> list[dict[str, Any]]:
        return described.describe(self, sobject)

    def fetch(self, entity: Entity, external_ids: Sequence[str]) -> list[RemoteRecord]:
        spec, fields = self.spec(entity), self.field_map(entity)
        found = self.wide.fetch(spec.vendor_object, external_ids, self.columns(spec))
        return self.to_page(spec, fields, found).records

    def field_names(self, spec: EntitySpec) -> set[str]:
        return described.field_names(self, spec)

    def custom_fields(self, spec: EntitySpec) -> list[VendorField]:
        return described.custom_fields(self, spec)

    def probe(self) -> str:
        reply = self.session.request_json("GET", f"{self.data_path}/limits")
        daily = dig(reply.body, "DailyApiRequests") or {}
        left = f"{daily.get('Remaining', '?'):,} of {daily.get('Max', '?'):,}" if daily else "?"
        return f"API v{self.version} at {self.base_url()}, {left} daily API requests left"

    # --- writes --------------------------------------------------------------------------------

    def write(self, entity: Entity, records: Sequence[OutboundRecord]) -> list[WriteResult]:
        super().write(entity, [])  # refuses a pull-only entity in words
        return write_collections(self, self.spec(entity), self.field_map(entity), records)

    def delete(self, entity: Entity, external_ids: Sequence[str]) -> list[WriteResult]:
        self.writable_spec(entity)  # refuses a pull-only entity in words
        return delete_collections(self, external_ids)


def _external_id_field(value: Any) -> str:
    name = str(value or "").strip()
    if name and not re.match(r"^[A-Za-z][A-Za-z0-9_]*$", name):
        raise InvalidInputError(
            f"External ID field: {name!r} is not a Salesforce field name such as "
            "ToothPick_Id__c (or leave it empty)",
            field="external_id_field",
        )
    return name


def _version(value: Any) -> str:
    text = str(value or DEFAULT_VERSION).strip().removeprefix("v")
    match = _VERSION.match(text)
    if not match or int(match.group(1)) < 31:
        raise InvalidInputError(
            f"API version: {value!r} is not a Salesforce REST API version such as 60.0 "
            "(31.0 or later)",
            field="api_version",
        )
    return text


def _batch_size(value: Any) -> int:
    try:
        size = int(value if value not in (None, "") else DEFAULT_BATCH)
    except (TypeError, ValueError):
        size = 0
    if not 200 <= size <= 2000:
        raise InvalidInputError(
            f"Records per page: {value!r} must be a whole number from 200 to 2000",
            field="batch_size",
        )
    return size


__all__ = ["ROLLING_RECHECK", "SPECS", "SalesforceAdapter", "soql_datetime"]
