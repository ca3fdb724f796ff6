"""Oracle Fusion Cloud ERP/SCM and Sales over the ADF REST APIs.

Every call sends `REST-Framework-Version: 4`: row-match `q` expressions
(`LastUpdateDate >= '...'`), children as collections, JSON error bodies. Reads
page with offset/limit (500 at most) oldest change first; on-hand quantities
have no timestamp and are read whole each run, keyed by their six-part key.
A record is looked up with `q` on its key (composite keys travel as opaque
hashes Oracle asks clients never to build), and updated at the `self` link it
came with, sending its `changeIndicator` as `If-Match`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, ClassVar

from adapters.auth import Authenticator, BasicAuth
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
from adapters.mapping import FieldMap
from adapters.oracle_specs import (
    CHILD_KEYS,
    COUNT,
    EXPAND,
    ONHAND_KEY,
    SPECS,
    UNSUPPORTED,
    creation_defaults,
    described_custom_fields,
    described_field_names,
)
from adapters.oracle_writes import CHILDREN, CORRELATION, OracleWriter, delete_parts, literal
from adapters.paging import OffsetPaginator, PageRequest
from adapters.paths import dig, dig_count
from adapters.payload import Reply
from adapters.registry import register
from adapters.spec import read_time
from core.errors import InvalidInputError, RecordError, VendorError
from core.iterables import batched
from core.models import Entity, System

FRAMEWORK = "4"
LOOKUP_KEYS = 50  # keys per `IN (...)` query
MAX_LIMIT = 500
FORM = (
    FormField(
        "base_url", "Fusion URL", FieldKind.URL, placeholder="https://abcd.fa.us2.oraclecloud.com"
    ),
    FormField(
        "auth_method",
        "Authentication",
        FieldKind.CHOICE,
        default="basic",
        choices=("basic", "oauth2"),
        help="basic: integration user; oauth2: client credentials of the identity domain",
    ),
    FormField("username", "Integration user (or OAuth client ID)"),
    FormField("password", "Password (or client secret)", FieldKind.SECRET),
    FormField(
        "token_url",
        "OAuth token URL",
        FieldKind.URL,
        required=False,
        help="The identity domain's /oauth2/v1/token (for oauth2 only)",
    ),
    FormField(
        "item_organization",
        "Item master organization code",
        required=False,
        help="Organization of new items, e.g. M1",
    ),
    FormField(
        "page_size",
        "Records per request",
        FieldKind.INTEGER,
        required=False,
        default=500,
        help="limit of each page, at most 500",
    ),
)


SIGN_IN = (
    SignInMethod(
        "basic", "Integration user and password", fields=("username", "password"),
        required=("username", "password"), sets=(("auth_method", "basic"),),
    ),
    SignInMethod(
        "oauth2", "OAuth 2.0 client credentials", fields=("username", "password", "token_url"),
        required=("username", "password", "token_url"), sets=(("auth_method", "oauth2"),),
    ),
)  # fmt: skip


def _children(value: Any) -> list[Any]:
    rows = value.get("items") if isinstance(value, dict) else value
    if isinstance(rows, dict):  # positional writes: {"0": {...}}
        return [rows[k] for k in sorted(rows, key=int)]
    return list(rows) if isinstance(rows, list) else []


TEXT_KEYS = {"PartyNumber"}  # keys `q` compares as text (the others are integers)


@register
class OracleAdapter(BaseAdapter):
    info = declare_system(
        System.ORACLE,
        label="Oracle Fusion Cloud ERP",
        form=FORM,
        sign_in=SIGN_IN,
        specs=SPECS,
        unsupported=UNSUPPORTED,
        auth="Integration user over HTTP Basic, or OAuth 2.0 client credentials of the identity "
        "domain",
        docs_url="https://docs.oracle.com/en/cloud/saas/supply-chain-and-manufacturing/",
        write_batch_size=100,  # parts per batch action
    )
    specs = SPECS
    count_params: ClassVar[dict[str, str]] = {"totalResults": "true"}

    def __init__(self, context: AdapterContext, **options: Any) -> None:
        super().__init__(context, **options)
        self.seen: dict[str, dict[str, Any]] = {}  # rows of the last fetch, by key

    def authenticator(self) -> Authenticator:
        user, password = str(self.config.get("username", "")), self.secret("password")
        if self.config.get("auth_method") == "oauth2":
            token_url = str(self.config.get("token_url") or "/oauth2/v1/token")
            return self.client_credentials(token_url=token_url, client_id=user, secret=password)
        return BasicAuth(user, password)

    def default_headers(self) -> dict[str, str]:
        return {**super().default_headers(), "REST-Framework-Version": FRAMEWORK}

    # --- reading --------------------------------------------------------------------------

    def first_request(self, spec: EntitySpec, since: datetime | None) -> PageRequest:
        params: dict[str, Any] = {"onlyData": "true"}
        if spec.vendor_object in EXPAND:
            params["expand"] = EXPAND[spec.vendor_object]
        if spec.cursor:
            params["orderBy"] = f"{spec.cursor}:asc"
            if since is not None:
                stamp = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
                params["q"] = f"{spec.cursor} >= '{stamp}+00:00'"
        return PageRequest(url=spec.endpoint, params=params)

    def reported_total(self, spec: EntitySpec, request: PageRequest, reply: Reply) -> int | None:
        return dig_count(reply.body, "totalResults")

    def count(self, entity: Entity) -> int | None:
        """totalResults=true on a one-row page: one call."""
        spec = self.spec(entity)
        params = {"onlyData": "true", "limit": 1, "totalResults": "true"}
        body = self.session.request_json("GET", spec.endpoint, params=params).body
        total = body.get("totalResults") if isinstance(body, dict) else None
        return int(total) if isinstance(total, int) else None

    def id_order(self, entity: Entity) -> IdOrder | None:
        """ItemId and HeaderId are integers, PartyNumber text, as `q` compares them; on-hand
        rows have a composite key (no one-attribute range)."""
        key = self.spec(entity).key
        return None if key.startswith("_") else ("text" if key in TEXT_KEYS else "number")

    def count_range(self, entity: Entity, lo: str | None, hi: str | None) -> int:
        """totalResults=true on a one-row page whose `q` is the key range: one call."""
        spec = self.spec(entity)
        params = {**self._range(spec, lo, hi), "limit": 1, "totalResults": "true"}
        params["fields"] = spec.key
        body = self.session.request_json("GET", spec.endpoint, params=params).body
        total = body.get("totalResults") if isinstance(body, dict) else None
        if not isinstance(total, int):
            raise VendorError(f"Oracle answered without totalResults ({spec.vendor_object})")
        return total

    def list_range(self, entity: Entity, lo: str | None, hi: str | None) -> list[str]:
        """The key alone (`fields`), in key order, 500 a page until `hasMore` is false."""
        spec, ids, offset = self.spec(entity), [], 0
        while True:
            params = {**self._range(spec, lo, hi), "fields": spec.key, "limit": 500}
            params |= {"orderBy": f"{spec.key}:asc", "offset": offset}
            body = self.session.request_json("GET", spec.endpoint, params=params).body
            items = dig(body, "items") or []
            ids += [str(i[spec.key]) for i in items if i.get(spec.key) is not None]
            offset += len(items)
            if not items or not dig(body, "hasMore"):
                return ids

    def _range(self, spec: EntitySpec, lo: str | None, hi: str | None) -> dict[str, Any]:
        text = spec.key in TEXT_KEYS
        terms = [f"{spec.key} >= {literal(lo if text else int(lo))}"] if lo is not None else []
        terms += [f"{spec.key} < {literal(hi if text else int(hi))}"] if hi is not None else []
        return {"onlyData": "true", **({"q": " and ".join(terms)} if terms else {})}

    def to_page(self, spec: EntitySpec, fields: FieldMap, raw: Any) -> RemotePage:
        return super().to_page(spec, fields, [self._complete(spec, item) for item in raw])

    @staticmethod
    def _complete(spec: EntitySpec, item: Any) -> Any:
        if spec.vendor_object != "onhandQuantityDetails" or not isinstance(item, dict):
            return item
        key = "|".join("" if item.get(p) is None else str(item.get(p)) for p in ONHAND_KEY)
        place = [
            str(item.get(p))
            for p in ("OrganizationCode", "SubinventoryCode", "Locator")
            if item.get(p)
        ]
        return {**item, "_key": key, "_location": "/".join(place)}

    def _key_query(self, spec: EntitySpec, external_id: str) -> str:
        if spec.vendor_object == "onhandQuantityDetails":
            parts = external_id.split("|")
            if len(parts) != len(ONHAND_KEY):
                raise InvalidInputError(f"{external_id!r} is not an on-hand key of six parts")
            return " and ".join(
                f"{name} IS NULL"
                if not value
                else f"{name} = {literal(int(value) if value.isdigit() else value)}"
                for name, value in zip(ONHAND_KEY, parts, strict=True)
            )
        value: Any = (
            int(external_id)
            if spec.key in ("ItemId", "HeaderId") and external_id.isdigit()
            else external_id
        )
        return f"{spec.key} = {literal(value)}"

    def fetch_one(self, spec: EntitySpec, external_id: str) -> dict[str, Any] | None:
        params = {"q": self._key_query(spec, external_id), "limit": 1}
        if spec.vendor_object in EXPAND:
            params["expand"] = EXPAND[spec.vendor_object]
        reply = self.session.request_json("GET", spec.endpoint, params=params)
        found = dig(reply.body, "items.0")
        return self._complete(spec, found) if isinstance(found, dict) else None

    def fetch(self, entity: Entity, external_ids: Sequence[str]) -> list[RemoteRecord]:
        """One query for the whole batch (`<key> IN (...)`), not one per record; the rows
        are kept for the write that follows (their self links and change indicators)."""
        spec = self.spec(entity)
        self.seen = {}
        if spec.vendor_object not in CORRELATION or not external_ids:
            return super().fetch(entity, external_ids)
        found = self.lookup(spec, list(external_ids))
        return self.to_page(spec, self.field_map(entity), list(found.values())).records

    def lookup(self, spec: EntitySpec, keys: list[str]) -> dict[str, dict[str, Any]]:
        """The rows of these keys, LOOKUP_KEYS a query (the URL stays short)."""
        found: dict[str, dict[str, Any]] = {}
        for chunk in batched(keys, LOOKUP_KEYS):
            values = ", ".join(self._key_literal(spec, k) for k in chunk)
            params: dict[str, Any] = {"q": f"{spec.key} IN ({values})", "limit": len(chunk)}
            if spec.vendor_object in EXPAND:
                params["expand"] = EXPAND[spec.vendor_object]
            reply = self.session.request_json("GET", spec.endpoint, params=params)
            found.update(
                (str(item.get(spec.key)), item)
                for item in dig(reply.body, "items") or []
                if isinstance(item, dict)
            )
        self.seen.update(found)
        return found

    @staticmethod
    def _key_literal(spec: EntitySpec, external_id: str) -> str:
        numeric = spec.key in ("ItemId", "HeaderId") and external_id.isascii()
        return literal(int(external_id) if numeric and external_id.isdigit() else external_id)

    # --- writing --------------------------------------------------------------------------

    def write(self, entity: Entity, records: Sequence[OutboundRecord]) -> list[WriteResult]:
        """Batch actions (adapters.oracle_writes); a change to a child row goes alone."""
        spec = self.writable_spec(entity)
        if spec.vendor_object not in CORRELATION:
            return super().write(entity, records)
        return OracleWriter(self, spec, self.field_map(entity)).write(records)

    def delete(self, entity: Entity, external_ids: Sequence[str]) -> list[WriteResult]:
        return delete_parts(self.session, self.writable_spec(entity), external_ids)

    def write_alone(
        self, spec: EntitySpec, fields: FieldMap, record: OutboundRecord
    ) -> WriteResult:
        return self._write_one(spec, fields, record)

    def creation_body(self, spec: EntitySpec, payload: dict[str, Any]) -> dict[str, Any]:
        """A create's body: children as lists of rows, plus what Fusion needs besides."""
        body = {
            k: [dict(c) for c in _children(v)] if k in CHILDREN else v for k, v in payload.items()
        }
        organization = str(self.config.get("item_organization") or "")
        body.update(creation_defaults(spec.vendor_object, body, organization))
        return body

    def update(
        self, spec: EntitySpec, external_id: str, payload: dict[str, Any]
    ) -> datetime | None:
        current = self._linked(spec, external_id)
        flat = {k: v for k, v in payload.items() if k not in ("lines", "ItemDFF")}
        if flat:
            self._patch(current, flat)
        for child, change in payload.items():
            if child in ("lines", "ItemDFF"):
                self._patch_children(
                    current, child, _children(change), f"{spec.vendor_object} {external_id}"
                )
        fresh = self.fetch_one(spec, external_id)
        return read_time(fresh, spec.cursor) if fresh else None

    def _linked(self, spec: EntitySpec, external_id: str) -> dict[str, Any]:
        params = {"q": self._key_query(spec, external_id), "limit": 1}
        if spec.vendor_object in EXPAND:
            params["expand"] = EXPAND[spec.vendor_object]
        found = dig(self.session.request_json("GET", spec.endpoint, params=params).body, "items.0")
        if not isinstance(found, dict):
            raise VendorError(f"{spec.vendor_object} {external_id} no longer exists", status=404)
        return found

    def _patch(self, current: dict[str, Any], changes: dict[str, Any]) -> None:
        link = next((k for k in current.get("links") or () if k.get("rel") == "self"), None)
        if link is None:
            raise RecordError("Oracle gave no self link for the record, so it cannot be changed")
        indicator = dig(link, "properties.changeIndicator")
        headers = {"If-Match": str(indicator)} if indicator else {}
        self.session.request_json("PATCH", str(link["href"]), json=changes, headers=headers)

    def _patch_children(
        self, current: dict[str, Any], child: str, rows: list[Any], where: str
    ) -> None:
        existing = _children(current.get(child))
        key = CHILD_KEYS.get(child)
        for position, row in enumerate(rows):
            match = (
                next((c for c in existing if key and str(c.get(key)) == str(row.get(key))), None)
                if key
                else (existing[position] if position < len(existing) else None)
            )
            if match is None:
                raise RecordError(
                    f"{where}: a new {child} row cannot be added through this integration; "
                    "add it in Oracle (only existing rows are updated)"
                )
            changes = {k: v for k, v in row.items() if k != key and match.get(k) != v}
            if changes:
                self._patch(match, changes)

    # --- metadata -------------------------------------------------------------------------

    def custom_fields(self, spec: EntitySpec) -> list[VendorField]:
        """App Composer fields (`*_c`) and flexfield segments (ItemDFF), from `/describe`."""
        body = self.session.request_json("GET", f"{spec.endpoint}/describe").body
        return described_custom_fields(body, spec.vendor_object)

    def field_names(self, spec: EntitySpec) -> set[str]:
        body = self.session.request_json("GET", f"{spec.endpoint}/describe").body
        return described_field_names(body, spec.vendor_object)

    def probe(self) -> str:
        wanted = self.context.connection.entities
        spec = next((s for s in SPECS if s.entity in wanted), SPECS[0])
        params = {"limit": 1, "totalResults": "true", "onlyData": "true"}
        reply = self.session.request_json("GET", spec.endpoint, params=params)
        return f"{spec.vendor_object} has {dig(reply.body, 'totalResults')} records"

    def page_records(self, entity: Entity) -> int:
        return max(1, min(MAX_LIMIT, int(self.config.get("page_size") or MAX_LIMIT)))

    def spec(self, entity: Entity) -> EntitySpec:
        size = self.page_records(entity)
        return replace(
            super().spec(entity),
            paginator=lambda: OffsetPaginator(
                limit=size,
                has_more_path="hasMore",
                total_path="totalResults",
                count=COUNT if self.context.pages_in_flight > 1 else None,
            ),
        )
