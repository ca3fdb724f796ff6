"""Reading a per-record failure's code, field and hint from the words vendors use."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.sync.issues import HINTS, describe, next_retry


@pytest.mark.parametrize(
    ("message", "code", "field"),
    [
        (
            "Salesforce answered 400 to PATCH Contact: the vendor refused the request "
            "(REQUIRED_FIELD_MISSING: Required fields are missing: [LastName])",
            "REQUIRED_FIELD_MISSING",
            "LastName",
        ),
        ("MANDATORY_NOT_FOUND: required field not found (Last_Name)", "MANDATORY_NOT_FOUND",
         "Last_Name"),
        ("Oracle answered 400 to POST itemsV2: refused (JBO-27014: The attribute ItemClass is "
         "required)", "JBO-27014", "ItemClass"),
        ("HubSpot answered 404 to PATCH contacts/7: not found", "http_404", None),
        ("Salesforce refused this record (DELETE_FAILED: Your attempt to delete Acme could not "
         "be completed because it is associated with the following cases.: 00001026)",
         "DELETE_FAILED", None),
        ("Salesforce refused this record (ENTITY_IS_LOCKED: the entity is locked for editing)",
         "ENTITY_IS_LOCKED", None),
    ],
)  # fmt: skip
def test_vendor_words_give_a_code_a_field_and_a_hint(
    message: str, code: str, field: str | None
) -> None:
    found = describe(message, mapping=False)
    assert found[:2] == (code, field)
    assert found[2] == HINTS[code]


def test_a_mapping_failure_names_the_canonical_field() -> None:
    message = "account 2: employees (vendor field properties.numberofemployees): cannot read"
    assert describe(message, mapping=True) == ("mapping", "employees", HINTS["mapping"])


def test_backoff_doubles_from_a_quarter_hour_to_a_day() -> None:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    waits = [next_retry(n, at) - at for n in (1, 2, 3, 10)]
    assert waits == [timedelta(minutes=15), timedelta(minutes=30), timedelta(hours=1),
                     timedelta(days=1)]  # fmt: skip
