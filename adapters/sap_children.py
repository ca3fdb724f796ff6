"""SAP write payloads: deep insert on create, one PATCH per child on update, the
defaults a new document needs, and extension fields read from $metadata.

Field maps write below a navigation as `to_X.results.0.Field` (one child at a
position: a description, an address) or as a `to_Item.results` list (lines).
A create sends them inline, which SAP Gateway accepts as a deep insert; an
update cannot (Gateway has no deep update), so each changed child is PATCHed
at the URI SAP gave it in the record read just before (`__metadata.uri`), in
the record's changeset (adapters.sap_writes).
Lines are matched by their item number; a line without one is new, and adding
items to an existing document is refused in words rather than half-done.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any
from xml.etree import ElementTree

from adapters.base import VendorField
from core.errors import RecordError, VendorError

ITEM_KEYS = ("SalesOrderItem", "SalesQuotationItem")


def _children(value: Any) -> list[Any]:
    results = value.get("results") if isinstance(value, dict) else value
    if isinstance(results, dict):  # positional writes: {"0": {...}}
        return [results[k] for k in sorted(results, key=int)]
    return list(results) if isinstance(results, list) else []


def deep_insert(payload: dict[str, Any]) -> dict[str, Any]:
    """Navigations as the lists of child entities a deep insert carries."""
    return {
        key: [deep_insert(c) if isinstance(c, dict) else c for c in _children(value)]
        if key.startswith("to_")
        else value
        for key, value in payload.items()
    }


def _same(a: Any, b: Any) -> bool:
    try:
        return Decimal(str(a)) == Decimal(str(b))
    except (InvalidOperation, ValueError):
        return bool(a == b)


Patch = tuple[str, dict[str, Any], str | None]  # (child URI, changed fields, its ETag)


def _patches(current: dict[str, Any], change: dict[str, Any], where: str) -> list[Patch]:
    flat = {
        k: v for k, v in change.items() if not k.startswith("to_") and not _same(current.get(k), v)
    }
    meta = current.get("__metadata") or {}
    found: list[Patch] = []
    if flat:
        uri = meta.get("uri")
        if not uri:
            raise RecordError(
                f"{where}: SAP gave no URI for a child entity, so it cannot be changed"
            )
        found.append((str(uri), flat, meta.get("etag")))
    for nav, value in change.items():
        if nav.startswith("to_"):
            found += child_patches(current.get(nav), value, where=where)
    return found


def child_patches(current: Any, change: Any, *, where: str) -> list[Patch]:
    """The PATCHes that apply `change` (positional or a list of lines) to existing children;
    RecordError for a child that does not exist (SAP Gateway has no deep update)."""
    existing = _children(current)
    positional = isinstance(change, dict) and isinstance(change.get("results"), dict)
    found: list[Patch] = []
    if positional:
        for position, child in sorted(change["results"].items(), key=lambda kv: int(kv[0])):
            index = int(position)
            if index >= len(existing) or not isinstance(existing[index], dict):
                raise RecordError(
                    f"{where}: SAP has no child record {index + 1} to change here (for example "
                    "no address yet); create it in SAP first"
                )
            found += _patches(existing[index], child, where)
        return found
    for line in _children(change):
        key = next((k for k in ITEM_KEYS if line.get(k)), None)
        match = next(
            (c for c in existing if key is not None and str(c.get(key)) == str(line[key])), None
        )
        if match is None:
            raise RecordError(
                f"{where}: a new line cannot be added to an existing SAP document through this "
                "integration; add it in SAP (only existing items are updated)"
            )
        found += _patches(match, line, where)
    return found


PRODUCT_TYPE = "FERT"  # finished product, S/4HANA's standard product type
DOCUMENT_TYPES = {
    "A_SalesOrder": ("SalesOrderType", "OR"),
    "A_SalesQuotation": ("SalesQuotationType", "QT"),
}


def document_defaults(vendor_object: str, body: dict[str, Any], sales_area: str) -> dict[str, Any]:
    """What SAP needs on a new document that the canonical record does not say: the
    document type (standard OR/QT) and the connection's sales area; a partner's category;
    a product's type."""
    if vendor_object == "A_BusinessPartner":
        return {"BusinessPartnerCategory": body.get("BusinessPartnerCategory") or "2"}
    if vendor_object == "A_Product":  # SAP requires a type; FERT is the standard one
        return {"ProductType": body.get("ProductType") or PRODUCT_TYPE}
    if vendor_object not in DOCUMENT_TYPES:
        return {}
    parts = [p.strip() for p in sales_area.split("/")]
    if len(parts) != 3 or not all(parts):
        raise RecordError(
            "SAP needs a sales area for new orders and quotations: set it in the connection "
            "settings as sales organization/distribution channel/division (e.g. 1710/10/00)"
        )
    field, kind = DOCUMENT_TYPES[vendor_object]
    return {
        field: body.get(field) or kind,
        "SalesOrganization": parts[0],
        "DistributionChannel": parts[1],
        "OrganizationDivision": parts[2],
    }


def property_names(metadata: bytes, entity_type: str, *, vendor: str) -> set[str]:
    """Every property and navigation property of one entity type."""
    if b"<!DOCTYPE" in metadata or b"<!ENTITY" in metadata:
        raise VendorError(f"{vendor} sent $metadata with a DTD; it was not read")
    root = ElementTree.fromstring(metadata)  # noqa: S314 - no DTD, so no entity expansion
    return {
        prop.get("Name", "")
        for node in root.iter()
        if node.tag.endswith("EntityType") and node.get("Name") == entity_type
        for prop in node
        if prop.tag.endswith(("}Property", "}NavigationProperty"))
    }


def extension_fields(metadata: bytes, entity_type: str, *, vendor: str) -> list[VendorField]:
    """The extension fields (YY1_/ZZ1_, or flagged sap:is-extension-field) of one entity type."""
    if b"<!DOCTYPE" in metadata or b"<!ENTITY" in metadata:
        raise VendorError(f"{vendor} sent $metadata with a DTD; it was not read")
    root = ElementTree.fromstring(metadata)  # noqa: S314 - no DTD, so no entity expansion
    sap = "{http://www.sap.com/Protocols/SAPData}"
    found = []
    for node in root.iter():
        if not node.tag.endswith("EntityType") or node.get("Name") != entity_type:
            continue
        for prop in node:
            name = prop.get("Name", "")
            flagged = prop.get(f"{sap}is-extension-field") == "true"
            if prop.tag.endswith("}Property") and (flagged or name.startswith(("YY1_", "ZZ1_"))):
                label = prop.get(f"{sap}label") or name
                writable = prop.get(f"{sap}updatable") != "false"
                found.append(
                    VendorField(name, label, prop.get("Type", "Edm.String"), True, writable)
                )
    return found
