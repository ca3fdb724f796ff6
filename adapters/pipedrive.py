"""Pipedrive over API v2 (persons, organizations, deals, activities, products), with
v1 only where v2 has no endpoint (recents, for deletions).

Auth is the company's API token (`x-api-token` header) or an OAuth app (HTTP
Basic client auth at the OAuth server, one-hour tokens, `api_domain` from the
token answer). Lists page with `next_cursor` (500 per page), sorted by
update_time and filtered with `updated_since`; the limiter follows
x-ratelimit-remaining and a spent daily budget pauses the run. Deleted deals
come from `status=deleted`; deleted persons, organizations, activities and
products from /v1/recents, the only listing of them Pipedrive has. Writes are one
call per record, creates made idempotent by a correlation field
(`adapters.pipedrive_writes`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import requests

from adapters import convert as c
from adapters import pipedrive_maps as maps
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
from adapters.base_adapter import BaseAdapter, EntitySpec, declare_system
from adapters.failures import Resolution
from adapters.mapping import FieldMap
from adapters.oauth import OAuth2
from adapters.paging import PageRequest
from adapters.paths import dig
from adapters.pipedrive_writes import write_each
from adapters.ratelimit import RateHeaders, RateLimit
from adapters.registry import register
from adapters.spec import read_time
from core.errors import InvalidInputError, VendorError
from core.models import Entity, System

LIMIT = maps.LIMIT
RECENT_ITEMS = {
    Entity.CONTACT: "person",
    Entity.ACCOUNT: "organization",
    Entity.ACTIVITY: "activity",
    Entity.PRODUCT: "product",
}
KEEP_DELETED_DAYS = 30  # Pipedrive purges deleted records after 30 days
RECENTS_PASSES = 3  # reads of /v1/recents when entries move while it is read (see _recents)
_Found = tuple[list[RemoteRecord], Any]


@register
class PipedriveAdapter(BaseAdapter):
    info = declare_system(
        System.PIPEDRIVE,
        label="Pipedrive",
        form=maps.FORM,
        sign_in=maps.SIGN_IN,
        specs=maps.SPECS,
        unsupported={
            Entity.QUOTE: "Pipedrive has no quotes: deals carry products, and quotes live in "
            "marketplace apps outside Pipedrive's API.",
        },
        auth="API token (x-api-token header) or OAuth 2.0 app (refresh token, Basic client auth)",
        docs_url="https://developers.pipedrive.com/docs/api/v1",
    )
    specs = maps.SPECS
    rate_headers = RateHeaders("x-ratelimit-remaining", "x-ratelimit-reset")

    def __init__(self, context: AdapterContext, **options: Any) -> None:
        super().__init__(context, **options)
        per_2s = self.config.get("requests_per_2s") or maps.DEFAULT_PER_2S
        if not isinstance(per_2s, int) or per_2s < 1:
            raise InvalidInputError("must be a whole number above 0", field="requests_per_2s")
        self.session.limiter = self.account_limiter([RateLimit(per_2s, 2.0)])
        self.correlation_codes: dict[str, str | None] = {}  # object -> correlation field key

    def authenticator(self) -> Authenticator:
        self._oauth: OAuth2 | None = None
        token = self._secret.get("api_token")
        if token:
            return TokenAuth.header("x-api-token", token)
        if not self._secret.get("refresh_token"):
            raise InvalidInputError(
                "enter an API token, or an OAuth app's client and refresh token", field="api_token"
            )
        server = str(self.config.get("oauth_url") or "https://oauth.pipedrive.com").rstrip("/")
        self._oauth = self.oauth2(token_url=f"{server}/oauth/token", client_auth="basic")
        return self._oauth

    def base_url(self) -> str:
        domain = self._oauth.tokens.get("api_domain") if self._oauth is not None else None
        return str(domain or self.config.get("base_url", "")).rstrip("/")

    def classify(self, response: requests.Response) -> Resolution | None:
        if response.status_code == 429 and response.headers.get("x-daily-requests-left") == "0":
            wait = c.read_float(response.headers.get("Retry-After") or 3600)
            resets = self.clock.now() + timedelta(seconds=wait)
            return Resolution.quota("Pipedrive's daily request budget is spent", resets_at=resets)
        return None

    def page_records(self, entity: Entity) -> int:
        return LIMIT

    def first_request(self, spec: EntitySpec, since: datetime | None) -> PageRequest:
        params: dict[str, Any] = {"limit": LIMIT, "sort_by": "update_time", "sort_direction": "asc"}
        if since is not None:
            params["updated_since"] = _rfc3339(since)
        return PageRequest(url=spec.endpoint, params=params)

    def read(
        self, entity: Entity, *, since: datetime | None, resume: dict[str, Any] | None
    ) -> Iterator[RemotePage]:
        """Changed records, then what was deleted since the same time."""
        if not (resume or {}).get("deleted"):
            # map, not a loop: a suspended loop keeps its last page (core.page_budget)
            yield from map(_then_deleted, super().read(entity, since=since, resume=resume))
            resume = None
        start = since or self.clock.now() - timedelta(days=KEEP_DELETED_DAYS)
        yield from self._deleted(self.spec(entity), start, (resume or {}).get("deleted", "start"))

    def count(self, entity: Entity) -> int | None:
        """Deals: the v1 deals summary's `total_count` (one call). Pipedrive counts nothing
        else: its v2 lists of persons, organizations, products and activities take `ids`,
        owner/org/person filters, `updated_since`/`updated_until`, `sort_by` (id,
        update_time, add_time) and a cursor, and answer `additional_data.next_cursor`
        only, with no total (vendor-apis.md 4.2, from pipedrive/client-php's v2 docs);
        the v1 list's pagination has no total either. Reconciliation lists their
        records instead (None)."""
        if entity is not Entity.OPPORTUNITY:
            return None
        body = self.session.request_json("GET", "/api/v1/deals/summary").body
        found = dig(body, "data.total_count")
        return found if isinstance(found, int) else None

    def id_order(self, entity: Entity) -> IdOrder | None:
        """None: no filter takes an id range (not even deals: the summary filters by
        status, pipeline, stage, user, not by id), and no list answers ids alone, so
        reconciliation lists the records once (500 a v2 page) to narrow a difference."""
        return None

    def fetch_one(self, spec: EntitySpec, external_id: str) -> Mapping[str, Any] | None:
        try:
            reply = self.session.request_json("GET", f"{spec.endpoint}/{int(external_id)}")
        except (VendorError, ValueError) as exc:
            if isinstance(exc, ValueError) or exc.status == 404:
                return None
            raise
        data = reply.body.get("data") if isinstance(reply.body, dict) else None
        return data if isinstance(data, dict) else None

    def to_page(self, spec: EntitySpec, fields: FieldMap, raw: Sequence[Any]) -> RemotePage:
        if spec.entity is Entity.CONTACT:  # a person known by one name only has no last name
            raw = [r if r.get("last_name") else {**r, "last_name": r.get("name")} for r in raw]
        elif spec.entity is Entity.ACTIVITY:  # due_date + due_time (UTC) make one moment
            raw = [{**r, "due": _due(r)} for r in raw]
        return super().to_page(spec, fields, raw)

    def write(self, entity: Entity, records: Sequence[OutboundRecord]) -> list[WriteResult]:
        super().write(entity, [])  # refuses a pull-only entity in words
        if entity is Entity.CONTACT:  # Pipedrive writes a person's `name`: send both halves
            records = [replace(r, changed_fields=_both_names(r.changed_fields)) for r in records]
        return write_each(self, self.spec(entity), self.field_map(entity), records)

    def create(self, spec: EntitySpec, payload: dict[str, Any]) -> tuple[str, datetime | None]:
        reply = self.session.request_json("POST", spec.endpoint, json=_outbound(payload))
        data = reply.body.get("data") or {} if isinstance(reply.body, dict) else {}
        if data.get("id") is None:
            raise VendorError("Pipedrive created a record but did not return its id")
        return str(data["id"]), read_time(data, "update_time")

    def update(
        self, spec: EntitySpec, external_id: str, payload: dict[str, Any]
    ) -> datetime | None:
        reply = self.session.request_json(
            "PATCH", f"{spec.endpoint}/{external_id}", json=_outbound(payload)
        )
        data = reply.body.get("data") or {} if isinstance(reply.body, dict) else {}
        return read_time(data, "update_time")

    def custom_fields(self, spec: EntitySpec) -> list[VendorField]:
        return [
            VendorField(f"custom_fields.{f['field_code']}", f["field_name"], f["field_type"], True)
            for f in self._fields_meta(spec)
            if f.get("is_custom_field")
        ]

    def field_names(self, spec: EntitySpec) -> set[str]:
        """Every field of the object: custom ones under `custom_fields.` as records carry them."""
        return {
            ("custom_fields." if f.get("is_custom_field") else "") + str(f["field_code"])
            for f in self._fields_meta(spec)
        }

    def _fields_meta(self, spec: EntitySpec) -> list[dict[str, Any]]:
        """The object's field listing (v2 `<object>Fields`, every cursor page)."""
        path = f"/api/v2/{spec.vendor_object[:-1].replace('activitie', 'activity')}Fields"
        found: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            params = {"limit": LIMIT, **({"cursor": cursor} if cursor else {})}
            body = self.session.request_json("GET", path, params=params).body or {}
            data = body.get("data") or []
            found += [f for f in data if isinstance(f, dict) and "field_code" in f]
            cursor = (body.get("additional_data") or {}).get("next_cursor")
            if not cursor:
                return found

    def _deleted(self, spec: EntitySpec, since: datetime, position: Any) -> Iterator[RemotePage]:
        """Deals: v2 `status=deleted`. Others: v1 recents, keeping items no longer active."""
        if spec.entity is not Entity.OPPORTUNITY:
            yield from self._recents(spec, since, position)
            return
        while True:
            gone, nxt = self._deleted_deals(spec, since, position)
            self.stats.pages += 1
            yield RemotePage(gone, resume={"deleted": nxt} if nxt is not None else None)
            if nxt is None:
                return
            position = nxt

    def _recents(self, spec: EntitySpec, since: datetime, position: Any) -> Iterator[RemotePage]:
        """/v1/recents, oldest change first, paged by offset. An entry changed while the list
        is read moves to its end and shifts every later entry back, so the entry at a page
        boundary would be skipped. Such a move shows as an id seen twice in one pass; the
        pass is then read again from the moved entry's first-seen time (only entries
        before it can have shifted), at most RECENTS_PASSES times."""
        window, start = v1_time(since), 0
        if isinstance(position, dict):
            window, start = str(position["since"]), int(position["start"])
        elif position != "start":
            start = int(position)
        for attempt in range(RECENTS_PASSES):
            first_seen: dict[str, str] = {}
            moved_from: str | None = None
            while True:
                gone, entries, nxt = self._recents_page(spec, window, start)
                self.stats.pages += 1
                for entry_id, changed in entries:
                    if entry_id not in first_seen:
                        first_seen[entry_id] = changed
                    elif moved_from is None or first_seen[entry_id] < moved_from:
                        moved_from = first_seen[entry_id]
                again = nxt is None and moved_from is not None and attempt + 1 < RECENTS_PASSES
                if nxt is not None:
                    resume: dict[str, Any] | None = {"deleted": {"since": window, "start": nxt}}
                elif again:
                    resume = {"deleted": {"since": moved_from, "start": 0}}
                else:
                    resume = None
                yield RemotePage(gone, resume=resume)
                if nxt is None:
                    break
                start = nxt
            if not again or moved_from is None:
                return
            window, start = moved_from, 0

    def _deleted_deals(self, spec: EntitySpec, since: datetime, position: Any) -> _Found:
        params = {"status": "deleted", "limit": LIMIT, "updated_since": _rfc3339(since)}
        if position != "start":
            params["cursor"] = position
        body = self.session.request_json("GET", spec.endpoint, params=params).body or {}
        gone = [_gone(item) for item in body.get("data") or [] if item.get("id") is not None]
        return gone, (body.get("additional_data") or {}).get("next_cursor")

    def _recents_page(
        self, spec: EntitySpec, window: str, start: int
    ) -> tuple[list[RemoteRecord], list[tuple[str, str]], int | None]:
        """One recents page: the deleted records, every entry's (id, update_time), next start."""
        params = {
            "since_timestamp": window,
            "items": RECENT_ITEMS[spec.entity],
            "start": start,
            "limit": LIMIT,
        }
        body = self.session.request_json("GET", "/api/v1/recents", params=params).body or {}
        items = [i.get("data") or {} for i in body.get("data") or []]
        gone = [_gone(i) for i in items if i.get("active_flag") is False and i.get("id")]
        entries = [
            (str(i["id"]), str(i.get("update_time") or window)) for i in items if i.get("id")
        ]
        pages = (body.get("additional_data") or {}).get("pagination") or {}
        nxt = pages.get("next_start") if pages.get("more_items_in_collection") else None
        return gone, entries, None if nxt is None else int(nxt)


def _then_deleted(page: RemotePage) -> RemotePage:
    """The changed records' last page leads on to the deleted ones."""
    page.resume = page.resume or {"deleted": "start"}
    return page


def _gone(item: Mapping[str, Any]) -> RemoteRecord:
    return RemoteRecord(str(item["id"]), {}, read_time(item, "update_time"), deleted=True)


def v1_time(moment: datetime) -> str:
    """API v1's UTC "YYYY-MM-DD HH:MM:SS" (recents' since_timestamp and update_time)."""
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _rfc3339(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _due(record: Mapping[str, Any]) -> str | None:
    day = record.get("due_date")
    return f"{day}T{record.get('due_time') or '00:00'}:00+00:00" if day else None


def _both_names(changed: tuple[str, ...]) -> tuple[str, ...]:
    names = {"first_name", "last_name"}
    return tuple(sorted(set(changed) | names)) if names & set(changed) else changed


def _outbound(payload: dict[str, Any]) -> dict[str, Any]:
    """Our payload in Pipedrive's terms: `name` from the halves, due date and time apart."""
    out = dict(payload)
    if "first_name" in out or "last_name" in out:
        halves = (out.pop("first_name", None), out.pop("last_name", None))
        out["name"] = " ".join(h for h in halves if h)
    if "due" in out:
        due = out.pop("due")
        out["due_date"], out["due_time"] = (due[:10], due[11:16]) if due else (None, None)
    return out
