"""Creates and updates as Fusion applies them: attribute checks, then business rules.

Read-only attributes in a payload are refused (the ADF framework's JBO-27008),
unknown ones too; `If-Match` is optional, but a stale changeIndicator is 412.
Creates derive what Fusion derives: an order's key, number, status and line
prices, an account's party number, an item's defaults from its organization.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from sandbox.core import Entry, Tenant
from sandbox.oracle.errors import fail
from sandbox.oracle.generate import item_index, line
from sandbox.oracle.q import ms_of
from sandbox.oracle.render import change_indicator
from sandbox.oracle.resources import ITEM_BASE, Resource

SOURCE_KEYS = (
    "SourceTransactionLineId",
    "SourceTransactionLineNumber",
    "SourceScheduleNumber",
    "SourceTransactionScheduleId",
)
FLEX_KEYS = ("InventoryItemId", "OrganizationId", "__FLEX_Context", "links")
ORDER_REQUIRED = ("SourceTransactionSystem", "SourceTransactionId", "SourceTransactionNumber")


def read_payload(body: Any, resource: Resource, version: int, *, creating: bool) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise fail(400, "The request body must be a JSON object", version, code="27002")
    fields: dict[str, Any] = {}
    for name, value in body.items():
        if name == "links":
            continue
        if name in resource.children:
            if not creating or not isinstance(value, list):
                raise fail(400, f"Child {name} can only be sent as a list when creating", version)
            fields[name] = [dict(v) for v in value if isinstance(v, dict)]
            continue
        attr = resource.index.get(name)
        if attr is None:
            raise fail(
                400,
                f"The attribute {name} is not valid for the resource {resource.name}",
                version,
                code="27024",
                path=name,
            )
        if not (attr.creatable if creating else attr.updatable):
            raise fail(
                400,
                f"Attribute {name} in {resource.title} is read only",
                version,
                code="JBO-27008",
                path=name,
            )
        if not _fits(attr.type, value):
            raise fail(
                400,
                f"The value {str(value)[:40]} is not valid for {name} ({attr.type})",
                version,
                code="JBO-27018",
                path=name,
            )
        if attr.max_length is not None and isinstance(value, str) and len(value) > attr.max_length:
            raise fail(
                400,
                f"The value for {name} is longer than {attr.max_length}",
                version,
                code="JBO-27040",
                path=name,
            )
        fields[name] = value
    return fields


def _fits(kind: str, value: Any) -> bool:
    """Whether a JSON value can be an attribute of this ADF type (null always can)."""
    if value is None:
        return True
    if kind == "boolean":
        return isinstance(value, bool)
    if kind in ("integer", "number"):
        return (
            isinstance(value, int | float)
            and not isinstance(value, bool)
            and (kind == "number" or float(value).is_integer())
        )
    if kind in ("date", "datetime"):
        try:
            ms_of(str(value)) if isinstance(value, str) else None
        except ValueError:
            return False
        return isinstance(value, str)
    return isinstance(value, str)


def _number(value: Any, name: str, version: int) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        number = Decimal("NaN")
    if isinstance(value, bool) or not number.is_finite():
        raise fail(
            400, f"The value {str(value)[:40]} is not a number for {name}", version, path=name
        )
    return number


def check_precondition(headers: Mapping[str, str], entry: Entry, version: int) -> None:
    sent = headers.get("if-match")
    if sent and sent.strip() not in ("*", change_indicator(entry)):
        raise fail(
            412,
            "The resource was changed by another user; refresh and try again",
            version,
            code="JBO-25014",
        )


def _require(fields: Mapping[str, Any], names: tuple[str, ...], version: int) -> None:
    for name in names:
        if fields.get(name) in (None, ""):
            raise fail(
                400, f"The attribute {name} is required", version, code="JBO-27014", path=name
            )


def prepare_create(
    tenant: Tenant, resource: Resource, fields: dict[str, Any], version: int
) -> dict[str, Any]:
    settings = tenant.config.settings
    index = tenant.collection(resource.name).next_index
    if resource.name == "itemsV2":
        _require(fields, ("ItemNumber",), version)
        number = str(fields["ItemNumber"])
        if (
            number.startswith("AS")
            and number[2:].isdigit()
            and 0 <= int(number[2:]) - 54000 < index
        ) or _item_number_taken(tenant, number):
            raise fail(
                400,
                f"An item with the number {number} already exists in the organization",
                version,
                code="EGP-1018",
                path="ItemNumber",
            )
        flex = (fields.pop("ItemDFF", None) or [{}])[0]
        defaults = {
            "OrganizationId": settings["organization_id"],
            "OrganizationCode": settings["organization_code"],
            "ItemStatusValue": "Active",
            "PrimaryUOMValue": "Each",
            "CustomerOrderFlag": True,
        }
        segments = {f.name for f in tenant.custom_fields("itemsV2")}
        unknown = sorted(k for k in flex if k not in segments and k not in FLEX_KEYS)
        if unknown:
            raise fail(
                400,
                f"The attribute {unknown[0]} is not valid for ItemDFF",
                version,
                code="27024",
                path=unknown[0],
            )
        extra = {k: v for k, v in flex.items() if k in segments}
        return {
            **defaults,
            **fields,
            **extra,
            "CreatedBy": "INTEGRATION",
            "LastUpdatedBy": "INTEGRATION",
        }
    if resource.name == "accounts":
        _require(fields, ("OrganizationName",), version)
        return {
            "Type": "ZCA_CUSTOMER",
            "CurrencyCode": settings["currency"],
            **fields,
            "CreatedBy": "INTEGRATION",
            "LastUpdatedBy": "INTEGRATION",
        }
    return _order(tenant, fields, index, version)


ITEM_NUMBERS = "oracle.item_numbers"  # tenant extras: number -> id of items made by the API


def _item_number_taken(tenant: Tenant, number: str) -> bool:
    """An item created through the API already carries this number (an index, not a scan:
    a bulk load creates thousands)."""
    found = tenant.extras.get(ITEM_NUMBERS, {}).get(number)
    entry = tenant.collection("itemsV2").get(found) if found else None
    return entry is not None and entry.fields.get("ItemNumber") == number


def remember_created(tenant: Tenant, resource: Resource, entry: Entry) -> None:
    """Index a new item's number for the uniqueness check."""
    if resource.name == "itemsV2" and entry.fields.get("ItemNumber"):
        tenant.extras.setdefault(ITEM_NUMBERS, {})[str(entry.fields["ItemNumber"])] = entry.id


def _order(tenant: Tenant, fields: dict[str, Any], index: int, version: int) -> dict[str, Any]:
    _require(fields, ORDER_REQUIRED, version)
    party = str(fields.get("BuyingPartyNumber") or "")
    if not party and fields.get("BuyingPartyId"):
        party = str(
            int(_number(fields["BuyingPartyId"], "BuyingPartyId", version)) - 300000200000000
        )
    account = tenant.collection("accounts").get(party) if party else None
    if account is None:
        raise fail(
            400,
            f"The customer {party or '(none)'} does not exist",
            version,
            code="DOO-2501",
            path="BuyingPartyNumber",
        )
    lines = []
    for position, requested in enumerate(fields.pop("lines", None) or [], start=1):
        item_id = _item_id(tenant, requested, version)
        quantity = _number(requested.get("OrderedQuantity") or 0, "OrderedQuantity", version)
        if quantity <= 0:
            raise fail(
                400, "OrderedQuantity must be greater than zero", version, path="OrderedQuantity"
            )
        priced = line(
            position, item_id, quantity, index, str(requested.get("OrderedUOMCode") or "Ea")
        )
        item = tenant.collection("itemsV2").get(str(item_id))
        if item is not None:  # the item's own number and description, as Fusion shows them
            priced.update(
                ProductNumber=item.fields.get("ItemNumber"),
                ProductDescription=item.fields.get("ItemDescription"),
            )
        priced.update({k: requested[k] for k in SOURCE_KEYS if k in requested})
        lines.append(priced)
    if not lines:
        raise fail(
            400, "A sales order needs at least one line", version, code="DOO-2102", path="lines"
        )
    submitted = fields.get("SubmittedFlag", False) is True
    return {
        "TransactionalCurrencyCode": tenant.config.settings["currency"],
        "BusinessUnitName": tenant.config.settings["business_unit"],
        **fields,
        "OrderKey": f"{fields['SourceTransactionSystem']}:{fields['SourceTransactionId']}",
        "OrderNumber": str(100000 + index),
        "BuyingPartyNumber": party,
        "BuyingPartyId": 300000200000000 + int(party),
        "BuyingPartyName": account.fields.get("OrganizationName"),
        "StatusCode": "OPEN" if submitted else "DOO_DRAFT",
        "SubmittedFlag": submitted,
        "CreatedBy": "INTEGRATION",
        "LastUpdatedBy": "INTEGRATION",
        "lines": lines,
    }


def _item_id(tenant: Tenant, requested: Mapping[str, Any], version: int) -> int:
    items = tenant.collection("itemsV2")
    if requested.get("ProductId"):
        item_id = int(_number(requested["ProductId"], "ProductId", version))
    else:
        number = str(requested.get("ProductNumber") or "")
        item_id = ITEM_BASE + int(number[2:]) - 54000 + 1 if number[2:].isdigit() else -1
    if items.get(str(item_id)) is None and requested.get("ProductNumber"):
        wanted = str(requested["ProductNumber"])  # an item created through the API
        item_id = next(
            (int(e.id) for e in items.scan() if e.fields.get("ItemNumber") == wanted), -1
        )
    if item_id < ITEM_BASE or items.get(str(item_id)) is None or item_index(item_id) < 0:
        raise fail(
            400,
            f"The item {requested.get('ProductNumber') or requested.get('ProductId')} "
            "is not valid in the fulfillment organization",
            version,
            code="DOO-2120",
            path="ProductNumber",
        )
    return item_id


def reprice_line(current: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    merged = {**current, **changes}
    quantity = Decimal(str(merged.get("OrderedQuantity") or 0))
    price = Decimal(str(merged.get("UnitSellingPrice") or 0))
    return {**merged, "ExtendedAmount": float(price * quantity)}
