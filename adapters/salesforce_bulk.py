"""Salesforce Bulk API 2.0 query jobs: a large full read in a few dozen calls.

A REST read costs one call per 2,000 records (the largest `batchSize`); a query job
costs one call to create it, a few status polls, and one call per results chunk of
up to `CHUNK_RECORDS` (50,000 here), so a full read of 1,000,000 accounts takes
about 25 calls instead of 500. Salesforce recommends it above about 2,000 records;
the adapter chooses it for full reads of objects holding at least the connection's
`bulk_threshold` live records (one COUNT() call decides), and keeps REST for
incremental reads, where a job's fixed latency (seconds of polling) costs more than
it saves.

The job's CSV carries every value as text; the object's describe gives each
column's type, so a row becomes the same record a REST page would have held
(booleans, numbers, null for "", relationship columns `Account.Name` nested as
`{"Account": {"Name": ...}}`). A results chunk is handed to the engine in pages of
the REST page size, so memory stays that of a REST read. The resume position is
the job, the chunk's locator and the rows already handed over: a run killed
anywhere resumes at the next row of the same snapshot; a job Salesforce no longer
keeps (7 days) answers 404 and the engine reads again from the start.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Mapping
from functools import partial
from typing import Any

from adapters.budget import CallKind, counting_as
from adapters.bulk_jobs import rows_in_pages, wait_for_job
from adapters.http import VendorSession
from adapters.paths import dig, dig_count
from adapters.timing import Clock
from core.errors import VendorError

CHUNK_RECORDS = 50_000  # maxRecords per results call
_NUMBERS: Mapping[str, Callable[[str], Any]] = {
    "int": int,
    "double": float,
    "currency": float,
    "percent": float,
}


class BulkQuery:
    """One object's full read through a query job (`queryAll`: deleted records too)."""

    def __init__(
        self,
        session: VendorSession,
        data_path: str,
        clock: Clock,
        field_types: Mapping[str, str],
        page_size: int,
    ) -> None:
        self.session = session
        self.jobs = f"{data_path}/jobs/query"
        self.clock = clock
        self.types = {"isdeleted": "boolean"} | {k.lower(): v for k, v in field_types.items()}
        self.page_size = page_size
        self.processed: int | None = None  # the finished job's row count: progress's end

    def pages(
        self, soql: str, resume: Mapping[str, Any] | None
    ) -> Iterator[tuple[list[dict[str, Any]], dict[str, Any] | None]]:
        """(records, position after them) for each engine page; the last has None."""
        if resume and resume.get("bulk_job"):
            job = str(resume["bulk_job"])
            locator, skip = resume.get("locator"), int(resume.get("skip") or 0)
        else:
            job, locator, skip = self._start(soql), None, 0
            self._wait(job)
        while True:
            params: dict[str, Any] = {"maxRecords": CHUNK_RECORDS}
            if locator:
                params["locator"] = locator
            response = self.session.request("GET", f"{self.jobs}/{job}/results", params=params)
            following = response.headers.get("Sforce-Locator")
            following = None if following in (None, "", "null") else following
            rows = csv.reader(io.StringIO(response.text))
            header = next(rows, None) or []
            pages = rows_in_pages(
                rows, partial(self._record, header), skip=skip, size=self.page_size
            )
            for batch, handed, chunk_ends in pages:
                if not chunk_ends:
                    yield batch, {"bulk_job": job, "locator": locator, "skip": handed}
                elif following is None:
                    yield batch, None
                    return
                elif batch:
                    yield batch, {"bulk_job": job, "locator": following, "skip": 0}
            locator, skip = following, 0

    def _start(self, soql: str) -> str:
        body = {"operation": "queryAll", "query": soql, "contentType": "CSV", "lineEnding": "LF"}
        with counting_as(CallKind.READ):  # a query job: a read, though not to be repeated
            reply = self.session.request_json("POST", self.jobs, json=body, idempotent=False)
        job = dig(reply.body, "id")
        if not job:
            raise VendorError("Salesforce created a bulk query job but returned no id")
        return str(job)

    def _wait(self, job: str) -> None:
        def poll() -> bool | None:
            reply = self.session.request_json("GET", f"{self.jobs}/{job}")
            state = dig(reply.body, "state")
            if state in ("Failed", "Aborted"):
                reason = dig(reply.body, "errorMessage") or state.lower()
                raise VendorError(f"Salesforce's bulk query job {job} ended {state}: {reason}")
            if state == "JobComplete":
                self.processed = dig_count(reply.body, "numberRecordsProcessed")
                return True
            return None

        wait_for_job(poll, self.clock, what=f"Salesforce's bulk query job {job}")

    def _record(self, header: list[str], row: list[str]) -> dict[str, Any]:
        """A CSV row as the REST API would have shaped it."""
        record: dict[str, Any] = {}
        for name, text in zip(header, row, strict=False):
            *parents, leaf = name.split(".")
            if not parents:
                record[name] = self._typed(name, text)
                continue
            node = record
            for parent in parents:
                node = node.setdefault(parent, {})
            node[leaf] = text or None
        return _null_parents(record)

    def _typed(self, name: str, text: str) -> Any:
        if text == "":
            return None
        kind = self.types.get(name.lower())
        if kind == "boolean":
            return text == "true"
        convert = _NUMBERS.get(kind or "")
        if convert is not None:
            try:
                return convert(text)
            except ValueError:
                return text  # the field map's converter says what is wrong with it
        return text


def _null_parents(record: dict[str, Any]) -> dict[str, Any]:
    """An absent parent (every column of it empty) is null, as in REST answers."""
    for key, value in record.items():
        if isinstance(value, dict):
            value = _null_parents(value)
            record[key] = None if all(v is None for v in value.values()) else value
    return record
