"""SAP S/4HANA Cloud over its OData V2 APIs (communication arrangements).

Reads page with `$top`/`$skip` (following `__next` when the server cuts a page
short), oldest change first, filtered on LastChangeDateTime where SAP has it.
Business partners carry only LastChangeDate + LastChangeTime, so their filter
and cursor combine the two; material stock has no timestamp at all, so every
run reads it whole (its external id is the eleven-part key, joined by `|`).

Writes go as one `$batch` per engine batch with a changeset per record
(adapters.sap_writes): the CSRF token (with its session cookie) is fetched
first, the record's ETag goes as `If-Match`, creates go deep (items,
descriptions, addresses in one POST) and updates flat: SAP Gateway has no deep
update, so a changed child (a product's description, an address, an item) is
PATCHed at its own URI in the same changeset. The records about to be written
are read first with one `$filter` (the engine's conflict check), which also
gives their ETags and child URIs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import quote

import requests

from adapters.auth import Authenticator, BasicAuth, SapCsrf
from adapters.base import (
    AdapterContext,
    FieldKind,
    FormField,
    IdOrder,
    OutboundRecord,
    RemotePage,
    RemoteRecord,
    SignInMethod,
    VendorField,
    WriteResult,
)
from adapters.base_adapter import BaseAdapter, EntitySpec, declare_system
from adapters.failures import Resolution, json_body
from adapters.mapping import FieldMap
from adapters.paging import ODataPaginator, PageRequest, Paginator
from adapters.paths import dig, dig_count
from adapters.payload import Reply
from adapters.registry import register
from adapters.sap_children import extension_fields, property_names
from adapters.sap_specs import BP_CURSOR, EXPAND, ODATA, SERVICE, SPECS, STOCK_KEYS
from adapters.sap_writes import SapBatchWriter, delete_changesets, filter_any, literal
from adapters.spec import read_time
from core.errors import InvalidInputError, VendorError
from core.iterables import batched
from core.models import Entity, System

MAX_TOP = 5000
RANGE_TOP = 1000  # keys a range listing asks for a page
LOOKUP_KEYS = 50  # keys per `$filter=Key eq ... or ...` read
TOKEN_PATH = "/sap/bc/sec/oauth2/token"
_TIME = re.compile(r"^PT(\d+)H(\d+)M(\d+)S$")
FORM = (
    FormField(
        "base_url", "API URL", FieldKind.URL,
        help="The communication arrangement's host, without /sap/opu/odata/...",
        placeholder="https://my123456-api.s4hana.cloud.sap",
    ),
    FormField(
        "auth_method", "Authentication", FieldKind.CHOICE, default="basic",
        choices=("basic", "oauth2"),
        help="basic: communication user and password; oauth2: OAuth 2.0 client credentials",
    ),
    FormField("username", "Communication user (or OAuth 2.0 client ID)"),
    FormField("password", "Password (or client secret)", FieldKind.SECRET),
    FormField("language", "Text language", required=False, default="EN"),
    FormField(
        "sales_area", "Sales area for new orders and quotations", required=False,
        help="Sales organization/distribution channel/division, e.g. 1710/10/00",
    ),
    FormField(
        "page_size", "Records per request", FieldKind.INTEGER, required=False, default=1000,
        help="$top of each page, at most 5,000; lower it if large pages time out",
    ),
)  # fmt: skip

SIGN_IN = (
    SignInMethod(
        "basic", "Communication user and password", fields=("username", "password"),
        required=("username", "password"), sets=(("auth_method", "basic"),),
    ),
    SignInMethod(
        "oauth2", "OAuth 2.0 client credentials", fields=("username", "password"),
        required=("username", "password"), sets=(("auth_method", "oauth2"),),
    ),
)  # fmt: skip


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _day_and_time(item: Any) -> str | None:
    day = read_time(item, "LastChangeDate")
    match = _TIME.match(str(dig(item, "LastChangeTime") or ""))
    if day is None:
        return None
    if match:
        hours, minutes, seconds = (int(part) for part in match.groups())
        day += timedelta(hours=hours, minutes=minutes, seconds=seconds)
    return day.isoformat()


@register
class SapAdapter(BaseAdapter):
    info = declare_system(
        System.SAP,
        label="SAP S/4HANA Cloud",
        form=FORM,
        sign_in=SIGN_IN,
        specs=SPECS,
        unsupported={},
        auth="Communication user (HTTP Basic) or OAuth 2.0 client credentials; CSRF token "
        "and session cookie before every write",
        docs_url="https://api.sap.com/products/SAPS4HANACloud/apis/ODATA",
        write_batch_size=100,  # changesets per `$batch` call
    )
    specs = SPECS
    count_params: ClassVar[dict[str, str]] = {"$inlinecount": "allpages"}

    def __init__(self, context: AdapterContext, **options: Any) -> None:
        super().__init__(context, **options)
        self.seen: dict[str, dict[str, Any]] = {}  # rows of the last fetch, by key

    # --- connection -----------------------------------------------------------------------

    @property
    def page_size(self) -> int:
        return max(1, min(MAX_TOP, int(self.config.get("page_size") or 1000)))

    @property
    def language(self) -> str:
        return str(self.config.get("language") or "EN").upper()

    def authenticator(self) -> Authenticator:
        user = str(self.config.get("username", ""))
        password = self.secret("password")
        inner: Authenticator
        if self.config.get("auth_method") == "oauth2":
            inner = self.client_credentials(token_url=TOKEN_PATH, client_id=user, secret=password)
        else:
            inner = BasicAuth(user, password)
        return SapCsrf(inner, fetch_url=f"{ODATA}/{self._first_service()}/")

    def _first_service(self) -> str:
        for entity in self.context.connection.entities:
            for spec in SPECS:
                if spec.entity is entity:
                    return SERVICE[spec.vendor_object]
        return SERVICE["A_Product"]

    def classify(self, response: requests.Response) -> Resolution | None:
        code = dig(json_body(response), "fault.detail.errorcode")
        if response.status_code == 429 and isinstance(code, str) and "QuotaViolation" in code:
            return Resolution.quota("SAP API Management's quota for this API is used up")
        return None

    # --- reading --------------------------------------------------------------------------

    def spec(self, entity: Entity) -> EntitySpec:
        return replace(super().spec(entity), paginator=self._paginator)

    def _paginator(self) -> Paginator:
        # The first page's count lets the pages after it be fetched at once (adapters.prefetch).
        return ODataPaginator(top=self.page_size, count=self.context.pages_in_flight > 1)

    def page_records(self, entity: Entity) -> int:
        return self.page_size

    def first_request(self, spec: EntitySpec, since: datetime | None) -> PageRequest:
        params: dict[str, Any] = {}
        if spec.vendor_object in EXPAND:
            params["$expand"] = EXPAND[spec.vendor_object]
        if spec.cursor == "LastChangeDateTime":
            params["$orderby"] = "LastChangeDateTime asc"
            if since is not None:
                stamp = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
                params["$filter"] = f"LastChangeDateTime ge datetimeoffset'{stamp}Z'"
        elif spec.cursor == BP_CURSOR:
            params["$orderby"] = "LastChangeDate asc,LastChangeTime asc"
            if since is not None:
                moment = since.astimezone(UTC)
                day = f"datetime'{moment:%Y-%m-%d}T00:00:00'"
                clock = f"time'PT{moment:%H}H{moment:%M}M{moment:%S}S'"
                params["$filter"] = (
                    f"LastChangeDate gt {day} or "
                    f"(LastChangeDate eq {day} and LastChangeTime ge {clock})"
                )
        return PageRequest(url=spec.endpoint, params=params)

    def to_page(self, spec: EntitySpec, fields: FieldMap, raw: Any) -> RemotePage:
        return super().to_page(spec, fields, [self.complete(spec, item) for item in raw])

    def complete(self, spec: EntitySpec, item: Any) -> Any:
        """Add the fields SAP spreads over several properties (see adapters.sap_specs)."""
        if not isinstance(item, dict):
            return item
        name = spec.vendor_object
        if name == "A_BusinessPartner":
            return {**item, BP_CURSOR: _day_and_time(item)}
        if name == "A_MatlStkInAcctMod":
            key = "|".join(str(item.get(part, "")) for part in STOCK_KEYS)
            return {
                **item,
                "_key": key,
                "_location": f"{item.get('Plant')}/{item.get('StorageLocation')}",
            }
        if name == "A_Product":
            texts = dig(item, "to_Description.results")
            if isinstance(texts, list) and texts:
                ordered = sorted(texts, key=lambda t: dig(t, "Language") != self.language)
                return {**item, "to_Description": {"results": ordered}}
        return item

    def entity_url(self, spec: EntitySpec, external_id: str) -> str:
        if spec.vendor_object == "A_MatlStkInAcctMod":
            parts = external_id.split("|")
            if len(parts) != len(STOCK_KEYS):
                raise InvalidInputError(f"{external_id!r} is not a stock key of 11 parts")
            inner = ",".join(f"{k}={_literal(v)}" for k, v in zip(STOCK_KEYS, parts, strict=True))
        else:
            inner = _literal(external_id)
        return f"{spec.endpoint}{quote(f'({inner})', safe=chr(39) + '(),=')}"

    def fetch_one(self, spec: EntitySpec, external_id: str) -> dict[str, Any] | None:
        params = {"$expand": EXPAND[spec.vendor_object]} if spec.vendor_object in EXPAND else {}
        try:
            reply = self.session.request_json(
                "GET", self.entity_url(spec, external_id), params=params
            )
        except VendorError as exc:
            if exc.status == 404:
                return None
            raise
        found = dig(reply.body, "d")
        return self.complete(spec, found) if isinstance(found, dict) else None

    # --- writing --------------------------------------------------------------------------

    def fetch(self, entity: Entity, external_ids: Sequence[str]) -> list[RemoteRecord]:
        """One `$filter=Key eq 'a' or Key eq 'b'...` read for the batch, not one per record;
        the rows (with their ETags and child URIs) are kept for the write that follows."""
        spec = self.spec(entity)
        self.seen = {}
        if not spec.writable or not external_ids:
            return super().fetch(entity, external_ids)
        found = self.lookup(spec, list(external_ids))
        return BaseAdapter.to_page(self, spec, self.field_map(entity), list(found.values())).records

    def lookup(self, spec: EntitySpec, keys: list[str]) -> dict[str, dict[str, Any]]:
        """The rows of these keys, LOOKUP_KEYS a `$filter` (Gateway's URL stays short)."""
        found: dict[str, dict[str, Any]] = {}
        for chunk in batched(keys, LOOKUP_KEYS):
            params: dict[str, Any] = {"$filter": filter_any(spec.key, chunk), "$top": len(chunk)}
            if spec.vendor_object in EXPAND:
                params["$expand"] = EXPAND[spec.vendor_object]
            reply = self.session.request_json("GET", spec.endpoint, params=params)
            found.update(
                (str(row.get(spec.key)), self.complete(spec, row))
                for row in dig(reply.body, "d.results") or []
                if isinstance(row, dict)
            )
        self.seen.update(found)
        return found

    def write(self, entity: Entity, records: Sequence[OutboundRecord]) -> list[WriteResult]:
        """One `$batch` per engine batch, a changeset per record (adapters.sap_writes)."""
        spec = self.writable_spec(entity)
        return SapBatchWriter(self, spec, self.field_map(entity)).write(records)

    def delete(self, entity: Entity, external_ids: Sequence[str]) -> list[WriteResult]:
        return delete_changesets(self, self.writable_spec(entity), external_ids)

    def person_names(
        self, spec: EntitySpec, payload: dict[str, Any], current: dict[str, Any] | None
    ) -> dict[str, Any]:
        """A person's name goes to FirstName/LastName, an organization's to OrganizationBPName1."""
        if spec.vendor_object != "A_BusinessPartner" or "OrganizationBPName1" not in payload:
            return payload
        category = payload.get("BusinessPartnerCategory") or dig(current, "BusinessPartnerCategory")
        if category != "1":
            return payload
        rest = dict(payload)
        first, _, last = str(rest.pop("OrganizationBPName1") or "").rpartition(" ")
        return {**rest, "FirstName": first, "LastName": last}

    def _updated(self, spec: EntitySpec, item: Any) -> datetime | None:
        return read_time(item, spec.cursor) if spec.cursor else None

    # --- metadata -------------------------------------------------------------------------

    def reported_total(self, spec: EntitySpec, request: PageRequest, reply: Reply) -> int | None:
        return dig_count(reply.body, "d.__count")  # a string in OData V2

    def field_names(self, spec: EntitySpec) -> set[str]:
        """Properties and navigations of the entity type, from the service's $metadata."""
        url = f"{ODATA}/{SERVICE[spec.vendor_object]}/$metadata"
        text = self.session.request("GET", url, headers={"Accept": "application/xml"}).content
        return property_names(text, f"{spec.vendor_object}Type", vendor=self.info.label)

    def custom_fields(self, spec: EntitySpec) -> list[VendorField]:
        """Extension fields (YY1_/ZZ1_) of the entity type, from the service's $metadata."""
        url = f"{ODATA}/{SERVICE[spec.vendor_object]}/$metadata"
        text = self.session.request("GET", url, headers={"Accept": "application/xml"}).content
        return extension_fields(text, f"{spec.vendor_object}Type", vendor=self.info.label)

    def count(self, entity: Entity) -> int | None:
        """OData's `/$count` (a plain-text integer): one call, without the records the
        entity flags deleted (IsMarkedForDeletion), which the hub does not hold live."""
        spec = self.spec(entity)
        params = {"$filter": f"{spec.deleted} eq false"} if spec.deleted else {}
        text = self.session.request(
            "GET", f"{spec.endpoint}/$count", params=params, headers={"Accept": "text/plain"}
        ).text.strip()
        return int(text) if text.isascii() and text.isdigit() else None

    def id_order(self, entity: Entity) -> IdOrder | None:
        """Every key of ours is an Edm.String, which `$filter` compares as text; stock
        has a composite key (no one-property range)."""
        return None if self.spec(entity).key.startswith("_") else "text"

    def count_range(self, entity: Entity, lo: str | None, hi: str | None) -> int:
        """`/$count` with the key range (and the deletion flag) in `$filter`: one call."""
        spec = self.spec(entity)
        params = self._range(spec, lo, hi)
        text = self.session.request(
            "GET", f"{spec.endpoint}/$count", params=params, headers={"Accept": "text/plain"}
        ).text.strip()
        if not (text.isascii() and text.isdigit()):
            raise VendorError(f"SAP answered $count with {text[:40]!r}")
        return int(text)

    def list_range(self, entity: Entity, lo: str | None, hi: str | None) -> list[str]:
        """The keys alone (`$select`), in key order, following `__next` pages."""
        spec = self.spec(entity)
        params: dict[str, Any] | None = {
            **self._range(spec, lo, hi),
            "$select": spec.key,
            "$orderby": spec.key,
            "$top": RANGE_TOP,
        }
        url, ids = spec.endpoint, []
        while url:
            body = self.session.request_json("GET", url, params=params).body
            ids += [str(r[spec.key]) for r in dig(body, "d.results") or [] if r.get(spec.key)]
            url, params = dig(body, "d.__next"), None
        return ids

    @staticmethod
    def _range(spec: EntitySpec, lo: str | None, hi: str | None) -> dict[str, str]:
        terms = [f"{spec.deleted} eq false"] if spec.deleted else []
        terms += [f"{spec.key} ge {literal(lo)}"] if lo is not None else []
        terms += [f"{spec.key} lt {literal(hi)}"] if hi is not None else []
        return {"$filter": " and ".join(terms)} if terms else {}

    def probe(self) -> str:
        service = self._first_service()
        spec = next(s for s in SPECS if SERVICE[s.vendor_object] == service)
        reply = self.session.request_json(
            "GET", spec.endpoint, params={"$top": 1, "$inlinecount": "allpages"}
        )
        count = dig(reply.body, "d.__count")
        return (
            f"{spec.vendor_object} has {count} records" if count is not None else "read one record"
        )
