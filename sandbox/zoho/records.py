"""Reading records: list (page numbers, then page tokens), one record, deleted records.

Zoho pages a module with `page`/`per_page` (at most 200 per page) and
`info.more_records`; past the first 2,000 records only `page_token` (from
`info.next_page_token`) goes further, up to 100,000 (a per-tenant knob, the
`page_token` cap of `PUT /__sandbox__/zoho/{tenant}/caps`). `If-Modified-Since`
limits the list to records modified since then; nothing modified is a 304
with no body, an empty module a 204. The sandbox's page tokens are
self-contained (the position after the page, the query and an expiry), so
they survive a sandbox restart like Zoho's 24-hour tokens survive a client's.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from itertools import islice
from typing import Any

import orjson
from starlette.responses import Response

from sandbox.core import Call, Entry, empty_response, json_response
from sandbox.core.clock import now_ms
from sandbox.core.collection import BASE_SPAN_MS, BASE_START_MS, Order
from sandbox.zoho.errors import fail, invalid_data
from sandbox.zoho.render import display_name, parse_zoho_time, render, tenant_names, zoho_time
from sandbox.zoho.schema import BY_NAME, Module

MAX_PER_PAGE = 200
DISCRETE_LIMIT = 2000
TOKEN_LIMIT = 100_000
TOKEN_TTL_MS = 86_400_000
SORTABLE = {"id": "index", "Created_Time": "index", "Modified_Time": "modified"}


def module_of(call: Call) -> Module:
    name = str(call.request.path_params["module"])
    module = BY_NAME.get(name)
    if module is None:
        raise fail(
            400,
            "INVALID_MODULE",
            "the module name given seems to be invalid",
            {"resource_path_index": 0},
        )
    return module


def since_of(call: Call) -> int | None:
    header = call.request.headers.get("if-modified-since")
    if not header:
        return None
    try:
        return parse_zoho_time(header)
    except ValueError:
        raise invalid_data(
            "invalid If-Modified-Since header", {"header_name": "If-Modified-Since"}
        ) from None


def int_param(call: Call, name: str, default: int) -> int:
    """A positive integer query parameter, or Zoho's INVALID_DATA naming it."""
    raw = call.request.query_params.get(name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:  # "²" is a digit to isdigit()
        raise invalid_data("invalid data", {"param_name": name})
    return int(raw)


def _token(state: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(state)).decode().rstrip("=")


def _untoken(text: str) -> dict[str, Any]:
    try:
        state: dict[str, Any] = orjson.loads(
            base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        )
    except (ValueError, orjson.JSONDecodeError):
        raise invalid_data("invalid data", {"param_name": "page_token"}) from None
    if not isinstance(state, dict) or state.get("x", 0) < now_ms():
        raise fail(
            400,
            "EXPIRED_VALUE",
            "Page token expired",
            {"api_name": "page_token", "json_path": "$.query.page_token"},
        )
    return state


def _wanted(call: Call, module: Module) -> set[str] | None:
    raw = call.request.query_params.get("fields")
    if not raw:
        return None
    names = {n.strip() for n in raw.split(",") if n.strip()}
    if len(names) > 50:
        raise fail(400, "LIMIT_EXCEEDED", "limit exceeded", {"limit": 50, "param_name": "fields"})
    known = set(call.collection(module.api_name).field_index) | {
        "id",
        "Full_Name",
        "Created_Time",
        "Modified_Time",
    }
    unknown = sorted(names - known)
    if unknown:
        raise invalid_data("invalid data", {"api_name": unknown[0]})
    return names


async def list_records(call: Call) -> Response:
    module = module_of(call)
    params = call.request.query_params
    collection = call.collection(module.api_name)
    wanted = _wanted(call, module)
    per_page = min(int_param(call, "per_page", MAX_PER_PAGE), MAX_PER_PAGE)
    since = since_of(call)
    sort_by = params.get("sort_by", "id")
    if sort_by not in SORTABLE:
        raise invalid_data("invalid data", {"param_name": "sort_by"})
    descending = params.get("sort_order", "desc") != "asc"
    order: Order = "index" if SORTABLE[sort_by] == "index" else "modified"
    ids = {i.strip() for i in params.get("ids", "").split(",") if i.strip()}
    raw_token = params.get("page_token")
    if raw_token and "page" in params:
        raise invalid_data("page and page_token cannot be used together", {"param_name": "page"})
    after: Any = None
    if raw_token:
        state = _untoken(raw_token)
        order, descending, since, skipped = state["o"], state["d"], state["s"], int(state["n"])
        after = tuple(state["k"]) if isinstance(state["k"], list) else state["k"]
        cap = call.tenant.result_cap("page_token", TOKEN_LIMIT)  # a test may lower it
        if skipped >= cap:
            raise fail(
                400,
                "PAGINATION_LIMIT_EXCEEDED",
                f"You can only get upto {cap} records using page_token param",
                {"param_name": "page_token"},
            )
        page = skipped // per_page + 1
    else:
        page = int_param(call, "page", 1)
        skipped = (page - 1) * per_page
        if skipped + per_page > DISCRETE_LIMIT and page > 1:
            raise fail(
                400,
                "DISCRETE_PAGINATION_LIMIT_EXCEEDED",
                "You can only get the first 2000 records without using page_token param",
                {"limit": DISCRETE_LIMIT},
            )
    entries: Iterator[Entry]
    if ids and after is None:  # looked up, not scanned: a wide object's groups read by id
        found = (collection.get(i) for i in ids)
        chosen = [e for e in found if e is not None and (since is None or e.modified_ms >= since)]
        chosen.sort(key=lambda e: collection.key_of(e, order), reverse=descending)
        entries = iter(chosen)
    else:
        entries = collection.scan(order=order, after=after, since_ms=since, descending=descending)
        if ids:
            entries = (e for e in entries if e.id in ids)
    if after is None and skipped:
        entries = islice(entries, skipped, None)
    chunk = list(islice(entries, per_page + 1))
    more, chunk = len(chunk) > per_page, chunk[:per_page]
    if not chunk:
        return empty_response(304 if since is not None else 204)
    offset = str(call.tenant.config.settings["tz"])
    data = render_entries(call, module, chunk, wanted=wanted)
    info: dict[str, Any] = {
        "call": False,
        "per_page": per_page,
        "count": len(data),
        "page": page,
        "sort_by": sort_by,
        "sort_order": "desc" if descending else "asc",
        "more_records": more,
        "email": False,
        "previous_page_token": None,
        "next_page_token": None,
        "page_token_expiry": None,
    }
    if more:
        expiry = now_ms() + TOKEN_TTL_MS
        last = collection.key_of(chunk[-1], order)
        info["next_page_token"] = _token(
            {
                "o": order,
                "d": descending,
                "s": since,
                "k": last,
                "n": skipped + len(data),
                "x": expiry,
            }
        )
        info["page_token_expiry"] = zoho_time(expiry, offset)
    return json_response({"data": data, "info": info})


def render_entries(
    call: Call, module: Module, entries: list[Entry], *, wanted: set[str] | None = None
) -> list[dict[str, Any]]:
    """Entries as the GET APIs write them, in the tenant's time zone and currency (and
    counted as served)."""
    settings = call.tenant.config.settings
    names = tenant_names(call.tenant)
    data = [
        render(
            module.api_name, e.id, e.fields, e.created_ms, e.modified_ms,
            offset=str(settings["tz"]), names=names, wanted=wanted,
            currency=str(settings["currency"]),
        )
        for e in entries
    ]  # fmt: skip
    call.served(len(data))
    return data


async def get_record(call: Call) -> Response:
    module = module_of(call)
    record_id = str(call.request.path_params["record_id"])
    collection = call.collection(module.api_name)
    if collection.spec.ids.parse(record_id) is None:
        raise invalid_data("the id given seems to be invalid", {"resource_path_index": 1})
    entry = collection.get(record_id)
    if entry is None:
        return empty_response(204)
    settings = call.tenant.config.settings
    record = render(
        module.api_name,
        entry.id,
        entry.fields,
        entry.created_ms,
        entry.modified_ms,
        offset=str(settings["tz"]),
        names=tenant_names(call.tenant),
        currency=str(settings["currency"]),
    )
    call.served(1)
    return json_response({"data": [record]})


def _deleted_since(since: int | None) -> int:
    """Deletions happen now, after every generated record's time: start the scan there."""
    return max(since or 0, BASE_START_MS + BASE_SPAN_MS)


async def deleted_records(call: Call) -> Response:
    module = module_of(call)
    kind = call.request.query_params.get("type", "all")
    if kind not in ("all", "recycle", "permanent"):
        raise invalid_data("invalid data", {"param_name": "type"})
    per_page = min(int_param(call, "per_page", MAX_PER_PAGE), MAX_PER_PAGE)
    page = int_param(call, "page", 1)
    since = since_of(call)
    collection = call.collection(module.api_name)
    gone: Iterator[Entry] = (
        e
        for e in collection.scan(
            order="modified", since_ms=_deleted_since(since), include_deleted=True
        )
        if e.deleted_ms is not None
    )
    if kind == "permanent":  # deletions through the API go to the recycle bin
        gone = iter(())
    chunk = list(islice(gone, (page - 1) * per_page, page * per_page + 1))
    more, chunk = len(chunk) > per_page, chunk[:per_page]
    if not chunk:
        return empty_response(304 if since is not None else 204)
    offset = str(call.tenant.config.settings["tz"])
    names = tenant_names(call.tenant)
    data = []
    for entry in chunk:
        owner = (
            names("users", str(entry.fields.get("Owner"))) if entry.fields.get("Owner") else None
        )
        who = {"name": owner["name"], "id": str(entry.fields["Owner"])} if owner else None
        data.append(
            {
                "deleted_by": who,
                "id": entry.id,
                "display_name": display_name(module.api_name, entry.fields),
                "type": "recycle",
                "created_by": who,
                "deleted_time": zoho_time(entry.deleted_ms or entry.modified_ms, offset),
            }
        )
    call.served(len(data))
    info = {"per_page": per_page, "count": len(data), "page": page, "more_records": more}
    return json_response({"data": data, "info": info})
