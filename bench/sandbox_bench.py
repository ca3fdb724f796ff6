"""How fast a bare client (requests + orjson) pages through each simulated vendor.

The sandbox must never be the bottleneck of a benchmark, so this measures records
per second for one object of each vendor at 100,000 records (`--records`) with the
vendor's largest page size, against a sandbox in a child process (so server and
client do not share a GIL).

    .venv/bin/python bench/sandbox_bench.py                 # every vendor below
    .venv/bin/python bench/sandbox_bench.py --system hubspot --records 20000

Adding a vendor: write a `page_through(session, sandbox, expected) -> records` that
reads every record the way a sync would (its real pagination, all fields), and
append a `VendorBench` to BENCHES. Results go to stdout and bench/results/.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import xmlrpc.client
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import orjson
import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sandbox.testing import RunningSandbox, sandbox_process  # noqa: E402

Pager = Callable[[requests.Session, RunningSandbox], tuple[int, int, int]]


@dataclass(frozen=True)
class VendorBench:
    system: str
    object: str
    page_size: int
    page_through: Pager  # -> (records, requests, bytes)
    tenant: str = "acme"
    note: str = ""  # told apart in the output when one object is benched two ways


@dataclass
class Result:
    system: str
    object: str
    page_size: int
    records: int
    requests: int
    seconds: float
    megabytes: float
    server_cpu_s: float
    client_cpu_s: float

    @property
    def per_second(self) -> float:
        return self.records / self.seconds if self.seconds else 0.0

    @property
    def server_capacity(self) -> float:
        """Records/s the server could serve on one free core (load-independent)."""
        return self.records / self.server_cpu_s if self.server_cpu_s else 0.0


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- Salesforce: SOQL over every field of Contact, 2,000 per page (the maximum) -------

SF_QUERY = (
    "SELECT Id, IsDeleted, AccountId, Salutation, FirstName, LastName, Title, Department, Email, "
    "Phone, MobilePhone, MailingStreet, MailingCity, MailingState, MailingPostalCode, "
    "MailingCountry, LeadSource, CurrencyIsoCode, OwnerId, Loyalty_Tier__c, CreatedDate, "
    "CreatedById, LastModifiedDate, LastModifiedById, SystemModstamp FROM Contact"
)


def salesforce(session: requests.Session, sandbox: RunningSandbox) -> tuple[int, int, int]:
    headers = {
        "Authorization": "Bearer 00D5g-acme-static-session",
        "Sforce-Query-Options": "batchSize=2000",
    }
    url = f"{sandbox.url}/services/data/v59.0/query"
    response = session.get(url, params={"q": SF_QUERY}, headers=headers)
    records = requests_made = size = 0
    while True:
        response.raise_for_status()
        size += len(response.content)
        requests_made += 1
        page = orjson.loads(response.content)
        records += len(page["records"])
        if page["done"]:
            return records, requests_made, size
        response = session.get(sandbox.url + page["nextRecordsUrl"], headers=headers)


# --- HubSpot: every contact property, 100 per page (the list maximum) ----------------

HS_PROPERTIES = (
    "email,firstname,lastname,phone,mobilephone,company,jobtitle,address,city,state,zip,"
    "country,lifecyclestage,hs_lead_status,associatedcompanyid,hubspot_owner_id,"
    "loyalty_tier,preferred_store,createdate,lastmodifieddate"
)


def hubspot(session: requests.Session, sandbox: RunningSandbox) -> tuple[int, int, int]:
    headers = {"Authorization": "Bearer pat-na1-acme0000-0000-4000-8000-000000000001"}
    url = f"{sandbox.url}/crm/v3/objects/contacts"
    params = {"limit": "100", "properties": HS_PROPERTIES}
    records = requests_made = size = 0
    while True:
        response = session.get(url, params=params, headers=headers)
        response.raise_for_status()
        size += len(response.content)
        requests_made += 1
        page = orjson.loads(response.content)
        records += len(page["results"])
        following = page.get("paging", {}).get("next")
        if not following:
            return records, requests_made, size
        params["after"] = following["after"]


# --- SAP: A_Product with its descriptions, $top=5000 (the maximum) and $skip, as a sync reads

SAP_AUTH = ("TOOTHPICK_ACME_COMM", "Acme-S4HC-Comm-Password-1")


def sap(session: requests.Session, sandbox: RunningSandbox) -> tuple[int, int, int]:
    url = f"{sandbox.url}/sap/opu/odata/sap/API_PRODUCT_SRV/A_Product"
    params = {"$top": "5000", "$expand": "to_Description", "$orderby": "LastChangeDateTime asc"}
    headers = {"Accept": "application/json"}
    records = requests_made = size = 0
    while True:
        params["$skip"] = str(records)
        response = session.get(url, params=params, headers=headers, auth=SAP_AUTH)
        response.raise_for_status()
        size += len(response.content)
        requests_made += 1
        page = orjson.loads(response.content)["d"]["results"]
        records += len(page)
        if len(page) < 5000:
            return records, requests_made, size


# --- Zoho CRM: every field of Contacts, 200 per page (the maximum), page tokens past 2,000 --


def zoho(session: requests.Session, sandbox: RunningSandbox) -> tuple[int, int, int]:
    grant = session.post(
        f"{sandbox.url}/oauth/v2/token",
        params={
            "grant_type": "refresh_token",
            "client_id": "1000.ACMEZOHOSANDBOXCLIENT01",
            "client_secret": "acme-zoho-client-secret",
            "refresh_token": "1000.acme.zoho.sandbox.refresh.token",
        },
    ).json()
    headers = {"Authorization": f"Zoho-oauthtoken {grant['access_token']}"}
    url = f"{grant['api_domain']}/crm/v2.1/Contacts"
    params = {"per_page": "200", "sort_by": "Modified_Time", "sort_order": "asc"}
    records = requests_made = size = 0
    while True:
        response = session.get(url, params=params, headers=headers)
        response.raise_for_status()
        size += len(response.content)
        requests_made += 1
        page = orjson.loads(response.content)
        records += len(page["data"])
        if not page["info"]["more_records"]:
            return records, requests_made, size
        params.pop("page", None)
        params["page_token"] = page["info"]["next_page_token"]


# --- Pipedrive: API v2 persons, 500 per page (the maximum), next_cursor ---------------


def pipedrive(session: requests.Session, sandbox: RunningSandbox) -> tuple[int, int, int]:
    headers = {"x-api-token": "a1c3e5f70921b4d6e8f0a2c4e6b8d0f2a4c6e8b0"}
    url = f"{sandbox.url}/api/v2/persons"
    params = {"limit": "500", "sort_by": "update_time", "sort_direction": "asc"}
    records = requests_made = size = 0
    while True:
        response = session.get(url, params=params, headers=headers)
        response.raise_for_status()
        size += len(response.content)
        requests_made += 1
        page = orjson.loads(response.content)
        records += len(page["data"])
        cursor = page["additional_data"]["next_cursor"]
        if not cursor:
            return records, requests_made, size
        params["cursor"] = cursor


# --- Odoo: product.product, every field, 5,000 per page by id (as the adapter pages) -------

ODOO_PAGE = 5000
ODOO_QUERY = {"limit": ODOO_PAGE, "order": "id asc", "context": {"active_test": False}}


def _odoo(fetch: Callable[[int], tuple[list[Any], int]]) -> tuple[int, int, int]:
    records = requests_made = size = after = 0
    while True:
        page, length = fetch(after)
        records, requests_made, size = records + len(page), requests_made + 1, size + length
        if len(page) < ODOO_PAGE:
            return records, requests_made, size
        after = int(page[-1]["id"])


def odoo_xmlrpc(session: requests.Session, sandbox: RunningSandbox) -> tuple[int, int, int]:
    """acme (Odoo 17): XML-RPC decoded by xmlrpc.client, as every Python client does."""
    url = f"{sandbox.url}/odoo/acme/xmlrpc/2/object"

    def fetch(after: int) -> tuple[list[Any], int]:
        call = ("acme", 2, "acme-odoo-password", "product.product", "search_read")
        body = xmlrpc.client.dumps((*call, [[["id", ">", after]]], ODOO_QUERY), "execute_kw")
        response = session.post(url, data=body.encode(), headers={"Content-Type": "text/xml"})
        response.raise_for_status()
        (page,), _method = xmlrpc.client.loads(response.content, use_builtin_types=True)
        rows: list[Any] = page  # type: ignore[assignment]  # a search_read answers a list
        return rows, len(response.content)

    return _odoo(fetch)


def odoo_json2(session: requests.Session, sandbox: RunningSandbox) -> tuple[int, int, int]:
    """globex (Odoo 19): POST /json/2/product.product/search_read with a bearer API key."""
    url = f"{sandbox.url}/odoo/globex/json/2/product.product/search_read"
    headers = {"Authorization": "bearer 9e2d7b4a1f6c3e8d0b5a2f7c4e9d1a6b3f8c0e5d"}

    def fetch(after: int) -> tuple[list[Any], int]:
        body = {**ODOO_QUERY, "domain": [["id", ">", after]]}
        response = session.post(
            url, data=orjson.dumps(body), headers={**headers, "Content-Type": "application/json"}
        )
        response.raise_for_status()
        return orjson.loads(response.content), len(response.content)

    return _odoo(fetch)


# --- Oracle: itemsV2 with its flexfields, limit=500 (the maximum) and offset, framework 4

ORACLE_AUTH = ("acme.integration", "Acme-Fusion-Pass-1")


def oracle(session: requests.Session, sandbox: RunningSandbox) -> tuple[int, int, int]:
    url = f"{sandbox.url}/fscmRestApi/resources/11.13.18.05/itemsV2"
    params = {"limit": "500", "expand": "ItemDFF", "onlyData": "true"}
    params["orderBy"] = "LastUpdateDate:asc"
    headers = {"REST-Framework-Version": "4"}
    records = requests_made = size = 0
    while True:
        params["offset"] = str(records)
        response = session.get(url, params=params, headers=headers, auth=ORACLE_AUTH)
        response.raise_for_status()
        size += len(response.content)
        requests_made += 1
        page = orjson.loads(response.content)
        records += len(page["items"])
        if not page["hasMore"]:
            return records, requests_made, size


BENCHES: list[VendorBench] = [
    VendorBench("salesforce", "Contact", 2000, salesforce),
    VendorBench("hubspot", "contacts", 100, hubspot),
    VendorBench("zoho", "Contacts", 200, zoho),
    VendorBench("pipedrive", "persons", 500, pipedrive),
    VendorBench("sap", "A_Product", 5000, sap),
    VendorBench("oracle", "itemsV2", 500, oracle),
    VendorBench("odoo", "product.product", 5000, odoo_json2, "globex", "(19, /json/2)"),
    VendorBench("odoo", "product.product", 5000, odoo_xmlrpc, "acme", "(17, XML-RPC)"),
]


def run(bench: VendorBench, sandbox: RunningSandbox, records: int) -> Result:
    sandbox.control.reset(bench.system, bench.tenant, scale={bench.object: records})
    session = requests.Session()
    session.trust_env = False
    assert sandbox.process is not None
    server_before = _cpu_seconds(sandbox.process.pid)
    client_before = time.process_time()
    started = time.perf_counter()
    count, requests_made, size = bench.page_through(session, sandbox)
    seconds = time.perf_counter() - started
    client_cpu = time.process_time() - client_before
    server_cpu = _cpu_seconds(sandbox.process.pid) - server_before
    if count != records:
        raise RuntimeError(f"{bench.system}: paged {count} records, expected {records}")
    return Result(
        bench.system,
        f"{bench.object} {bench.note}".strip(),
        bench.page_size,
        count,
        requests_made,
        seconds,
        size / 1e6,
        server_cpu,
        client_cpu,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--system", action="append", help="only these vendors (repeatable)")
    args = parser.parse_args(argv)
    chosen = [b for b in BENCHES if not args.system or b.system in args.system]
    systems = tuple(sorted({b.system for b in chosen}))
    results = []
    with sandbox_process(systems=systems) as sandbox:
        for bench in chosen:
            result = run(bench, sandbox, args.records)
            results.append(result)
            print(
                f"{result.system:<11} {result.object:<10} page {result.page_size:>5}: "
                f"{result.records:>8,} records in {result.seconds:6.2f} s = "
                f"{result.per_second:>8,.0f} records/s; server CPU "
                f"{result.server_cpu_s * 1e6 / result.records:5.1f} us/record "
                f"(one free core: {result.server_capacity:>8,.0f} records/s), client CPU "
                f"{result.client_cpu_s * 1e6 / result.records:5.1f} us/record; "
                f"{result.requests} requests, {result.megabytes:.0f} MB",
                flush=True,
            )
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    payload = [
        asdict(r)
        | {
            "records_per_second": round(r.per_second),
            "server_capacity_records_per_second": round(r.server_capacity),
            "load_average": os.getloadavg(),
        }
        for r in results
    ]
    (out / f"sandbox_bench-{stamp}.json").write_text(json.dumps(payload, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
