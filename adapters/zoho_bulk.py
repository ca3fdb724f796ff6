"""Zoho CRM's Bulk Read API: a large module's full read as a few export jobs.

A REST read costs one call (and API credits) per 200 records; a bulk read job
exports up to 200,000 records as one zipped CSV for a job creation, a few status
polls and one download, so a 1,000,000-record module takes about 20 calls
instead of 5,000. The adapter uses it for full reads of modules holding at least
the connection's `bulk_threshold` records (the count action decides), and keeps
REST for incremental reads and for modules whose fields the export leaves out
(subforms such as quote line items; a task's What_Id, whose module the CSV does
not name).

A CSV row becomes the record the REST API would have sent: `Id` is `id`, a lookup
column is `{"id": ...}`, booleans and numbers are typed by the module's field
metadata, an empty cell is null. The resume position names the job, its page and
the rows already handed over; a job's file stays downloadable for a day, so a
killed run resumes at the next row. Page n + 1 (past 200,000 records) is a new
job with `page`, as Zoho documents it.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator, Mapping
from functools import partial
from typing import Any

from adapters.budget import CallKind, counting_as
from adapters.bulk_jobs import rows_in_pages, wait_for_job
from adapters.http import VendorSession
from adapters.paths import dig
from adapters.timing import Clock
from core.errors import MalformedResponseError, VendorError

_NUMBERS = {"integer": int, "bigint": int, "double": float, "currency": float, "percent": float}
_NUMBERS |= {"decimal": float}


class BulkRead:
    """One module's live records through export jobs, in engine pages of `page_size`."""

    def __init__(
        self,
        session: VendorSession,
        read_url: str,
        clock: Clock,
        *,
        module: str,
        fields: list[str] | None,
        lookups: set[str],
        field_types: Mapping[str, str],
        page_size: int,
    ) -> None:
        self.session = session
        self.read_url = read_url
        self.clock = clock
        self.module = module
        self.fields = fields
        self.lookups = lookups
        self.types = dict(field_types)
        self.page_size = page_size

    def pages(
        self, resume: Mapping[str, Any] | None
    ) -> Iterator[tuple[list[dict[str, Any]], dict[str, Any] | None]]:
        """(records, position after them); the last page of the last job has None."""
        job = str(resume["bulk_job"]) if resume and resume.get("bulk_job") else None
        page = int((resume or {}).get("bulk_page") or 1)
        skip = int((resume or {}).get("skip") or 0)
        while True:
            if job is None:
                job = self._start(page)
            more = self._wait(job)
            rows = self._download(job)
            header = next(rows, None) or []
            pages = rows_in_pages(
                rows, partial(self._record, header), skip=skip, size=self.page_size
            )
            for batch, handed, chunk_ends in pages:
                if not chunk_ends:
                    yield batch, {"bulk_job": job, "bulk_page": page, "skip": handed}
                elif not more:
                    yield batch, None
                    return
                elif batch:
                    yield batch, {"bulk_page": page + 1}
            job, page, skip = None, page + 1, 0

    def _start(self, page: int) -> str:
        query: dict[str, Any] = {"module": self.module, "page": page}
        if self.fields is not None:  # None: every field (more than a job may name)
            query["fields"] = self.fields
        body = {"query": query}
        with counting_as(CallKind.READ):  # a read job: a read, though not to be repeated
            reply = self.session.request_json("POST", self.read_url, json=body, idempotent=False)
        job = dig(reply.body, "data.0.details.id")
        if not job:
            raise VendorError("Zoho CRM accepted a bulk read job but returned no id")
        return str(job)

    def _wait(self, job: str) -> bool:
        """Until COMPLETED; whether a later page has more records."""

        def poll() -> bool | None:
            reply = self.session.request_json("GET", f"{self.read_url}/{job}")
            state = dig(reply.body, "data.0.state")
            if state == "FAILED":
                raise VendorError(f"Zoho CRM's bulk read job {job} failed")
            if state != "COMPLETED":
                return None
            return bool(dig(reply.body, "data.0.result.more_records"))

        return wait_for_job(poll, self.clock, what=f"Zoho CRM's bulk read job {job}")

    def _download(self, job: str) -> Iterator[list[str]]:
        response = self.session.request("GET", f"{self.read_url}/{job}/result")
        try:
            archive = zipfile.ZipFile(io.BytesIO(response.content))
            [name] = [n for n in archive.namelist() if n.endswith(".csv")]
            text = archive.read(name).decode("utf-8-sig")
        except (zipfile.BadZipFile, ValueError, UnicodeDecodeError) as exc:
            raise MalformedResponseError(
                f"Zoho CRM's bulk read result for job {job} is not a zipped CSV ({exc})"
            ) from None
        return csv.reader(io.StringIO(text))

    def _record(self, header: list[str], row: list[str]) -> dict[str, Any]:
        record: dict[str, Any] = {}
        for name, text in zip(header, row, strict=False):
            key = "id" if name == "Id" else name
            if text == "":
                record[key] = None
            elif key in self.lookups:
                record[key] = {"id": text}
            else:
                record[key] = self._typed(key, text)
        return record

    def _typed(self, name: str, text: str) -> Any:
        kind = self.types.get(name)
        if kind == "boolean":
            return text == "true"
        convert = _NUMBERS.get(kind or "")
        if convert is None:
            return text
        try:
            return convert(text)
        except ValueError:
            return text  # the field map's converter says what is wrong with it
