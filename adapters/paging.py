"""Paginator strategies for the vendors' paging schemes.

A paginator is a small stateful object built fresh for every traversal, with
the four steps of dlt's contract:

    paginator = CursorPaginator(cursor_path="paging.next.after", param="after")
    request = PageRequest(url="/crm/v3/objects/contacts", params={"limit": 100})
    paginator.init_request(request, resume=checkpoint)   # 1. prepare the first request
    while True:
        reply = session.request_json(request.method, request.url, params=request.params)
        records = reply.body["results"]
        paginator.update_state(reply, records)            # 2. read the response
        save(records, paginator.resume)                   #    position after this page
        if not paginator.has_next_page:                   # 4. more?
            break
        paginator.update_request(request)                 # 3. point at the next page

The base class stops on an empty page and refuses a position it has already
requested (a vendor that hands back the same cursor would loop forever).
`resume` is a small JSON-able dict: the engine checkpoints it after each page
and hands it back to `init_request` to restart after that page.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import orjson

from adapters.paths import dig
from adapters.payload import Reply
from core.errors import ToothpickError, VendorError


@dataclass
class PageRequest:
    """The request a paginator prepares; `json` is the body of POST-style searches."""

    method: str = "GET"
    url: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    json: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def place(self, name: str, value: Any, *, in_body: bool) -> None:
        if in_body:
            self.json = {**(self.json or {}), name: value}
        else:
            self.params[name] = value

    def drop(self, name: str) -> None:
        self.params.pop(name, None)
        if self.json is not None:
            self.json.pop(name, None)


class Paginator(ABC):
    def __init__(self) -> None:
        self.has_next_page = True
        self._state: dict[str, Any] = {}
        self._requested: set[bytes] = set()

    # --- the four steps ---------------------------------------------------------------------

    def init_request(self, request: PageRequest, resume: Mapping[str, Any] | None = None) -> None:
        if resume:
            self._state = self._restore(resume)
        self._mark_requested()
        self._apply(request)

    def update_state(self, reply: Reply, records: Sequence[Any]) -> None:
        nxt = self._next_state(reply, records)
        if nxt is None or not records:
            self.has_next_page = False
            return
        self._state = nxt
        self._mark_requested()

    def update_request(self, request: PageRequest) -> None:
        self._apply(request)

    @property
    def state(self) -> dict[str, Any]:
        """The position of the page requested next."""
        return dict(self._state)

    def ahead(self, n: int) -> list[dict[str, Any]] | None:
        """Positions of the next `n` pages, the current one first, where the paging lets
        them be known before the pages are read (offset, page number); None where each
        position comes from the page before (cursors, next links). adapters.prefetch
        fetches those pages at once."""
        return None

    def request_at(self, request: PageRequest, position: Mapping[str, Any]) -> PageRequest:
        """A copy of `request` pointed at `position` (one of `ahead`'s)."""
        copy = PageRequest(
            method=request.method,
            url=request.url,
            params=dict(request.params),
            json=dict(request.json) if request.json is not None else None,
            headers=dict(request.headers),
        )
        saved, self._state = self._state, dict(position)
        try:
            self._apply(copy)
        finally:
            self._state = saved
        return copy

    @property
    def resume(self) -> dict[str, Any] | None:
        """Where to restart after the page just read; None when the traversal is complete."""
        return dict(self._state) if self.has_next_page else None

    # --- what each strategy says ---------------------------------------------------------------

    @abstractmethod
    def _next_state(self, reply: Reply, records: Sequence[Any]) -> dict[str, Any] | None:
        """The position of the next page, or None after the last page."""

    @abstractmethod
    def _apply(self, request: PageRequest) -> None:
        """Put the current position into the request."""

    def _restore(self, resume: Mapping[str, Any]) -> dict[str, Any]:
        return dict(resume)

    def _mark_requested(self) -> None:
        position = orjson.dumps(self._state, option=orjson.OPT_SORT_KEYS)
        # One 16-byte digest per page read: orjson's own result holds a 4 KiB buffer, which
        # over a million-record read (10,000 pages) would have been 40 MB.
        key = hashlib.blake2b(position, digest_size=16).digest()
        if key in self._requested:
            raise VendorError(
                "The vendor sent the same next-page position twice "
                f"({position.decode()[:80]}); the read stopped so that it does not loop forever"
            )
        self._requested.add(key)


def _require(resume: Mapping[str, Any], *names: str) -> dict[str, Any]:
    """A checkpoint must carry one of `names`; anything else is not ours to guess."""
    if not any(name in resume for name in names):
        raise ToothpickError(
            f"cannot resume from checkpoint {dict(resume)!r}: expected one of {', '.join(names)}"
        )
    return dict(resume)


class SinglePage(Paginator):
    """An endpoint that answers everything at once (metadata, small lists)."""

    def _next_state(self, reply: Reply, records: Sequence[Any]) -> dict[str, Any] | None:
        return None

    def _apply(self, request: PageRequest) -> None:
        return None


class CursorPaginator(Paginator):
    """An opaque token in the body, sent back as a parameter.

    >>> CursorPaginator(cursor_path="paging.next.after", param="after")  # HubSpot
    >>> CursorPaginator(cursor_path="additional_data.next_cursor", param="cursor")  # Pipedrive v2
    >>> CursorPaginator(cursor_path="additional_data.pagination.next_start", param="start",
    ...                 more_path="additional_data.pagination.more_items_in_collection")  # v1
    >>> CursorPaginator(cursor_path="paging.next.after", param="after", in_body=True)  # search
    """

    def __init__(
        self, *, cursor_path: str, param: str, in_body: bool = False, more_path: str | None = None
    ) -> None:
        super().__init__()
        self.cursor_path, self.param, self.in_body, self.more_path = (
            cursor_path,
            param,
            in_body,
            more_path,
        )

    def _next_state(self, reply: Reply, records: Sequence[Any]) -> dict[str, Any] | None:
        if self.more_path is not None and not dig(reply.body, self.more_path):
            return None
        cursor = dig(reply.body, self.cursor_path)
        return {"cursor": cursor} if cursor not in (None, "") else None

    def _apply(self, request: PageRequest) -> None:
        if "cursor" in self._state:
            request.place(self.param, self._state["cursor"], in_body=self.in_body)

    def _restore(self, resume: Mapping[str, Any]) -> dict[str, Any]:
        return _require(resume, "cursor")


class NextUrlPaginator(Paginator):
    """The body names the next page's URL; it replaces the request's URL and parameters.

    >>> NextUrlPaginator(next_path="nextRecordsUrl")  # Salesforce (a path on the instance)
    >>> NextUrlPaginator(next_path="d.__next")        # SAP OData V2 server paging

    A next URL on another host is refused: following it would send our credentials there.
    """

    def __init__(self, *, next_path: str) -> None:
        super().__init__()
        self.next_path = next_path
        self._origin: tuple[str, str] | None = None

    def _next_state(self, reply: Reply, records: Sequence[Any]) -> dict[str, Any] | None:
        nxt = dig(reply.body, self.next_path)
        if not isinstance(nxt, str) or not nxt:
            return None
        parts = urlsplit(nxt)
        here = urlsplit(reply.url)
        if parts.netloc and (parts.scheme, parts.netloc) != (here.scheme, here.netloc):
            raise VendorError(
                f"The vendor's next page is on another host ({parts.netloc}); it was not followed"
            )
        return {"next_url": nxt}

    def _apply(self, request: PageRequest) -> None:
        if "next_url" in self._state:
            request.url = self._state["next_url"]
            request.params = {}

    def _restore(self, resume: Mapping[str, Any]) -> dict[str, Any]:
        return _require(resume, "next_url")


class OffsetPaginator(Paginator):
    """offset/limit: stops on a short page, on `has_more` false, or at `total`.

    >>> OffsetPaginator(limit=500, has_more_path="hasMore")                   # Oracle Fusion
    >>> OffsetPaginator(limit=1000, offset_param="$skip", limit_param="$top")  # SAP OData
    >>> OffsetPaginator(limit=500, in_body=True)                               # Odoo kwargs

    `count` asks the first page for the total (Oracle `totalResults=true`, SAP
    `$inlinecount=allpages`), so that the pages after it are fetched at once
    without a request past the end.
    """

    def __init__(
        self,
        *,
        limit: int,
        offset_param: str = "offset",
        limit_param: str = "limit",
        has_more_path: str | None = None,
        total_path: str | None = None,
        in_body: bool = False,
        count: tuple[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.limit, self.offset_param, self.limit_param = limit, offset_param, limit_param
        self.has_more_path, self.total_path, self.in_body = has_more_path, total_path, in_body
        self.count = count
        self._state = {"offset": 0}
        self._total: int | None = None
        self._full_page_seen = False

    def _next_state(self, reply: Reply, records: Sequence[Any]) -> dict[str, Any] | None:
        offset = int(self._state["offset"]) + len(records)
        total = dig(reply.body, self.total_path) if self.total_path else None
        if total is not None and str(total).isascii() and str(total).isdigit():
            self._total = int(total)
        if len(records) < self.limit:
            return None
        self._full_page_seen = True
        if self.has_more_path is not None and dig(reply.body, self.has_more_path) is False:
            return None
        if self._total is not None and offset >= self._total:
            return None
        return {"offset": offset}

    def ahead(self, n: int) -> list[dict[str, Any]] | None:
        if "offset" not in self._state:
            return None
        first = int(self._state["offset"])
        if self._total is None and not self._full_page_seen:
            return [{"offset": first}]  # the first page tells how far the listing goes
        end = self._total if self._total is not None else first + n * self.limit
        return [{"offset": o} for o in range(first, min(end, first + n * self.limit), self.limit)]

    def _apply(self, request: PageRequest) -> None:
        request.place(self.offset_param, self._state["offset"], in_body=self.in_body)
        request.place(self.limit_param, self.limit, in_body=self.in_body)
        if self.count is not None:
            name, value = self.count
            if self._state["offset"] == 0:
                request.place(name, value, in_body=self.in_body)
            else:
                request.drop(name)

    def _restore(self, resume: Mapping[str, Any]) -> dict[str, Any]:
        state = _require(resume, "offset")
        return {"offset": int(state["offset"])}


class ODataPaginator(OffsetPaginator):
    """SAP OData V2: `$top`/`$skip`, and the server's `__next` link when it cuts a page short."""

    def __init__(
        self, *, top: int = 1000, next_path: str = "d.__next", count: bool = False
    ) -> None:
        super().__init__(
            limit=top,
            offset_param="$skip",
            limit_param="$top",
            total_path="d.__count",
            count=("$inlinecount", "allpages") if count else None,
        )
        self._follow = NextUrlPaginator(next_path=next_path)

    def _next_state(self, reply: Reply, records: Sequence[Any]) -> dict[str, Any] | None:
        link = self._follow._next_state(reply, records)
        if link is not None:
            return link
        if "next_url" in self._state:  # server paging ended
            return None
        return super()._next_state(reply, records)

    def _apply(self, request: PageRequest) -> None:
        if "next_url" in self._state:
            request.url = self._state["next_url"]
            request.params = {}
        else:
            super()._apply(request)

    def _restore(self, resume: Mapping[str, Any]) -> dict[str, Any]:
        return _require(resume, "offset", "next_url")


class PageNumberPaginator(Paginator):
    """Page numbers while `more_path` is true; switches to a page token when the vendor
    gives one (Zoho CRM: `info.more_records`, and `info.next_page_token` past 2,000 records).

    >>> PageNumberPaginator(more_path="info.more_records",
    ...                     token_path="info.next_page_token", token_param="page_token")
    """

    def __init__(
        self,
        *,
        page_param: str = "page",
        start: int = 1,
        more_path: str = "info.more_records",
        token_path: str | None = None,
        token_param: str | None = None,
        numbered_pages: int | None = None,
    ) -> None:
        super().__init__()
        self.page_param, self.more_path = page_param, more_path
        self.token_path, self.token_param = token_path, token_param
        # Pages reachable by number alone (Zoho: the first 2,000 records): those are asked
        # for by number even when a token is offered, so they can be fetched at once.
        self.numbered_pages = numbered_pages
        self.start = start
        self._state = {"page": start}

    def _next_state(self, reply: Reply, records: Sequence[Any]) -> dict[str, Any] | None:
        if not dig(reply.body, self.more_path):
            return None
        page = int(self._state.get("page", 0)) + 1
        token = dig(reply.body, self.token_path) if self.token_path else None
        by_number = self.numbered_pages is not None and page <= self.numbered_pages
        if token and self.token_param and not by_number:
            return {"page": page, "page_token": token}
        return {"page": page}

    def ahead(self, n: int) -> list[dict[str, Any]] | None:
        """The next pages by number, up to the last one numbers reach; the first page is
        read alone (its `more_path` says whether there is a second)."""
        if self.numbered_pages is None or "page_token" in self._state:
            return None
        page = int(self._state["page"])
        if page == self.start:
            return [{"page": page}]
        last = min(page + n - 1, self.numbered_pages)
        return [{"page": p} for p in range(page, last + 1)] or None

    def _apply(self, request: PageRequest) -> None:
        if "page_token" in self._state and self.token_param:
            request.drop(self.page_param)  # Zoho refuses page together with page_token
            request.params[self.token_param] = self._state["page_token"]
        else:
            request.params[self.page_param] = self._state["page"]

    def _restore(self, resume: Mapping[str, Any]) -> dict[str, Any]:
        return _require(resume, "page", "page_token")
