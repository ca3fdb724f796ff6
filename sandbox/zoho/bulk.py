"""Bulk Read API: export jobs of up to 200,000 records a page, downloaded as zipped CSV.

    POST /crm/bulk/v2/read                 {"query": {"module", "fields", "page"}}
    GET  /crm/bulk/v2/read/{job_id}        state ADDED / IN PROGRESS / COMPLETED, result
    GET  /crm/bulk/v2/read/{job_id}/result a ZIP holding {job_id}.csv

The job takes its snapshot when it is created (the module's live records in id
order, the asked page of 200,000). It reports IN PROGRESS to its first status
request and COMPLETED with `result` (page, count, per_page, more_records,
download_url) after that. The CSV has the record id as `Id`, then the asked fields
in the asked order (Zoho keeps that order when `fields` is given); a lookup is
its record's id, a boolean true/false, null an empty cell, times in the org's
zone as the REST API writes them. Subform fields cannot be exported (Zoho's Bulk
Read leaves subforms out): asking for one is INVALID_DATA. Sandbox wording where
Zoho's own was not found: the refusal of a result before COMPLETED and of an
unknown job id.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections import OrderedDict
from dataclasses import dataclass
from itertools import count, islice
from typing import Any

from starlette.responses import Response

from sandbox.core import Call, json_response
from sandbox.core.clock import now_ms
from sandbox.core.http import BodyError
from sandbox.zoho.errors import fail, invalid_data
from sandbox.zoho.render import render, tenant_names, zoho_time
from sandbox.zoho.schema import BY_NAME, LINE_ITEMS, Module

PER_JOB = 200_000
MAX_FIELDS = 200
MAX_JOBS = 200


@dataclass
class ReadJob:
    id: str
    tenant: str
    module: str
    fields: list[str]
    page: int
    csv: bytes
    rows: int
    more: bool
    created: str
    polls: int = 0

    def info(self, version: str) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.id,
            "operation": "read",
            "state": "ADDED",
            "query": {"module": self.module, "fields": self.fields, "page": self.page},
            "created_by": {"id": "1000000000001", "name": "Sandbox Integration"},
            "created_time": self.created,
            "file_type": "csv",
        }
        if self.polls == 1:
            body["state"] = "IN PROGRESS"
        elif self.polls > 1:
            body["state"] = "COMPLETED"
            body["result"] = {
                "page": self.page,
                "count": self.rows,
                "download_url": f"/crm/bulk/{version}/read/{self.id}/result",
                "per_page": PER_JOB,
                "more_records": self.more,
            }
        return body


class BulkReads:
    """Per-sandbox registry of read jobs and the endpoints' logic."""

    def __init__(self) -> None:
        self._jobs: OrderedDict[str, ReadJob] = OrderedDict()
        self._ids = count(1)

    async def create(self, call: Call, version: str) -> Response:
        try:
            body = await call.json()
        except BodyError:
            raise invalid_data("body is not a valid JSON") from None
        query = body.get("query") if isinstance(body, dict) else None
        if not isinstance(query, dict):
            raise fail(400, "REQUIRED_PARAM_MISSING", "query is missing", {"param": "query"})
        module = _module(query.get("module"))
        fields = _fields(call, module, query.get("fields"))
        page = query.get("page", 1)
        if not isinstance(page, int) or isinstance(page, bool) or page < 1:
            raise invalid_data("invalid data", {"api_name": "page"})
        text, rows, more = _export(call, module, fields, page)
        settings = call.tenant.config.settings
        job = ReadJob(
            id=str(4_150_868_000_004_717_000 + next(self._ids)),
            tenant=call.tenant.name,
            module=module.api_name,
            fields=fields,
            page=page,
            csv=text.encode(),
            rows=rows,
            more=more,
            created=zoho_time(now_ms(), str(settings["tz"])),
        )
        self._jobs[job.id] = job
        while len(self._jobs) > MAX_JOBS:
            self._jobs.popitem(last=False)
        details = {k: v for k, v in job.info(version).items() if k != "query"}
        added = {
            "status": "success",
            "code": "ADDED_SUCCESSFULLY",
            "message": "Added successfully.",
            "details": details,
        }
        return json_response({"data": [added], "info": {}}, 201)

    async def status(self, call: Call, version: str) -> Response:
        job = self._find(call)
        job.polls += 1
        return json_response({"data": [job.info(version)]})

    async def result(self, call: Call, version: str) -> Response:
        job = self._find(call)
        if job.polls < 2:
            raise fail(400, "INVALID_REQUEST", "the job is not completed yet", {"id": job.id})
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(f"{job.id}.csv", job.csv)
        call.served(job.rows)
        disposition = f'attachment; filename="{job.id}.zip"'
        return Response(
            buffer.getvalue(),
            media_type="application/zip",
            headers={"Content-Disposition": disposition},
        )

    async def object_of_job(self, request: Any) -> str | None:
        job = self._jobs.get(str(request.path_params.get("job_id", "")))
        return job.module if job else None

    def _find(self, call: Call) -> ReadJob:
        job = self._jobs.get(str(call.request.path_params["job_id"]))
        if job is None or job.tenant != call.tenant.name:
            raise fail(404, "RESOURCE_NOT_FOUND", "the requested resource does not exist")
        return job


def _module(value: Any) -> Module:
    name = value.get("api_name") if isinstance(value, dict) else value  # v2.1+: {"api_name"}
    module = BY_NAME.get(name) if isinstance(name, str) else None
    if module is None:
        raise invalid_data("the module name given seems to be invalid", {"api_name": "module"})
    return module


def _fields(call: Call, module: Module, value: Any) -> list[str]:
    known = set(call.collection(module.api_name).field_index) | {"Created_Time", "Modified_Time"}
    if value is None:
        return sorted(known - {LINE_ITEMS})
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise invalid_data("invalid data", {"api_name": "fields"})
    if len(value) > MAX_FIELDS:
        raise fail(400, "LIMIT_EXCEEDED", "limit exceeded", {"limit": MAX_FIELDS})
    for name in value:
        if name == LINE_ITEMS or (name not in known and name != "id"):
            raise invalid_data("invalid data", {"api_name": name})
    return [v for v in dict.fromkeys(value) if v != "id"]


def _export(call: Call, module: Module, fields: list[str], page: int) -> tuple[str, int, bool]:
    """The page's rows as CSV text, how many, and whether a later page has more."""
    collection = call.collection(module.api_name)
    entries = collection.scan()  # live records, id order
    chunk = list(islice(entries, (page - 1) * PER_JOB, page * PER_JOB))
    more = next(entries, None) is not None
    settings = call.tenant.config.settings
    names = tenant_names(call.tenant)
    wanted = {*fields, "id", "$se_module"}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Id", *fields])
    for entry in chunk:
        record = render(
            module.api_name, entry.id, entry.fields, entry.created_ms, entry.modified_ms,
            offset=str(settings["tz"]), names=names, wanted=wanted,
            currency=str(settings["currency"]),
        )  # fmt: skip
        writer.writerow([entry.id, *(_cell(record.get(name)) for name in fields)])
    return out.getvalue(), len(chunk), more


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):  # a lookup: its record's id
        return str(value.get("id") or "")
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(str(v) for v in value)  # multi-select picklists
    return str(value)
