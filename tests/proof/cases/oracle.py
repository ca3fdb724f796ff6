"""Oracle Fusion Cloud in the proofs: OAuth client credentials, framework version 4,
offset pages of 100, LastUpdateDate `q` filters, on-hand quantities read whole, PATCH at
the record's self link with its changeIndicator."""

from __future__ import annotations

from typing import Any

from core.models import Entity, System
from sandbox.control import TruthRecord
from sandbox.oracle.render import api_record
from sandbox.oracle.tenants import default_tenants
from sandbox.testing import RunningSandbox
from tests.proof.case import ProofCase

TENANT = "acme"
CUSTOM = next(t for t in default_tenants() if t.name == TENANT).custom_fields


def api_shape(truth: TruthRecord) -> dict[str, Any]:
    """A truth record as a version-4 list returns it, children expanded."""
    return api_record(
        truth.object,
        truth.fields,
        record_id=truth.id,
        created_ms=int(truth.created_at.timestamp() * 1000),
        modified_ms=int(truth.modified_at.timestamp() * 1000),
        custom_fields=tuple(CUSTOM.get(truth.object, ())),
    )


def remote_edit(entity: Entity, truth: TruthRecord) -> dict[str, Any]:
    if entity is Entity.PRODUCT:
        return {
            "ItemClass": "Remote Class"
            if truth.fields.get("ItemClass") != "Remote Class"
            else "Spares"
        }
    if entity is Entity.CUSTOMER:
        return {"City": f"Remote City {truth.id}"}
    if entity is Entity.INVENTORY:
        return {"OnhandQuantity": 7.0}
    currency = truth.fields.get("TransactionalCurrencyCode")
    return {"TransactionalCurrencyCode": "EUR" if currency != "EUR" else "USD"}


def connection_fields(sandbox: RunningSandbox) -> dict[str, Any]:
    return {
        "base_url": sandbox.url,
        "auth_method": "oauth2",
        "username": "acme-fusion-oauth-client",
        "password": "acme-fusion-client-secret",
        "token_url": f"{sandbox.url}/oauth2/v1/token",
        "page_size": 100,
    }


CASE = ProofCase(
    system=System.ORACLE,
    tenant=TENANT,
    objects={
        Entity.PRODUCT: "itemsV2",
        Entity.CUSTOMER: "accounts",
        Entity.ORDER: "salesOrdersForOrderHub",
        Entity.INVENTORY: "onhandQuantityDetails",
    },
    scale={
        "itemsV2": 260,
        "accounts": 30,
        "salesOrdersForOrderHub": 30,
        "onhandQuantityDetails": 30,
    },
    connection_fields=connection_fields,
    api_shape=api_shape,
    remote_edit=remote_edit,
    push_entity=Entity.PRODUCT,
    local_edit={"name": "Proof widget", "category": "Proof Class"},
)
