"""Bulk API 2.0 query jobs, driven by simple-salesforce's own bulk2 client."""

from __future__ import annotations

import csv
import io
from typing import Any

from sandbox.testing import RunningSandbox

SYSTEM = "salesforce"
JOBS = "/services/data/v59.0/jobs/query"


def rows(chunks: list[str]) -> list[dict[str, str]]:
    return [row for chunk in chunks for row in csv.DictReader(io.StringIO(chunk))]


def call(sandbox: RunningSandbox, sf: Any, method: str, path: str, **options: Any) -> Any:
    """A raw request with simple-salesforce's token, to see states and headers it hides."""
    base = sf.base_url.split("/services/")[0]
    headers = {"Authorization": f"Bearer {sf.session_id}"}
    return sandbox.https_session().request(
        method, base + path, headers=headers, timeout=10, **options
    )


def test_query_all_job_returns_every_record_in_located_chunks(
    sandbox: RunningSandbox, sf: Any
) -> None:
    sandbox.control.set_scale(SYSTEM, "acme", {"Contact": 450})
    gone = next(iter(sandbox.control.iter_records(SYSTEM, "acme", "Contact"))).id
    sandbox.control.delete(SYSTEM, "acme", "Contact", gone)
    sandbox.control.reset_stats()
    soql = "SELECT Id, LastName, IsDeleted, Account.Name FROM Contact"
    chunks = list(sf.bulk2.Contact.query_all(soql, max_records=200, wait=0.05))
    assert len(chunks) == 3  # 200 + 200 + 50, each a CSV with its header
    found = rows(chunks)
    assert len(found) == 450 == len({r["Id"] for r in found})
    assert list(found[0]) == ["Id", "LastName", "IsDeleted", "Account.Name"]
    assert {r["IsDeleted"] for r in found} == {"true", "false"}
    assert next(r for r in found if r["Id"] == gone)["IsDeleted"] == "true"
    assert chunks[0].startswith('"Id","LastName","IsDeleted","Account.Name"\n')
    live = list(sf.bulk2.Contact.query("SELECT Id FROM Contact", wait=0.05))
    assert len(rows(live)) == 449  # query (not queryAll) leaves deleted records out
    calls = sandbox.control.stats(system=SYSTEM)["requests"]
    assert sum(r["count"] for r in calls if r["path"].endswith("/results")) == 4


def test_results_are_the_snapshot_taken_when_the_job_ran(sandbox: RunningSandbox, sf: Any) -> None:
    job = call(
        sandbox,
        sf,
        "POST",
        JOBS,
        json={"operation": "query", "query": "SELECT Id, Title FROM Contact"},
    ).json()
    assert job["state"] == "UploadComplete" and job["id"].startswith("750")
    first = next(iter(sandbox.control.iter_records(SYSTEM, "acme", "Contact"))).id
    sandbox.control.update(SYSTEM, "acme", "Contact", first, {"Title": "Changed after the job"})
    states = [call(sandbox, sf, "GET", f"{JOBS}/{job['id']}").json()["state"] for _ in range(2)]
    assert states == ["InProgress", "JobComplete"]
    result = call(sandbox, sf, "GET", f"{JOBS}/{job['id']}/results")
    assert result.headers["Sforce-Locator"] == "null"
    assert result.headers["Content-Type"].startswith("text/csv")
    titles = {r["Id"]: r["Title"] for r in rows([result.text])}
    assert titles[first] != "Changed after the job"


def test_bad_jobs_are_refused_the_way_salesforce_does(sandbox: RunningSandbox, sf: Any) -> None:
    def post(body: dict[str, Any]) -> Any:
        return call(sandbox, sf, "POST", JOBS, json=body)

    insert = post({"operation": "insert", "query": "SELECT Id FROM Contact"})
    assert insert.status_code == 400 and insert.json()[0]["errorCode"] == "INVALIDJOB"
    count = post({"operation": "query", "query": "SELECT COUNT() FROM Contact"})
    assert count.status_code == 400 and count.json()[0]["errorCode"] == "INVALIDJOB"
    unknown = post({"operation": "query", "query": "SELECT Nope__c FROM Contact"})
    assert unknown.status_code == 400
    missing = call(sandbox, sf, "GET", f"{JOBS}/7508j0000000000AAA")
    assert missing.status_code == 404 and missing.json()[0]["errorCode"] == "NOT_FOUND"
    job = post({"operation": "query", "query": "SELECT Id FROM Contact"}).json()
    early = call(sandbox, sf, "GET", f"{JOBS}/{job['id']}/results")
    assert early.status_code == 400  # not complete yet
    for _ in range(2):
        call(sandbox, sf, "GET", f"{JOBS}/{job['id']}")
    bad = call(sandbox, sf, "GET", f"{JOBS}/{job['id']}/results", params={"locator": "x!"})
    assert bad.status_code == 400
