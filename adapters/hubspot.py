"""HubSpot: CRM v3 objects with a private-app token or OAuth refresh.

A read runs in phases, each checkpointed (the resume position names its phase):

1. `list` (full reads only): GET /crm/v3/objects/{type}?limit=100&properties=...,
   `after` cursors (properties past what a URL takes are read for each page's ids
   with POST .../batch/read, names in the body: adapters.wide_reads). Not ordered
   by change, so it is followed by
2. `search`: POST .../search for `lastmodifieddate` (contacts) or
   `hs_lastmodifieddate` between `since` and `until`, sorted by hs_object_id and
   paged by `hs_object_id GT <last id>`, never by `after` offsets. Keyset pages
   are never refused at the 10,000-result cap, and a record edited mid-read
   cannot shift an offset and hide another. `until` is fixed when the phase
   starts (a clock margin past our "now", for a HubSpot clock ahead of ours), so
   nothing much newer than the records read can raise the engine's cursor past an
   unread change; for a full read the window starts when the list began
   (it catches what changed during the list). `since` is moved back a few
   minutes because HubSpot's search index trails writes.
3. `archived`: the archived=true list, kept to records archived inside the window.

Writes: batches of 100 (creates as upserts by email for contacts), answered input by
input (`adapters.hubspot_writes`). 429s with policy
DAILY pause the run until HubSpot's Retry-After; other 429s wait and retry.
Search has its own budget (4 requests per second).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote, urlsplit

import requests

from adapters import hubspot_maps as maps
from adapters.auth import Authenticator, TokenAuth
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
from adapters.hubspot_search import KeysetPaginator, archived_between, modified_property, to_ms
from adapters.hubspot_writes import (
    BATCH_LIMIT,
    DEFAULT_UNIQUE,
    archive_batches,
    write_batches,
)
from adapters.mapping import FieldMap
from adapters.paging import CursorPaginator, PageRequest, Paginator
from adapters.paths import dig, dig_count
from adapters.payload import Reply
from adapters.ratelimit import RateHeaders, RateLimit
from adapters.registry import register
from adapters.retry import parse_retry_after
from adapters.wide_reads import FieldGroups, merge_groups, split_fields
from core.errors import InvalidInputError, VendorError
from core.iterables import batched
from core.models import Entity, System

LIST_LIMIT, SEARCH_LIMIT = 100, 200
# HubSpot publishes no URL limit; third parties report 414 past about 8,000 characters
# (sandbox/README.md). The list asks for the properties that fit under it.
URI_LIMIT = 8_000
LIST_QUERY = "?limit=100&properties=&archived=true&after=" + "9" * 40  # the rest of the URL
SEARCH_BUDGET = RateLimit(4, 1.0)
INDEX_LAG = timedelta(minutes=5)  # search sees a write after seconds, rarely minutes
# HubSpot's clock may run ahead of ours: the window's upper edge is this far past our "now",
# so a write it stamped ahead is read by the run that follows it. Kept within the engine's
# read overlap (core.sync.pull.READ_OVERLAP): a record edited behind the keyset during the
# search is then still inside the next run's window.
CLOCK_MARGIN = timedelta(minutes=2)
RECORD_KEYS = frozenset({"id", "createdAt", "updatedAt", "archived", "archivedAt"})
_PROPERTY_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def _spec(entity: Entity, object_type: str, fields: FieldMap) -> EntitySpec:
    return EntitySpec(
        entity,
        object_type,
        fields,
        path=f"/crm/v3/objects/{object_type}",
        records_path="results",
        key="id",
        cursor="updatedAt",
        created="createdAt",
        deleted="archived",
        paginator=lambda: CursorPaginator(cursor_path="paging.next.after", param="after"),
        writable=True,
    )


SPECS = (
    _spec(Entity.CONTACT, "contacts", maps.CONTACT),
    _spec(Entity.ACCOUNT, "companies", maps.ACCOUNT),
    _spec(Entity.OPPORTUNITY, "deals", maps.OPPORTUNITY),
    _spec(Entity.ACTIVITY, "tasks", maps.ACTIVITY),
    _spec(Entity.QUOTE, "quotes", maps.QUOTE),
    _spec(Entity.PRODUCT, "products", maps.PRODUCT),
)


@register
class HubSpotAdapter(BaseAdapter):
    info = declare_system(
        System.HUBSPOT,
        label="HubSpot",
        form=(
            FormField(
                "base_url",
                "API URL",
                FieldKind.URL,
                required=False,
                default="https://api.hubapi.com",
            ),
            FormField(
                "private_app_token",
                "Private app access token",
                FieldKind.SECRET,
                required=False,
                help="pat-…; or leave empty and fill in the OAuth app fields below",
            ),
            FormField("client_id", "OAuth client id", FieldKind.SECRET, required=False),
            FormField("client_secret", "OAuth client secret", FieldKind.SECRET, required=False),
            FormField("refresh_token", "OAuth refresh token", FieldKind.SECRET, required=False),
            FormField(
                "requests_per_10s",
                "Requests per 10 seconds",
                FieldKind.INTEGER,
                required=False,
                default=100,
                help="100 on Free and Starter, 190 on Professional and Enterprise, "
                "250 with the API limit increase",
            ),
            FormField(
                "unique_property",
                "Unique property",
                required=False,
                default=DEFAULT_UNIQUE,
                help="A single-line text property with unique values on each object the hub "
                "creates (contacts use their email); it holds ToothPick's id so that a repeated "
                "create updates instead of duplicating. Empty: plain creates",
            ),
        ),
        sign_in=(
            SignInMethod(
                "token",
                "Private app token",
                fields=("private_app_token",),
                required=("private_app_token",),
            ),
            SignInMethod(
                "oauth",
                "OAuth app",
                fields=("client_id", "client_secret", "refresh_token"),
                required=("client_id", "client_secret", "refresh_token"),
            ),
        ),
        specs=SPECS,
        unsupported=maps.UNSUPPORTED,
        auth="Private app access token (Bearer), or an OAuth app's refresh token",
        docs_url="https://developers.hubspot.com/docs/api/crm/understanding-the-crm",
        write_batch_size=BATCH_LIMIT,
    )
    specs = SPECS
    # Interval-Milliseconds is the window's length, not the time to its reset, so it is not
    # read as one (it would make every 5xx retry wait ten seconds); "remaining 0" pauses a window.
    rate_headers = RateHeaders("X-HubSpot-RateLimit-Remaining")

    def __init__(self, context: AdapterContext, **options: Any) -> None:
        super().__init__(context, **options)
        per_10s = _positive(self.config.get("requests_per_10s", 100), "requests_per_10s")
        self.session.limiter = self.account_limiter([RateLimit(per_10s, 10.0)])
        self.search_limiter = self.account_limiter([SEARCH_BUDGET])
        self._properties: dict[str, list[dict[str, Any]]] = {}
        self.unique_property = str(self.config.get("unique_property", DEFAULT_UNIQUE) or "")
        if self.unique_property and not _PROPERTY_NAME.match(self.unique_property):
            raise InvalidInputError(
                f"Unique property: {self.unique_property!r} is not a HubSpot property name such "
                "as toothpick_id (or leave it empty)",
                field="unique_property",
            )

    def authenticator(self) -> Authenticator:
        if self._secret.get("private_app_token"):
            return TokenAuth.bearer(self._secret["private_app_token"])
        if self._secret.get("refresh_token"):
            return self.oauth2(token_url=self.base_url() + "/oauth/v1/token")
        raise InvalidInputError(
            "Enter a private app access token, or the OAuth client id, secret and refresh token",
            field="private_app_token",
        )

    def base_url(self) -> str:
        return str(self.config.get("base_url") or "https://api.hubapi.com").rstrip("/")

    def classify(self, response: requests.Response) -> Resolution | None:
        body = json_body(response)
        if response.status_code != 429 or dig(body, "policyName") != "DAILY":
            return None
        now = self.clock.now()
        wait = parse_retry_after(response.headers.get("Retry-After"), now=now)
        # HubSpot resets at midnight in the portal's time zone and says when in Retry-After;
        # without it, the next midnight UTC is when to look again.
        midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
        resets_at = now + timedelta(seconds=wait) if wait else midnight
        return Resolution.quota("HubSpot's daily API limit is spent", resets_at=resets_at)

    # --- reads -----------------------------------------------------------------------------

    def page_records(self, entity: Entity) -> int:
        return max(LIST_LIMIT, SEARCH_LIMIT)  # a full read's list pages, an incremental's search

    def read(
        self, entity: Entity, *, since: datetime | None, resume: dict[str, Any] | None
    ) -> Iterator[RemotePage]:
        spec, fields = self.spec(entity), self.field_map(entity)
        state: dict[str, Any] = dict(resume or {"phase": "list" if since is None else "search"})
        if "since" not in state:  # a full read's catch-up window starts when its list does
            state["since"] = to_ms((since or self.clock.now()) - INDEX_LAG)
        if state["phase"] == "list":
            then: dict[str, Any] = {"phase": "search", "since": state["since"], "full": True}
            yield from self._phase(spec, fields, state, self._list(spec), then)
            state = then
        if state["phase"] == "search":
            state.setdefault("until", to_ms(self.clock.now() + CLOCK_MARGIN))  # after the list
            paginator = KeysetPaginator(
                modified=modified_property(spec), since_ms=state["since"], until_ms=state["until"]
            )
            then = {k: v for k, v in state.items() if k != "position"} | {"phase": "archived"}
            yield from self._phase(spec, fields, state, self._search(spec), then, paginator)
            state = then
        low = None if state.get("full") else state.get("since")
        keep = archived_between(low, state.get("until") or to_ms(self.clock.now()))
        archived = self._list(spec, archived=True)
        yield from self._phase(spec, fields, state, archived, None, keep=keep)

    def _phase(
        self,
        spec: EntitySpec,
        fields: FieldMap,
        state: dict[str, Any],
        request: PageRequest,
        then: dict[str, Any] | None,
        paginator: Paginator | None = None,
        keep: Callable[[Any], bool] | None = None,
    ) -> Iterator[RemotePage]:
        """One phase's pages; the last one's resume position is the next phase's start."""
        paginator = paginator or spec.paginator()
        paginator.init_request(request, state.get("position"))
        counted = request.method == "POST" and state.get("position") is None  # search's total
        while True:
            # Built in a call of its own: a suspended generator keeps its locals, and this
            # one waits suspended for the worker's page budget (core.page_budget).
            yield self._phase_page(spec, fields, state, request, then, paginator, keep, counted)
            counted = False
            if not paginator.has_next_page:
                return
            paginator.update_request(request)

    def _phase_page(
        self,
        spec: EntitySpec,
        fields: FieldMap,
        state: dict[str, Any],
        request: PageRequest,
        then: dict[str, Any] | None,
        paginator: Paginator,
        keep: Callable[[Any], bool] | None,
        counted: bool,
    ) -> RemotePage:
        reply = self.send_page(spec, request)
        self.stats.pages += 1
        raw = self.records(spec, reply)
        paginator.update_state(reply, raw)
        if request.method == "GET" and "archived" not in request.params:
            raw = self.complete_records(spec, raw)  # archived ones are deletions: ids suffice
        page = self.to_page(spec, fields, [r for r in raw if keep(r)] if keep else raw)
        position = paginator.resume
        page.resume = {**state, "position": position} if position is not None else then
        if counted:
            page.total = dig_count(reply.body, "total")
        return page

    def count(self, entity: Entity) -> int | None:
        """The search endpoint's `total` with no filter: the live records, one call."""
        spec = self.spec(entity)
        request = PageRequest(method="POST", url=f"{spec.endpoint}/search", json={"limit": 1})
        body = self.send_page(spec, request).body
        total = body.get("total") if isinstance(body, dict) else None
        return int(total) if isinstance(total, int) else None

    def id_order(self, entity: Entity) -> IdOrder | None:
        """`hs_object_id` is a number the search filters compare as one."""
        return "number"

    def count_range(self, entity: Entity, lo: str | None, hi: str | None) -> int:
        """The search `total` of `hs_object_id` GTE lo and LT hi, one result asked for."""
        spec = self.spec(entity)
        body = {"filterGroups": _id_range(lo, hi), "limit": 1}
        reply = self.send_page(
            spec, PageRequest(method="POST", url=f"{spec.endpoint}/search", json=body)
        )
        total = reply.body.get("total") if isinstance(reply.body, dict) else None
        if not isinstance(total, int):
            raise VendorError(f"HubSpot answered a search without a total ({spec.endpoint})")
        return total

    def list_range(self, entity: Entity, lo: str | None, hi: str | None) -> list[str]:
        """Ids only (the one property `hs_object_id`), by id ascending, each page starting
        past the last id read rather than at an offset: no 10,000-result cap applies."""
        spec, ids = self.spec(entity), []
        while True:
            body = {
                "filterGroups": _id_range(lo, hi),
                "sorts": [{"propertyName": "hs_object_id", "direction": "ASCENDING"}],
                "properties": ["hs_object_id"],
                "limit": SEARCH_LIMIT,
            }
            request = PageRequest(method="POST", url=f"{spec.endpoint}/search", json=body)
            reply = self.send_page(spec, request).body
            found = [str(r["id"]) for r in dig(reply, "results") or [] if r.get("id")]
            ids += found
            if len(found) < SEARCH_LIMIT:
                return ids
            lo = str(int(found[-1]) + 1)

    def _list(self, spec: EntitySpec, *, archived: bool = False) -> PageRequest:
        names = self._list_groups(spec).page
        params: dict[str, Any] = {"limit": LIST_LIMIT, "properties": ",".join(names)}
        if archived:
            params["archived"] = "true"
        return PageRequest(url=spec.endpoint, params=params)

    def _list_groups(self, spec: EntitySpec) -> FieldGroups:
        """The properties a list URL can carry, then the rest (one batch read's body)."""
        fixed = len(urlsplit(self.base_url()).path) + len(spec.endpoint) + len(LIST_QUERY)
        return split_fields(
            self.names(spec),
            page_room=URI_LIMIT - fixed,
            group_room=None,
            cost=lambda name: len(quote(name, safe="")) + len("%2C"),
        )

    def complete_records(self, spec: EntitySpec, raw: list[Any]) -> list[Any]:
        return merge_groups(
            raw,
            self._list_groups(spec),
            key=lambda record: record.get("id"),
            read=lambda ids, names: self._batch_read(spec, ids, names),
            merge=_merge_properties,
        )

    def _batch_read(self, spec: EntitySpec, ids: Sequence[str], names: list[str]) -> list[Any]:
        """Records by id with `names`, 100 a call (a 207 lists the missing in errors)."""
        found: list[Any] = []
        for chunk in batched(ids, BATCH_LIMIT):
            body = {"properties": names, "inputs": [{"id": i} for i in chunk]}
            reply = self.session.request_json(
                "POST", f"{spec.endpoint}/batch/read", json=body, idempotent=True
            )
            found += self.records(spec, reply)
        return found

    def _search(self, spec: EntitySpec) -> PageRequest:
        body = {"properties": self.names(spec), "limit": SEARCH_LIMIT}
        return PageRequest(method="POST", url=f"{spec.endpoint}/search", json=body)

    def send_page(self, spec: EntitySpec, request: PageRequest) -> Reply:
        if request.url.endswith("/search"):
            self.stats.rate_limit_wait_s += self.search_limiter.acquire()
        return super().send_page(spec, request)

    def names(self, spec: EntitySpec) -> list[str]:
        """Property names a read asks for; overrides are checked against the properties API."""
        names = []
        standard = {rule.vendor for rule in spec.fields.rules}
        known: set[str] | None = None
        for path in self.field_map(spec.entity).vendor_paths():
            if path in RECORD_KEYS:
                continue
            if not path.startswith(maps.P) or "." in path.removeprefix(maps.P):
                raise InvalidInputError(
                    f"HubSpot fields are named properties.<name>; {path!r} is not one",
                    field="field_overrides",
                )
            name = path.removeprefix(maps.P)
            if path not in standard:
                known = known or {p["name"] for p in self.properties(spec.vendor_object)}
                if name not in known:
                    raise InvalidInputError(
                        f"HubSpot {spec.vendor_object} have no property {name}; "
                        "correct the field mapping",
                        field="field_overrides",
                    )
            names.append(name)
        return names

    def properties(self, object_type: str) -> list[dict[str, Any]]:
        if object_type not in self._properties:
            reply = self.session.request_json("GET", f"/crm/v3/properties/{object_type}")
            found = dig(reply.body, "results")
            self._properties[object_type] = found if isinstance(found, list) else []
        return self._properties[object_type]

    def field_names(self, spec: EntitySpec) -> set[str]:
        """Every property of the object (the properties API, once per adapter)."""
        return {maps.P + str(p["name"]) for p in self.properties(spec.vendor_object)}

    def custom_fields(self, spec: EntitySpec) -> list[VendorField]:
        return [
            VendorField(
                maps.P + item["name"],
                str(item.get("label") or item["name"]),
                str(item.get("type") or "string"),
                custom=True,
                writable=not dig(item, "modificationMetadata.readOnlyValue"),
            )
            for item in self.properties(spec.vendor_object)
            if not item.get("hubspotDefined", True)
        ]

    def fetch(self, entity: Entity, external_ids: Sequence[str]) -> list[RemoteRecord]:
        spec, fields = self.spec(entity), self.field_map(entity)
        found = self._batch_read(spec, external_ids, self.names(spec))
        return self.to_page(spec, fields, found).records

    def probe(self) -> str:
        response = self.session.request(
            "GET", "/crm/v3/objects/contacts", params={"limit": 1}, idempotent=True
        )
        left = response.headers.get("X-HubSpot-RateLimit-Daily-Remaining")
        daily = response.headers.get("X-HubSpot-RateLimit-Daily")
        return "read contacts" + (f"; {left} of {daily} daily API calls left" if left else "")

    # --- writes ----------------------------------------------------------------------------

    def write(self, entity: Entity, records: Sequence[OutboundRecord]) -> list[WriteResult]:
        super().write(entity, [])  # refuses a pull-only entity in words
        return write_batches(self, self.spec(entity), self.field_map(entity), records)

    def delete(self, entity: Entity, external_ids: Sequence[str]) -> list[WriteResult]:
        return archive_batches(self, self.writable_spec(entity), external_ids)


def _merge_properties(record: dict[str, Any], found: dict[str, Any]) -> None:
    properties = record.setdefault("properties", {})
    properties.update(found.get("properties") or {})


def _positive(value: Any, name: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if number < 1:
        raise InvalidInputError(f"{value!r} must be a whole number of at least 1", field=name)
    return number


def _id_range(lo: str | None, hi: str | None) -> list[dict[str, Any]]:
    """One filter group for ids in [lo, hi) (none at all when unbounded)."""
    filters = []
    if lo is not None:
        filters.append({"propertyName": "hs_object_id", "operator": "GTE", "value": str(int(lo))})
    if hi is not None:
        filters.append({"propertyName": "hs_object_id", "operator": "LT", "value": str(int(hi))})
    return [{"filters": filters}] if filters else []
