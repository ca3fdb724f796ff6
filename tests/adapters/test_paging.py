"""Every paginator with hand-built replies: traversal, stop rules, loop detection, resume."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from adapters.http import Reply
from adapters.paging import (
    CursorPaginator,
    NextUrlPaginator,
    ODataPaginator,
    OffsetPaginator,
    PageNumberPaginator,
    PageRequest,
    Paginator,
    SinglePage,
)
from core.errors import ToothpickError, VendorError

BASE = "https://api.example.com"


def reply(body: Any, url: str = BASE + "/x") -> Reply:
    return Reply(200, {}, body, url)


def traverse(
    paginator: Paginator,
    answer: Callable[[PageRequest], tuple[Any, list[Any]]],
    request: PageRequest | None = None,
    resume: dict[str, Any] | None = None,
) -> tuple[list[PageRequest], list[dict[str, Any] | None]]:
    """Run the four-step contract; returns the requests made and the resume after each page."""
    request = request or PageRequest(url="/items")
    paginator.init_request(request, resume)
    requests, resumes = [], []
    for _ in range(50):
        requests.append(
            PageRequest(
                request.method,
                request.url,
                dict(request.params),
                dict(request.json) if request.json else None,
            )
        )
        body, records = answer(request)
        paginator.update_state(reply(body), records)
        resumes.append(paginator.resume)
        if not paginator.has_next_page:
            return requests, resumes
        paginator.update_request(request)
    raise AssertionError("did not stop")


# --- cursor in the body -----------------------------------------------------------------------


def hubspot_pages(request: PageRequest) -> tuple[Any, list[Any]]:
    after = request.params.get("after")
    pages = {None: ("a1", [1, 2]), "a1": ("a2", [3, 4]), "a2": (None, [5])}
    nxt, records = pages[after]
    body: dict[str, Any] = {"results": records}
    if nxt:
        body["paging"] = {"next": {"after": nxt, "link": "..."}}
    return body, records


def test_hubspot_after_cursor():
    requests, resumes = traverse(
        CursorPaginator(cursor_path="paging.next.after", param="after"), hubspot_pages
    )
    assert [r.params.get("after") for r in requests] == [None, "a1", "a2"]
    assert resumes == [{"cursor": "a1"}, {"cursor": "a2"}, None]


def test_resume_restarts_after_the_checkpointed_page():
    paginator = CursorPaginator(cursor_path="paging.next.after", param="after")
    requests, _ = traverse(paginator, hubspot_pages, resume={"cursor": "a1"})
    assert [r.params.get("after") for r in requests] == ["a1", "a2"]


def test_a_cursor_in_a_search_body():
    def search(request: PageRequest) -> tuple[Any, list[Any]]:
        return hubspot_pages(PageRequest(params={"after": (request.json or {}).get("after")}))

    first = PageRequest(method="POST", url="/search", json={"limit": 2, "filterGroups": []})
    requests, _ = traverse(
        CursorPaginator(cursor_path="paging.next.after", param="after", in_body=True), search, first
    )
    assert [r.json and r.json.get("after") for r in requests] == [None, "a1", "a2"]
    assert all(r.json and r.json["limit"] == 2 for r in requests)


def test_pipedrive_v2_next_cursor_null_ends():
    def pages(request: PageRequest) -> tuple[Any, list[Any]]:
        if "cursor" not in request.params:
            return {"success": True, "data": [1], "additional_data": {"next_cursor": "eyJp"}}, [1]
        return {"success": True, "data": [2], "additional_data": {"next_cursor": None}}, [2]

    requests, resumes = traverse(
        CursorPaginator(cursor_path="additional_data.next_cursor", param="cursor"), pages
    )
    assert len(requests) == 2 and resumes[-1] is None


def test_pipedrive_v1_start_with_more_items_flag():
    def pages(request: PageRequest) -> tuple[Any, list[Any]]:
        start = request.params.get("start", 0)
        more = start < 200
        pagination = {"start": start, "limit": 100, "more_items_in_collection": more}
        if more:
            pagination["next_start"] = start + 100
        return {"data": [start], "additional_data": {"pagination": pagination}}, [start]

    paginator = CursorPaginator(
        cursor_path="additional_data.pagination.next_start",
        param="start",
        more_path="additional_data.pagination.more_items_in_collection",
    )
    requests, _ = traverse(paginator, pages)
    assert [r.params.get("start") for r in requests] == [None, 100, 200]


def test_the_same_cursor_twice_is_an_error_not_a_loop():
    def stuck(request: PageRequest) -> tuple[Any, list[Any]]:
        return {"paging": {"next": {"after": "same"}}}, [1]

    with pytest.raises(VendorError, match="same next-page position twice"):
        traverse(CursorPaginator(cursor_path="paging.next.after", param="after"), stuck)


def test_an_empty_page_stops_even_with_a_cursor():
    def empty(request: PageRequest) -> tuple[Any, list[Any]]:
        return {"results": [], "paging": {"next": {"after": "x"}}}, []

    requests, resumes = traverse(
        CursorPaginator(cursor_path="paging.next.after", param="after"), empty
    )
    assert len(requests) == 1 and resumes == [None]


# --- next URL -------------------------------------------------------------------------------------


def test_salesforce_next_records_url_replaces_url_and_query():
    def pages(request: PageRequest) -> tuple[Any, list[Any]]:
        if request.url == "/services/data/v60.0/query":
            return {
                "done": False,
                "nextRecordsUrl": "/services/data/v60.0/query/01g-2000",
                "records": [1],
            }, [1]
        return {"done": True, "records": [2]}, [2]

    first = PageRequest(url="/services/data/v60.0/query", params={"q": "SELECT Id FROM Contact"})
    requests, resumes = traverse(NextUrlPaginator(next_path="nextRecordsUrl"), pages, first)
    assert [(r.url, r.params) for r in requests] == [
        ("/services/data/v60.0/query", {"q": "SELECT Id FROM Contact"}),
        ("/services/data/v60.0/query/01g-2000", {}),
    ]
    assert resumes == [{"next_url": "/services/data/v60.0/query/01g-2000"}, None]


def test_a_next_url_on_another_host_is_not_followed():
    paginator = NextUrlPaginator(next_path="d.__next")
    paginator.init_request(PageRequest(url="/A_Product"))
    with pytest.raises(VendorError, match="another host"):
        paginator.update_state(
            reply({"d": {"results": [1], "__next": "https://evil.example/A_Product?$skiptoken=1"}}),
            [1],
        )


# --- offset ---------------------------------------------------------------------------------------


def oracle_pages(total: int, limit: int) -> Callable[[PageRequest], tuple[Any, list[Any]]]:
    def answer(request: PageRequest) -> tuple[Any, list[Any]]:
        offset = request.params["offset"]
        items = list(range(offset, min(offset + limit, total)))
        return {
            "items": items,
            "count": len(items),
            "hasMore": offset + limit < total,
            "limit": limit,
            "offset": offset,
        }, items

    return answer


def test_oracle_offset_stops_on_has_more_false():
    requests, resumes = traverse(
        OffsetPaginator(limit=2, has_more_path="hasMore"), oracle_pages(4, 2)
    )
    assert [r.params for r in requests] == [{"offset": 0, "limit": 2}, {"offset": 2, "limit": 2}]
    assert resumes == [{"offset": 2}, None]


def test_offset_stops_on_a_short_page_even_if_has_more_lies():
    def liar(request: PageRequest) -> tuple[Any, list[Any]]:
        return {"items": [1], "hasMore": True}, [1]

    requests, _ = traverse(OffsetPaginator(limit=2, has_more_path="hasMore"), liar)
    assert len(requests) == 1


def test_offset_stops_at_the_total():
    def counted(request: PageRequest) -> tuple[Any, list[Any]]:
        return {"items": [1, 2], "totalResults": 4}, [1, 2]

    requests, _ = traverse(OffsetPaginator(limit=2, total_path="totalResults"), counted)
    assert len(requests) == 2


def test_offset_resume_and_odoo_style_body_placement():
    paginator = OffsetPaginator(limit=200, in_body=True)
    request = PageRequest(method="POST", url="res.partner/search_read", json={"domain": []})
    paginator.init_request(request, {"offset": 400})
    assert request.json == {"domain": [], "offset": 400, "limit": 200}


def test_a_checkpoint_that_is_not_ours_is_refused():
    with pytest.raises(ToothpickError, match="cannot resume"):
        OffsetPaginator(limit=10).init_request(PageRequest(), {"cursor": "x"})


# --- OData ----------------------------------------------------------------------------------------


def test_odata_uses_top_and_skip():
    def pages(request: PageRequest) -> tuple[Any, list[Any]]:
        skip = request.params["$skip"]
        items = [1, 2] if skip < 4 else [5]
        return {"d": {"results": items}}, items

    requests, _ = traverse(ODataPaginator(top=2), pages)
    assert [r.params for r in requests] == [
        {"$skip": 0, "$top": 2},
        {"$skip": 2, "$top": 2},
        {"$skip": 4, "$top": 2},
    ]


def test_odata_follows_the_servers_next_link_when_it_cuts_pages():
    next_link = BASE + "/A_Product?$skiptoken=1000"

    def pages(request: PageRequest) -> tuple[Any, list[Any]]:
        if request.url == "/A_Product":
            return {"d": {"results": [1], "__next": next_link}}, [1]
        return {"d": {"results": [2]}}, [2]

    requests, resumes = traverse(ODataPaginator(top=5000), pages, PageRequest(url="/A_Product"))
    assert [r.url for r in requests] == ["/A_Product", next_link]
    assert requests[1].params == {}
    assert resumes == [{"next_url": next_link}, None]


# --- page number and page token -------------------------------------------------------------------


def zoho_pages(request: PageRequest) -> tuple[Any, list[Any]]:
    page = request.params.get("page")
    token = request.params.get("page_token")
    if token == "t2":
        return {"data": [4], "info": {"more_records": False}}, [4]
    if page == 2:
        return {"data": [2, 3], "info": {"more_records": True, "next_page_token": "t2"}}, [2, 3]
    return {"data": [1], "info": {"more_records": True, "page": 1}}, [1]


def test_zoho_pages_then_switches_to_the_page_token():
    paginator = PageNumberPaginator(
        more_path="info.more_records", token_path="info.next_page_token", token_param="page_token"
    )
    requests, resumes = traverse(
        paginator, zoho_pages, PageRequest(url="/crm/v2/Contacts", params={"per_page": 200})
    )
    assert [r.params for r in requests] == [
        {"per_page": 200, "page": 1},
        {"per_page": 200, "page": 2},
        {"per_page": 200, "page_token": "t2"},
    ]
    assert resumes == [{"page": 2}, {"page": 3, "page_token": "t2"}, None]


def test_zoho_resume_from_a_page_token():
    paginator = PageNumberPaginator(token_path="info.next_page_token", token_param="page_token")
    requests, _ = traverse(paginator, zoho_pages, resume={"page": 3, "page_token": "t2"})
    assert [r.params for r in requests] == [{"page_token": "t2"}]


def test_single_page():
    requests, resumes = traverse(SinglePage(), lambda r: ({"fields": [1, 2]}, [1, 2]))
    assert len(requests) == 1 and resumes == [None]
