"""SAP S/4HANA Cloud in the proofs: OAuth client credentials, $top/$skip pages of 100,
LastChangeDateTime filters (date + time for partners), stock read whole, CSRF + ETag
writes with the product's description PATCHed as a child entity."""

from __future__ import annotations

from typing import Any

from core.models import Entity, System
from sandbox.control import TruthRecord
from sandbox.sap.render import api_record
from sandbox.sap.tenants import default_tenants
from sandbox.testing import RunningSandbox
from tests.proof.case import ProofCase

TENANT = "acme"
CUSTOM = next(t for t in default_tenants() if t.name == TENANT).custom_fields


def api_shape(truth: TruthRecord) -> dict[str, Any]:
    """A truth record as the OData list returns it, every navigation expanded."""
    return api_record(
        truth.object,
        truth.fields,
        created_ms=int(truth.created_at.timestamp() * 1000),
        modified_ms=int(truth.modified_at.timestamp() * 1000),
        record_id=truth.id,
        custom_fields=tuple(CUSTOM.get(truth.object, ())),
    )


def remote_edit(entity: Entity, truth: TruthRecord) -> dict[str, Any]:
    fields = truth.fields
    if entity is Entity.PRODUCT:
        return {"ProductGroup": "L009" if fields.get("ProductGroup") != "L009" else "L008"}
    if entity is Entity.CUSTOMER:
        return {"OrganizationBPName1": f"Remote {truth.id}", "BusinessPartnerCategory": "2",
                "BusinessPartnerFullName": f"Remote {truth.id}"}  # fmt: skip
    if entity is Entity.INVENTORY:
        return {"MatlWrhsStkQtyInMatlBaseUnit": "7.00000000000000"}
    return {"TransactionCurrency": "EUR" if fields.get("TransactionCurrency") != "EUR" else "USD"}


def connection_fields(sandbox: RunningSandbox) -> dict[str, Any]:
    return {
        "base_url": sandbox.url,
        "auth_method": "oauth2",
        "username": "TOOTHPICK_ACME_OAUTH",
        "password": "Acme-S4HC-Comm-Password-1",
        "page_size": 100,
    }


CASE = ProofCase(
    system=System.SAP,
    tenant=TENANT,
    objects={
        Entity.PRODUCT: "A_Product",
        Entity.CUSTOMER: "A_BusinessPartner",
        Entity.ORDER: "A_SalesOrder",
        Entity.QUOTE: "A_SalesQuotation",
        Entity.INVENTORY: "A_MatlStkInAcctMod",
    },
    scale={
        "A_Product": 260,
        "A_BusinessPartner": 30,
        "A_SalesOrder": 40,
        "A_SalesQuotation": 20,
        "A_MatlStkInAcctMod": 40,
    },
    connection_fields=connection_fields,
    api_shape=api_shape,
    remote_edit=remote_edit,
    push_entity=Entity.PRODUCT,
    local_edit={"name": "Proof widget", "category": "L004"},
)
