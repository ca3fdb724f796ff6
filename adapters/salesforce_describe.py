"""What an org's describe shows the integration user of an object, and what follows from it.

Field-level security hides fields per user and single-currency orgs have no
CurrencyIsoCode, so the SELECT list, the names a field map may use and the custom
fields offered all come from one describe call per object, kept for the adapter's life.
Kept apart from the adapter: the reads, the bulk reader's column types and the
writes' external-id check all ask it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from adapters.base import VendorField
from adapters.paths import dig
from adapters.salesforce_wide import SYSTEM_COLUMNS
from adapters.spec import EntitySpec
from core.errors import InvalidInputError

if TYPE_CHECKING:
    from adapters.salesforce import SalesforceAdapter

_IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)*$")


def describe(adapter: SalesforceAdapter, sobject: str) -> list[dict[str, Any]]:
    if sobject not in adapter._described:
        reply = adapter.session.request_json(
            "GET", f"{adapter.data_path}/sobjects/{sobject}/describe"
        )
        found = dig(reply.body, "fields")
        adapter._described[sobject] = found if isinstance(found, list) else []
    return adapter._described[sobject]


def columns(adapter: SalesforceAdapter, spec: EntitySpec) -> list[str]:
    """SELECT list: system columns and mapped fields the org shows this user."""
    visible = {item["name"].lower() for item in adapter.describe(spec.vendor_object)}
    standard = {rule.vendor for rule in spec.fields.rules}
    columns = []
    for path in dict.fromkeys([*SYSTEM_COLUMNS, *adapter.field_map(spec.entity).vendor_paths()]):
        if not _IDENTIFIER.match(path):
            raise InvalidInputError(
                f"{path!r} is not a Salesforce field name; correct the field mapping",
                field="field_overrides",
            )
        if "." in path or path.lower() in visible:
            columns.append(path)  # relationship paths (Account.Name) are checked by SOQL
        elif path not in standard:
            raise InvalidInputError(
                f"Salesforce {spec.vendor_object} has no field {path} that the integration "
                "user can read; correct the field mapping",
                field="field_overrides",
            )
    return columns


def field_names(adapter: SalesforceAdapter, spec: EntitySpec) -> set[str]:
    """Fields (and relationship names, for `Account.Name`) the integration user sees."""
    described = adapter.describe(spec.vendor_object)
    return {str(f["name"]) for f in described} | {
        str(f["relationshipName"]) for f in described if f.get("relationshipName")
    }


def custom_fields(adapter: SalesforceAdapter, spec: EntitySpec) -> list[VendorField]:
    return [
        VendorField(
            item["name"],
            str(item.get("label") or item["name"]),
            str(item.get("type") or "string"),
            custom=True,
            writable=bool(item.get("updateable")),
        )
        for item in adapter.describe(spec.vendor_object)
        if item.get("custom")
    ]
