"""Zoho's upsert the way its API guide shows it (`duplicate_check_fields`, `trigger`):
each record answered in `data[i]` with `action` and `duplicate_field`; one refused
record is its own `MANDATORY_NOT_FOUND` (207) while its neighbours are written; more
than 100 records is one `LIMIT_EXCEEDED` and nothing is written."""

from __future__ import annotations

from sandbox.testing import RunningSandbox
from tests.sandbox.zoho.conftest import Zoho


def test_upsert_answers_record_by_record(sandbox: RunningSandbox, zoho: Zoho) -> None:
    rows = [
        {"Last_Name": "Changed", "Email": "newcrmapi@zoho.com", "First_Name": "Ada"},
        {"First_Name": "No last name", "Email": "nolast@zoho.com"},
    ]
    body = {"data": rows, "duplicate_check_fields": ["Email"], "trigger": ["workflow"]}
    first = zoho.send("POST", "Contacts/upsert", json=body)
    assert first.status_code == 207
    inserted, refused = first.json()["data"]
    assert (inserted["status"], inserted["action"], inserted["duplicate_field"]) == (
        "success",
        "insert",
        None,
    )
    assert (refused["status"], refused["code"]) == ("error", "MANDATORY_NOT_FOUND")
    assert refused["details"]["api_name"] == "Last_Name"
    again = zoho.send("POST", "Contacts/upsert", json={**body, "data": rows[:1]}).json()["data"]
    assert (again[0]["action"], again[0]["duplicate_field"]) == ("update", "Email")
    assert again[0]["details"]["id"] == inserted["details"]["id"]


def test_more_than_100_records_is_refused_whole(sandbox: RunningSandbox, zoho: Zoho) -> None:
    before = sandbox.control.count("zoho", "acme", "Contacts")
    rows = [{"Last_Name": f"L{n}", "Email": f"l{n}@zoho.com"} for n in range(101)]
    answer = zoho.send("POST", "Contacts/upsert", json={"data": rows})
    assert answer.status_code == 400 and answer.json()["code"] == "LIMIT_EXCEEDED"
    assert sandbox.control.count("zoho", "acme", "Contacts") == before  # nothing written
