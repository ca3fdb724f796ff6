"""Bulk API 2.0 query jobs: create, poll, read CSV results by locator.

    POST   /services/data/vXX.X/jobs/query           {"operation": "queryAll", "query": ...}
    GET    /services/data/vXX.X/jobs/query/{id}      state UploadComplete/InProgress/JobComplete
    GET    /services/data/vXX.X/jobs/query/{id}/results?maxRecords=N&locator=L
    PATCH  /services/data/vXX.X/jobs/query/{id}      {"state": "Aborted"}
    DELETE /services/data/vXX.X/jobs/query/{id}

As at Salesforce, the job runs the query once (here: when it is created) and its
results are a snapshot: records changed afterwards are not in it. The job reports
InProgress to its first status request and JobComplete after that, so a client's
polling loop is exercised. Results are CSV with every value quoted, relationship
columns as `Account.Name`, null and empty both as "", booleans as true/false;
`Sforce-Locator` names the next chunk ("null" after the last) and
`Sforce-NumberOfRecords` counts this one. Locators are the offset in base64, as
Salesforce's look. Aggregate queries and OFFSET are refused, as Bulk API 2.0 does.
Sandbox wording where Salesforce's own was not found: the results-before-complete
refusal (INVALIDJOBSTATE) and the unknown-job 404.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from itertools import count
from typing import Any

from starlette.responses import Response

from sandbox.core import Call, json_response
from sandbox.core.clock import now_ms
from sandbox.core.http import BodyError
from sandbox.salesforce.compile import compile_query
from sandbox.salesforce.errors import fail
from sandbox.salesforce.ids import SalesforceIds
from sandbox.salesforce.render import compile_renderer
from sandbox.salesforce.sfschema import sf_datetime
from sandbox.salesforce.soql import parse
from sandbox.salesforce.soql_ast import SoqlError

OPERATIONS = ("query", "queryAll")
DEFAULT_MAX_RECORDS = 50_000
_FROM = re.compile(r"\bfrom\s+([A-Za-z_][A-Za-z0-9_]*)", re.IGNORECASE)
MAX_JOBS = 200  # Salesforce keeps jobs for 7 days; the sandbox keeps the newest few


@dataclass
class QueryJob:
    id: str
    tenant: str
    operation: str
    obj: str
    query: str
    version: str
    header: list[str]
    rows: list[list[str]]
    created: str
    polls: int = 0
    state: str = "UploadComplete"
    extra: dict[str, Any] = field(default_factory=dict)

    def info(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.id,
            "operation": self.operation,
            "object": self.obj,
            "createdById": "005000000000001AAA",
            "createdDate": self.created,
            "systemModstamp": self.created,
            "state": self.state,
            "concurrencyMode": "Parallel",
            "contentType": "CSV",
            "apiVersion": float(self.version),
            "lineEnding": "LF",
            "columnDelimiter": "COMMA",
        }
        if self.state == "JobComplete":
            body |= {"numberRecordsProcessed": len(self.rows), "retries": 0}
            body["totalProcessingTime"] = 1
        return body


class BulkQueries:
    """Per-sandbox registry of query jobs and the endpoints' logic."""

    def __init__(self, object_names: list[str]) -> None:
        self._names = {name.lower(): name for name in object_names}
        self._jobs: OrderedDict[str, QueryJob] = OrderedDict()
        self._ids = count(1)

    async def create(self, call: Call, version: str) -> Response:
        try:
            body = await call.json()
        except BodyError as exc:
            raise fail(400, "JSON_PARSER_ERROR", f"Unexpected character: {exc}") from None
        if not isinstance(body, dict):
            raise fail(400, "JSON_PARSER_ERROR", "Expected a JSON object")
        operation, text = body.get("operation"), body.get("query")
        if operation not in OPERATIONS:
            raise fail(400, "INVALIDJOB", f"Invalid operation: {operation!r}")
        if not isinstance(text, str) or not text.strip():
            raise fail(400, "INVALIDJOB", "A query has to be specified")
        if body.get("contentType", "CSV") != "CSV":
            raise fail(400, "INVALIDJOB", "contentType must be CSV")
        try:
            query = parse(text)
            compiled = compile_query(call.tenant, query)
        except SoqlError as exc:
            raise fail(400, "INVALIDJOB", exc.message) from None
        if compiled.count_only or query.offset or any(s.kind != "field" for s in query.select):
            raise fail(
                400, "INVALIDJOB", "Aggregate queries, OFFSET and FIELDS() are not supported"
            )
        header, rows = _snapshot(call, compiled, version, include_deleted=operation == "queryAll")
        pod = call.tenant.id_of("User", 0)[3:5]
        job = QueryJob(
            id=SalesforceIds("750", pod).format(next(self._ids)),
            tenant=call.tenant.name,
            operation=operation,
            obj=compiled.obj.name,
            query=text,
            version=version,
            header=header,
            rows=rows,
            created=sf_datetime(now_ms()),
        )
        self._jobs[job.id] = job
        while len(self._jobs) > MAX_JOBS:
            self._jobs.popitem(last=False)
        return json_response(job.info())

    async def job(self, call: Call, version: str) -> Response:
        job = self._find(call)
        method = call.request.method
        if method == "DELETE":
            self._jobs.pop(job.id, None)
            return Response(status_code=204)
        if method == "PATCH":
            try:
                body = await call.json()
            except BodyError as exc:
                raise fail(400, "JSON_PARSER_ERROR", f"Unexpected character: {exc}") from None
            if not isinstance(body, dict) or body.get("state") != "Aborted":
                raise fail(400, "INVALIDJOB", "A query job can only be set to Aborted")
            if job.state != "JobComplete":
                job.state = "Aborted"
            return json_response(job.info())
        job.polls += 1
        if job.state in ("UploadComplete", "InProgress"):
            job.state = "InProgress" if job.polls == 1 else "JobComplete"
        return json_response(job.info())

    async def results(self, call: Call, version: str) -> Response:
        job = self._find(call)
        if job.state != "JobComplete":
            raise fail(400, "INVALIDJOBSTATE", f"Job is not complete: {job.state}")
        params = call.request.query_params
        offset = _offset(params.get("locator"))
        size = _max_records(params.get("maxRecords"))
        chunk = job.rows[offset : offset + size]
        out = io.StringIO()
        writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
        writer.writerow(job.header)
        writer.writerows(chunk)
        end = offset + len(chunk)
        locator = _locator(end) if end < len(job.rows) else "null"
        call.served(len(chunk))
        headers = {"Sforce-Locator": locator, "Sforce-NumberOfRecords": str(len(chunk))}
        return Response(out.getvalue(), media_type="text/csv", headers=headers)

    async def object_of_body(self, request: Any) -> str | None:
        """The FROM object of a job's query (Starlette keeps the body for the handler)."""
        try:
            text = json.loads(await request.body()).get("query", "")
        except (ValueError, AttributeError):
            return None
        match = _FROM.search(text) if isinstance(text, str) else None
        return self._names.get(match.group(1).lower()) if match else None

    async def object_of_job(self, request: Any) -> str | None:
        job = self._jobs.get(str(request.path_params.get("job_id", "")))
        return job.obj if job else None

    def _find(self, call: Call) -> QueryJob:
        job = self._jobs.get(str(call.request.path_params["job_id"]))
        if job is None or job.tenant != call.tenant.name:
            raise fail(404, "NOT_FOUND", "The requested resource does not exist")
        return job


def _snapshot(
    call: Call, compiled: Any, version: str, *, include_deleted: bool
) -> tuple[list[str], list[list[str]]]:
    """The query's rows as CSV cells, and the header: each selected path, dotted."""
    paths = [item.field.path for item in compiled.query.select if item.field is not None]
    header = [".".join((compiled.obj.canonical(p[0]) or p[0], *p[1:])) for p in paths]
    render = compile_renderer(compiled.obj, compiled.columns, version)
    collection = call.tenant.collection(compiled.obj.name)
    plan, predicate = compiled.plan, compiled.predicate
    if plan.kind == "ids":
        found = (collection.get(i, include_deleted=include_deleted) for i in plan.ids or [])
        entries: Any = sorted(
            (e for e in found if e is not None and (plan.window is None or e.index in plan.window)),
            key=lambda e: e.index,
        )
    else:
        entries = collection.scan(
            since_ms=plan.since_ms,
            until_ms=plan.until_ms,
            include_deleted=include_deleted,
            window=plan.window,
        )
    rows = []
    for entry in entries:
        if predicate is not None and not predicate(entry):
            continue
        record = render(entry)
        rows.append([_cell(_walk(record, path)) for path in header])
    return header, rows


def _walk(record: Any, dotted: str) -> Any:
    """The value at a dotted path, matching names case-insensitively as SOQL does (the
    exact name first: a record with 1,000 fields is not scanned for each of them)."""
    value = record
    for part in dotted.split("."):
        if not isinstance(value, dict):
            return None
        if part in value:
            value = value[part]
            continue
        lowered = part.lower()
        value = next((v for k, v in value.items() if k.lower() == lowered), None)
    return value


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    text = str(value)
    if len(text) == 28 and text.endswith("+0000") and text[10] == "T":
        return text[:-5] + "Z"  # Bulk CSV writes UTC datetimes with a Z
    return text


def _locator(offset: int) -> str:
    return base64.b64encode(str(offset).encode()).decode()


def _offset(locator: str | None) -> int:
    if locator in (None, ""):
        return 0
    try:
        text = base64.b64decode(str(locator), validate=True).decode()
    except ValueError:
        text = ""
    if not (text.isascii() and text.isdigit()):
        raise fail(400, "INVALIDLOCATOR", f"Invalid locator: {locator}")
    return int(text)


def _max_records(value: str | None) -> int:
    if value in (None, ""):
        return DEFAULT_MAX_RECORDS
    text = str(value)
    if not (text.isascii() and text.isdigit()) or int(text) < 1:
        raise fail(400, "INVALIDPARAMETER", f"maxRecords must be a positive integer: {value}")
    return int(text)
