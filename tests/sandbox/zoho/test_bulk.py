"""Bulk Read API jobs: create, poll, download the zipped CSV, as Zoho documents them."""

from __future__ import annotations

import csv
import io
import zipfile

from sandbox.testing import RunningSandbox
from tests.sandbox.zoho.conftest import Zoho, client

SYSTEM = "zoho"


def bulk(zoho: Zoho, version: str = "v2") -> Zoho:
    return Zoho(zoho.base.rsplit("/crm/", 1)[0] + f"/crm/bulk/{version}/read", zoho.headers)


def test_a_read_job_exports_the_asked_fields_in_the_asked_order(
    sandbox: RunningSandbox, zoho: Zoho
) -> None:
    jobs = bulk(zoho)
    query = {"module": "Contacts", "fields": ["Last_Name", "Email", "Account_Name"], "page": 1}
    created = jobs.send("POST", "", json={"query": query})
    assert created.status_code == 201
    [added] = created.json()["data"]
    assert (added["status"], added["code"]) == ("success", "ADDED_SUCCESSFULLY")
    job = added["details"]["id"]
    assert added["details"]["state"] == "ADDED" and added["details"]["operation"] == "read"
    early = jobs.get(f"{job}/result")
    assert early.status_code == 400 and early.json()["status"] == "error"
    states = [jobs.get(job).json()["data"][0] for _ in range(2)]
    assert [s["state"] for s in states] == ["IN PROGRESS", "COMPLETED"]
    result = states[1]["result"]
    assert result["page"] == 1 and result["per_page"] == 200_000
    assert result["more_records"] is False
    assert result["download_url"] == f"/crm/bulk/v2/read/{job}/result"
    download = jobs.get(f"{job}/result")
    assert download.headers["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(download.content))
    assert archive.namelist() == [f"{job}.csv"]
    rows = list(csv.reader(io.StringIO(archive.read(f"{job}.csv").decode())))
    assert rows[0] == ["Id", "Last_Name", "Email", "Account_Name"]
    live = sandbox.control.count(SYSTEM, "acme", "Contacts")
    assert len(rows) - 1 == result["count"] == live
    truth = {t.id: t for t in sandbox.control.iter_records(SYSTEM, "acme", "Contacts")}
    first = rows[1]
    assert first[1] == truth[first[0]].fields["Last_Name"]
    assert first[3] in ("", str(truth[first[0]].fields.get("Account_Name") or ""))  # an id


def test_v2_1_takes_the_module_as_an_object(sandbox: RunningSandbox) -> None:
    jobs = bulk(client(sandbox), "v2.1")
    created = jobs.send("POST", "", json={"query": {"module": {"api_name": "Accounts"}}})
    assert created.status_code == 201


def test_bad_jobs_are_refused_with_zohos_error_body(sandbox: RunningSandbox, zoho: Zoho) -> None:
    jobs = bulk(zoho)
    for query, api_name in (
        ({"module": "Nope"}, "module"),
        ({"module": "Contacts", "fields": ["Nope"]}, "Nope"),
        ({"module": "Quotes", "fields": ["Product_Details"]}, "Product_Details"),
        ({"module": "Contacts", "page": 0}, "page"),
    ):
        refused = jobs.send("POST", "", json={"query": query})
        assert refused.status_code == 400, query
        body = refused.json()
        assert (body["status"], body["code"]) == ("error", "INVALID_DATA"), body
        assert body["details"]["api_name"] == api_name
    missing = jobs.get("4150868000004717999")
    assert missing.status_code == 404 and missing.json()["status"] == "error"
