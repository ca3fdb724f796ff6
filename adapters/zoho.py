"""Zoho CRM over its REST API v2/v2.1 (records, deleted records, fields metadata).

Auth is OAuth2 against the data centre's accounts server with the
`Zoho-oauthtoken` scheme; the API host is the `api_domain` the token endpoint
returns, so the base URL follows the token. Reads page with page/per_page
(200) and switch to `page_token` when Zoho hands one out (past 2,000
records); incremental reads send `If-Modified-Since` (a 304 means nothing
changed) sorted by Modified_Time, then read the module's deleted records
since the same time. Writes go 100 records per call with per-record results.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any, ClassVar
from urllib.parse import quote, urlsplit

import requests

from adapters import zoho_maps as maps
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
from adapters.budget import CallKind
from adapters.bulk_jobs import bulk_threshold, engine_pages
from adapters.failures import Resolution, error_code, json_body
from adapters.mapping import FieldMap
from adapters.oauth import OAuth2
from adapters.paging import PageRequest
from adapters.record_errors import record_error
from adapters.registry import register
from adapters.spec import read_time
from adapters.wide_reads import FieldGroups, merge_groups, split_fields
from adapters.zoho_bulk import BulkRead
from adapters.zoho_writes import delete_records
from core.errors import FailureCategory, VendorError
from core.iterables import batched
from core.models import Entity, System

PER_PAGE = maps.PER_PAGE
# GET lists take at most 50 `fields` (Zoho's API reference; LIMIT_EXCEEDED past it) and a
# URL of a few kilobytes (no published figure: sandbox/README.md); more mapped fields are
# read in groups for each page's ids (adapters.wide_reads). A bulk read job names at most
# 200 fields (as the sandbox enforces it; unconfirmed) and exports every field unnamed.
LIST_FIELDS, BULK_FIELDS, IDS_PER_CALL = 50, 200, 100
URI_LIMIT = 8_000
LIST_QUERY = "?per_page=200&sort_by=Modified_Time&sort_order=asc&fields=&page_token=" + "x" * 400
WINDOW = 99_000  # records per query: Zoho's page tokens stop at 100,000
MAX_WRITE = 100


@register
class ZohoAdapter(BaseAdapter):
    info = declare_system(
        System.ZOHO,
        label="Zoho CRM",
        form=maps.FORM,
        specs=maps.SPECS,
        unsupported={},
        auth="OAuth 2.0 refresh token at the accounts server; 'Zoho-oauthtoken' header",
        docs_url="https://www.zoho.com/crm/developer/docs/api/v2/",
        write_batch_size=MAX_WRITE,
    )
    specs = maps.SPECS
    max_concurrent: ClassVar[int | None] = 5  # the smallest edition's concurrency limit

    def __init__(self, context: AdapterContext, **options: Any) -> None:
        self.bulk_threshold = bulk_threshold(context.connection.config.get("bulk_threshold"))
        self._bulk_total: int | None = None
        super().__init__(context, **options)

    def authenticator(self) -> Authenticator:
        accounts = str(self.config.get("accounts_url") or "https://accounts.zoho.com").rstrip("/")
        self._oauth: OAuth2 = self.oauth2(
            token_url=f"{accounts}/oauth/v2/token", scheme="Zoho-oauthtoken"
        )
        return self._oauth

    def base_url(self) -> str:
        domain = self._oauth.tokens.get("api_domain", "https://www.zohoapis.com").rstrip("/")
        return f"{domain}/crm/{self.config.get('api_version') or 'v2.1'}"

    def classify(self, response: requests.Response) -> Resolution | None:
        body, status = json_body(response), response.status_code
        if status == 401 and error_code(body) == "OAUTH_SCOPE_MISMATCH":
            why = "the refresh token lacks a ZohoCRM scope this sync needs; grant it again"
            return Resolution.fail(why, FailureCategory.CONFIG)
        if status != 429:
            return None
        found = body.get("details") if isinstance(body, dict) else None
        details = found if isinstance(found, dict) else {}
        wait = _seconds(response.headers.get("Retry-After") or details.get("retry_after"))
        if details.get("remaining") == 0 or (wait or 0) > 900:  # credits, not concurrency
            resets = self.clock.now() + timedelta(seconds=wait or 3600)
            return Resolution.quota("Zoho's API credits for 24 hours are spent", resets_at=resets)
        return Resolution.rate_limited("Zoho's concurrency limit was reached", retry_after=wait)

    def page_records(self, entity: Entity) -> int:
        return PER_PAGE  # the export jobs' pages too (adapters.zoho_bulk)

    def first_request(self, spec: EntitySpec, since: datetime | None) -> PageRequest:
        params = {"per_page": PER_PAGE, "sort_by": "Modified_Time", "sort_order": "asc"}
        params["fields"] = ",".join(self._groups(spec).page)
        return PageRequest(url=spec.endpoint, params=params, headers=_since(since))

    def _groups(self, spec: EntitySpec) -> FieldGroups:
        """Fields a list page names (the stamps first), then groups read by id."""
        path = urlsplit(self.base_url()).path + "/" + spec.endpoint
        ids = ",".join(["9" * 19] * IDS_PER_CALL)
        return split_fields(
            self._columns(spec),
            keep=("Modified_Time", "Created_Time"),
            page_room=URI_LIMIT - len(path) - len(LIST_QUERY),
            group_room=URI_LIMIT - len(path) - len(f"?per_page=200&ids={ids}&fields="),
            cost=lambda name: len(quote(name, safe="")) + len("%2C"),
            most=LIST_FIELDS,
        )

    def complete_records(self, spec: EntitySpec, raw: list[Any]) -> list[Any]:
        return merge_groups(
            raw,
            self._groups(spec),
            key=lambda record: record.get("id"),
            read=lambda ids, names: self._by_ids(spec, ids, names),
        )

    def _by_ids(self, spec: EntitySpec, ids: Sequence[str], names: list[str]) -> list[Any]:
        """The records with these ids (100 a call) and only `names` (id always comes)."""
        found: list[Any] = []
        for chunk in batched(ids, IDS_PER_CALL):
            params = {"ids": ",".join(chunk), "fields": ",".join(names), "per_page": PER_PAGE}
            reply = self.session.request_json("GET", spec.endpoint, params=params)
            found += self.records(spec, reply)  # 204 (all gone since the page): none
        return found

    def _columns(self, spec: EntitySpec) -> list[str]:
        """The module's fields a read asks for (id always comes)."""
        fields = self.field_map(spec.entity)
        paths = fields.vendor_paths() + ([fields.lines.vendor] if fields.lines else [])
        wanted = {p.split(".")[0].split("@")[0] for p in paths} | {"Modified_Time", "Created_Time"}
        if maps.WHAT_ID in wanted:
            wanted.add("$se_module")  # which module What_Id points into
        return sorted(wanted - {"id"})

    def read(
        self, entity: Entity, *, since: datetime | None, resume: dict[str, Any] | None
    ) -> Iterator[RemotePage]:
        """Changed records, then the module's deletions since the same time."""
        # map, not a loop: a suspended loop keeps its last page (core.page_budget)
        if self._reads_in_bulk(entity, since, resume):
            yield from map(self._then_deleted, self._bulk_read(entity, resume))
            yield from self._deleted(self.spec(entity), since, 1)
            return
        if not (resume or {}).get("deleted_page"):
            try:
                yield from map(self._then_deleted, self._changed(entity, since, resume))
            except VendorError as exc:
                if not (resume and "EXPIRED_VALUE" in str(exc)):
                    raise
                yield from self.read(entity, since=since, resume=None)  # a stale page token
                return
        yield from self._deleted(
            self.spec(entity), since, int((resume or {}).get("deleted_page", 1))
        )

    def count(self, entity: Entity) -> int | None:
        """The module's record count action (`/{module}/actions/count`): one call."""
        body = self.session.request_json("GET", f"{self.spec(entity).endpoint}/actions/count").body
        found = body.get("count") if isinstance(body, dict) else None
        return found if isinstance(found, int) else None

    def id_order(self, entity: Entity) -> IdOrder | None:
        """None, for now: the count action takes no criteria, and the search API's criteria
        do not take an id range. COQL (`POST /crm/v{n}/coql`) documents COUNT() and
        comparisons of number fields from API v4 (zoho.com/crm/developer/docs/api COQL
        overview), but neither the answer's shape for an aggregate nor `id >=`/`<` is
        confirmed in our sources, and the sandbox does not answer COQL: reconciliation
        lists the records (the bulk export at size) to narrow a difference."""
        return None

    def _reads_in_bulk(
        self, entity: Entity, since: datetime | None, resume: dict[str, Any] | None
    ) -> bool:
        """A full read from its start of a module the export covers and at least the
        threshold big, or the continuation of one that started as bulk read jobs."""
        if resume is not None:
            return bool(resume.get("bulk_page"))
        spec = self.spec(entity)
        if since is not None or not self.bulk_threshold or not _exportable(spec):
            return False
        held = self.count(entity)
        self._bulk_total = held  # the progress's end, given to the first page
        return held is not None and held >= self.bulk_threshold

    def _bulk_read(self, entity: Entity, resume: dict[str, Any] | None) -> Iterator[RemotePage]:
        spec, fields = self.spec(entity), self.field_map(entity)
        types = self._field_types(spec)  # also signs in, so the base URL is the api_domain's
        version = "v2.1" if self.base_url().endswith("/v2.1") else "v2"
        read_url = self.base_url().rsplit("/crm/", 1)[0] + f"/crm/bulk/{version}/read"
        lookups = {p.split(".")[0] for p in fields.vendor_paths() if p.endswith(".id")}
        columns = self._columns(spec)
        bulk = BulkRead(
            self.session, read_url, self.clock, module=spec.vendor_object,
            fields=columns if len(columns) <= BULK_FIELDS else None,
            lookups=lookups, field_types=types, page_size=PER_PAGE,
        )  # fmt: skip
        yield from engine_pages(
            bulk.pages(resume),
            partial(self.counted_page, spec, fields),
            None if resume else lambda: self._bulk_total,  # the count that chose the jobs
        )

    def _field_types(self, spec: EntitySpec) -> dict[str, str]:
        found = self._fields_meta(spec)
        return {str(f.get("api_name")): str(f.get("data_type") or "") for f in found}

    def fetch_one(self, spec: EntitySpec, external_id: str) -> Mapping[str, Any] | None:
        reply = self.session.request_json("GET", f"{spec.endpoint}/{external_id}")
        data = reply.body.get("data") if isinstance(reply.body, dict) else None  # 204: gone
        return data[0] if isinstance(data, list) and data else None

    def to_page(self, spec: EntitySpec, fields: FieldMap, raw: Sequence[Any]) -> RemotePage:
        if spec.entity is Entity.ACTIVITY:  # What_Id points at a Deal or an Account
            raw = [{**r, f"{maps.WHAT}{r.get('$se_module')}": r.get("What_Id")} for r in raw]
        return super().to_page(spec, fields, raw)

    def write(self, entity: Entity, records: Sequence[OutboundRecord]) -> list[WriteResult]:
        """Creates, then updates, 100 records per call; Zoho answers record by record."""
        super().write(entity, [])  # refuses a pull-only entity in words
        spec, fields = self.spec(entity), self.field_map(entity)
        results: dict[int, WriteResult] = {}
        key = UPSERT_KEYS.get(spec.vendor_object)
        prepared = [(i, r, _payload(fields, r)) for i, r in enumerate(records)]
        groups = {
            # creates carrying the module's unique field are upserts: repeating one after a
            # lost answer (a killed worker) updates the record it made instead of a second
            "upsert": [(i, r, p) for i, r, p in prepared if _is_new(r) and key and p.get(key)],
            "POST": [(i, r, p) for i, r, p in prepared if _is_new(r) and not (key and p.get(key))],
            "PUT": [(i, r, p) for i, r, p in prepared if not _is_new(r)],
        }
        for method, group in groups.items():
            for start in range(0, len(group), MAX_WRITE):
                chunk = group[start : start + MAX_WRITE]
                sent = self._send(spec, method, [p for _, _, p in chunk], key=key)
                for (i, record, _p), (new_id, at, error) in zip(chunk, sent, strict=True):
                    results[i] = WriteResult(record.external_id, new_id, at, error)
        return [results[i] for i in range(len(records))]

    def delete(self, entity: Entity, external_ids: Sequence[str]) -> list[WriteResult]:
        return delete_records(self, self.writable_spec(entity), external_ids)

    def field_names(self, spec: EntitySpec) -> set[str]:
        return {str(f["api_name"]) for f in self._fields_meta(spec) if f.get("api_name")}

    def _fields_meta(self, spec: EntitySpec) -> list[dict[str, Any]]:
        reply = self.session.request_json(
            "GET", "settings/fields", params={"module": spec.vendor_object}
        )
        found = (reply.body or {}).get("fields", []) if isinstance(reply.body, dict) else []
        return [f for f in found if isinstance(f, dict)]

    def custom_fields(self, spec: EntitySpec) -> list[VendorField]:
        found = self._fields_meta(spec)
        return [
            VendorField(f["api_name"], f["field_label"], f["data_type"], True, not f["read_only"])
            for f in found
            if f.get("custom_field")
        ]

    def _changed(
        self, entity: Entity, since: datetime | None, resume: dict[str, Any] | None
    ) -> Iterator[RemotePage]:
        """Changed records in queries of at most WINDOW records each.

        Zoho hands out page tokens for the first 100,000 records of a query only
        (PAGINATION_LIMIT_EXCEEDED after that). Pages come oldest change first, so
        a query that nears the limit is closed and a new one starts from the newest
        change seen; the window's start travels in `resume` so a killed run resumes
        inside the right query. A refusal at a cap lower than the documented one (an
        edition or API version that stops earlier) starts the next query the same way,
        from the newest change read; resumed at a refused token, from the window's start.
        """
        state = dict(resume or {})
        window = _parse_time(state.pop("window_since", None)) or since
        position = state or None
        while True:
            query = _Window(window)
            pages = super().read(entity, since=window, resume=position)
            try:
                while not query.closed:
                    # no local holds the page: a suspended generator keeps its locals, and
                    # this one waits suspended for the page budget (core.page_budget)
                    yield self._in_window(entity, query, next(pages))
            except StopIteration:
                return
            except VendorError as exc:
                if "PAGINATION_LIMIT_EXCEEDED" not in str(exc) or (
                    position is None and not query.seen
                ):
                    raise
                if query.seen:  # its records up to `newest` are read: the next query starts there
                    _next_window(entity, window, query.newest)
                    window = query.newest
                position = None
                continue
            window, position = query.newest, None

    def _in_window(self, entity: Entity, query: _Window, page: RemotePage) -> RemotePage:
        """`page` counted in its query; the page that nears the limit closes the query."""
        query.seen += len(page.records) + len(page.failures)
        stamps = [r.updated_at for r in page.records if r.updated_at]
        newest = query.newest
        query.newest = max([*stamps, *([newest] if newest else [])], default=None)
        if page.resume is not None and query.seen >= WINDOW and query.newest is not None:
            page.resume = {"window_since": _next_window(entity, query.start, query.newest)}
            query.closed = True
        elif page.resume is not None and query.start is not None:
            page.resume = {**page.resume, "window_since": query.start.isoformat()}
        return page

    # --- helpers ---------------------------------------------------------------------------

    def _then_deleted(self, page: RemotePage) -> RemotePage:
        if page.resume is None:
            page.resume = {"deleted_page": 1}
        return page

    def _deleted(
        self, spec: EntitySpec, since: datetime | None, page_number: int
    ) -> Iterator[RemotePage]:
        while True:
            params = {"type": "all", "page": page_number, "per_page": PER_PAGE}
            reply = self.session.request_json(
                "GET", f"{spec.endpoint}/deleted", params=params, headers=_since(since)
            )
            self.stats.pages += 1
            body = reply.body if isinstance(reply.body, dict) else {}
            gone = [
                RemoteRecord(str(item["id"]), {}, read_time(item, "deleted_time"), deleted=True)
                for item in body.get("data") or []
                if item.get("id")
            ]
            more = bool((body.get("info") or {}).get("more_records")) and bool(gone)
            yield RemotePage(gone, resume={"deleted_page": page_number + 1} if more else None)
            if not more:
                return
            page_number += 1

    def _send(
        self, spec: EntitySpec, method: str, payloads: list[dict[str, Any]], *, key: str | None
    ) -> list[tuple[str | None, datetime | None, str | None]]:
        body: dict[str, Any] = {"data": payloads, "trigger": []}  # no workflows fire for a sync
        url, upsert = spec.endpoint, method == "upsert"
        if upsert:
            method, url, body["duplicate_check_fields"] = "POST", f"{url}/upsert", [key]
        reply = self.session.request_json(
            method,
            url,
            json=body,
            accept_errors=True,
            idempotent=True if upsert else None,
            kind=CallKind.WRITE,  # a repeatable upsert is still a write (not a read)
        )
        rows = reply.body.get("data") if isinstance(reply.body, dict) else None
        if not isinstance(rows, list) or len(rows) != len(payloads):
            said = error_code(reply.body) or f"HTTP {reply.status}"
            raise VendorError(f"Zoho CRM refused the {spec.vendor_object} write ({said})")
        out: list[tuple[str | None, datetime | None, str | None]] = []
        for row in rows:
            details = row.get("details") or {}
            if row.get("status") == "success":
                out.append((str(details.get("id")), read_time(details, "Modified_Time"), None))
                continue
            named = [str(details["api_name"])] if details.get("api_name") else []
            words = record_error(
                "Zoho CRM", row.get("code"), row.get("message"), named, redact=self.session.redact
            )
            out.append((None, None, words))
        return out


# Modules' unique fields Zoho upserts by (duplicate_check_fields): creates repeat safely.
UPSERT_KEYS = {"Contacts": "Email"}


def _exportable(spec: EntitySpec) -> bool:
    """Bulk Read leaves subforms out, and its CSV does not say which module a task's
    What_Id points into: those modules stay on REST."""
    fields = spec.fields
    return fields.lines is None and not any(p.startswith(maps.WHAT) for p in fields.vendor_paths())


@dataclass
class _Window:
    """One query of a windowed read (`ZohoAdapter._changed`): where it starts, the records
    it has given and the newest change among them, and whether it has closed."""

    start: datetime | None
    seen: int = 0
    newest: datetime | None = None
    closed: bool = False

    def __post_init__(self) -> None:
        self.newest = self.start


def _next_window(entity: Entity, window: datetime | None, newest: datetime | None) -> str:
    """Where the next query starts (the newest change read), if that is progress: more
    changes in one second than one query pages through cannot be read past."""
    if newest is None or (window is not None and newest - window < timedelta(seconds=2)):
        raise VendorError(
            f"Zoho CRM has more {entity.value} records changed in one second than one query "
            "pages through; its API cannot page past them"
        )
    return newest.isoformat()


def _parse_time(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None


def _since(since: datetime | None) -> dict[str, str]:
    """If-Modified-Since one second early: Zoho's times have whole seconds."""
    if since is None:
        return {}
    return {"If-Modified-Since": (since - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%S+00:00")}


def _is_new(record: OutboundRecord) -> bool:
    return record.external_id is None or record.external_id.startswith("local:")


def _payload(fields: FieldMap, record: OutboundRecord) -> dict[str, Any]:
    """Zoho clears a lookup with null, not {"id": null}; What_Id travels with $se_module."""
    if _is_new(record):
        data = fields.to_vendor(record.data, creating=True)
    else:
        data = fields.to_vendor(record.data, changed=record.changed_fields or None)
        data["id"] = record.external_id
    out = {k: None if isinstance(v, dict) and v == {"id": None} else v for k, v in data.items()}
    for key in [k for k in out if k.startswith(maps.WHAT)]:
        value = out.pop(key)
        if value is not None or "What_Id" not in out:
            out["What_Id"], out["$se_module"] = value, key.removeprefix(maps.WHAT)
    return out


def _seconds(value: Any) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None
