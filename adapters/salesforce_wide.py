"""SOQL select lists too long for one request URL (adapters.wide_reads, Salesforce's part).

A REST query travels in the URL (`GET .../queryAll?q=SELECT ...`), and Salesforce
refuses a URI over 16,384 bytes with 414 (help.salesforce.com, knowledge article
000386264). A select list of a thousand custom fields is longer than that, so each page
asks for the columns that fit (the system columns first) and the others are read in
groups for the page's ids:

    SELECT Id, Wide_Field_0701__c, ... FROM Contact WHERE Id IN ('003...', ...)

200 ids a query, through `queryAll` for the read (its pages carry deleted records) and
`query` for fetches of live ones. A Bulk API query carries its SOQL in a body (up to
100,000 characters) and needs none of this.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any
from urllib.parse import quote_plus

from adapters.http import VendorSession
from adapters.wide_reads import FieldGroups, merge_groups, split_fields
from core.iterables import batched

URI_LIMIT = 16_384  # bytes of request URI Salesforce takes (knowledge article 000386264)
# Salesforce counts the headers with the URI (431 past the sum): room for ours (bearer
# token, Sforce-Query-Options, Accept...) and the request line's method and version.
SLACK = 1_024
ID_CHUNK = 200  # ids per `Id IN (...)` query
SYSTEM_COLUMNS = ("Id", "SystemModstamp", "CreatedDate", "IsDeleted")
_LONGEST_ID = "0" * 18  # Salesforce ids are 15 or 18 characters
_EARLIEST = "2000-01-01T00:00:00.000Z"


def soql_string(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _cost(name: str) -> int:
    """What a column adds to the URL: the name and its `, ` separator, encoded."""
    return len(quote_plus(f", {name}"))


def _target(path: str, soql: str) -> int:
    return len(path) + len("?q=") + len(quote_plus(soql))


def _id_clause(ids: Sequence[str]) -> str:
    return f" WHERE Id IN ({', '.join(soql_string(i) for i in ids)})"


class WideSoql:
    """The groups of one object's columns and the reads by id that complete a page."""

    def __init__(self, session: VendorSession, data_path: str) -> None:
        self.session = session
        self.data_path = data_path

    def page_groups(self, sobject: str, columns: Sequence[str]) -> FieldGroups:
        """Columns for the read's pages (with the longest WHERE and ORDER BY it sends)
        and the groups read by id."""
        tail = f" WHERE SystemModstamp >= {_EARLIEST} ORDER BY SystemModstamp, Id"
        fixed = _target(f"{self.data_path}/queryAll", f"SELECT  FROM {sobject}{tail}")  # noqa: S608 (measured, not sent)
        return split_fields(
            columns,
            keep=SYSTEM_COLUMNS,
            page_room=URI_LIMIT - SLACK - fixed,
            group_room=self._id_room(sobject),
            cost=_cost,
        )

    def complete(self, sobject: str, records: list[Any], groups: FieldGroups) -> list[Any]:
        """A read's page with the other groups' columns, read through `queryAll`."""
        return merge_groups(
            records,
            groups,
            key=lambda record: record.get("Id"),
            read=lambda ids, names: self.by_ids(sobject, ids, ["Id", *names], every=True),
        )

    def fetch(self, sobject: str, ids: Sequence[str], columns: Sequence[str]) -> list[Any]:
        """Live records by id with every column, in as many queries as the URL needs."""
        groups = split_fields(
            columns,
            keep=SYSTEM_COLUMNS,
            page_room=self._id_room(sobject),
            group_room=self._id_room(sobject),
            cost=_cost,
        )
        found = list(self.by_ids(sobject, ids, groups.page, every=False))
        return merge_groups(
            found,
            groups,
            key=lambda record: record.get("Id"),
            read=lambda chunk, names: self.by_ids(sobject, chunk, ["Id", *names], every=False),
        )

    def by_ids(
        self, sobject: str, ids: Sequence[str], columns: Sequence[str], *, every: bool
    ) -> Iterator[Any]:
        """`SELECT columns ... WHERE Id IN (...)`, 200 ids a query, following locators."""
        path = f"{self.data_path}/{'queryAll' if every else 'query'}"
        for chunk in batched(ids, ID_CHUNK):
            soql = f"SELECT {', '.join(columns)} FROM {sobject}{_id_clause(chunk)}"  # noqa: S608 (checked names, quoted ids)
            reply = self.session.request_json("GET", path, params={"q": soql})
            while True:
                body = reply.body if isinstance(reply.body, dict) else {}
                yield from body.get("records") or []
                locator = body.get("nextRecordsUrl")
                if not locator:
                    break
                reply = self.session.request_json("GET", str(locator))

    def _id_room(self, sobject: str) -> int:
        """Characters left for columns in a query of a full chunk of the longest ids."""
        clause = _id_clause([_LONGEST_ID] * ID_CHUNK)
        fixed = _target(f"{self.data_path}/queryAll", f"SELECT  FROM {sobject}{clause}")  # noqa: S608 (measured)
        return URI_LIMIT - SLACK - fixed
