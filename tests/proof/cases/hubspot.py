"""HubSpot in the proofs: OAuth refresh, list pages of 100, keyset search, archived list."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core.models import Entity, System
from sandbox.control import TruthRecord
from sandbox.testing import RunningSandbox
from tests.proof.case import ProofCase


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _text(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value if value is None else str(value)


def api_shape(truth: TruthRecord) -> dict[str, Any]:
    """A truth record as the CRM v3 API renders it: string properties, ISO timestamps."""
    shaped: dict[str, Any] = {
        "id": truth.id,
        "properties": {name: _text(value) for name, value in truth.fields.items()},
        "createdAt": _iso(truth.created_at),
        "updatedAt": _iso(truth.modified_at),
        "archived": truth.deleted,
    }
    return shaped


def remote_edit(entity: Entity, truth: TruthRecord) -> dict[str, Any]:
    tail = truth.id[-4:]
    status = truth.fields.get("hs_status")
    edits: dict[Entity, dict[str, Any]] = {
        Entity.CONTACT: {"jobtitle": f"Remote title {tail}"},
        Entity.ACCOUNT: {"city": f"Remote City {tail}"},
        Entity.OPPORTUNITY: {"dealname": f"Remote deal {tail}"},
        Entity.ACTIVITY: {"hs_task_body": f"Remote note {tail}"},
        Entity.QUOTE: {"hs_status": "APPROVED" if status != "APPROVED" else "REJECTED"},
        Entity.PRODUCT: {"description": f"Remote description {tail}"},
    }
    return edits[entity]


def connection_fields(sandbox: RunningSandbox) -> dict[str, Any]:
    return {
        "base_url": sandbox.url,
        "client_id": "acme0000-hubspot-app-client-id",
        "client_secret": "acme-hubspot-client-secret",
        "refresh_token": "na1-acme-hubspot-refresh-token",
        "requests_per_10s": 190,
    }


CASE = ProofCase(
    system=System.HUBSPOT,
    tenant="acme",
    objects={
        Entity.CONTACT: "contacts",
        Entity.ACCOUNT: "companies",
        Entity.OPPORTUNITY: "deals",
        Entity.ACTIVITY: "tasks",
        Entity.QUOTE: "quotes",
        Entity.PRODUCT: "products",
    },
    scale={
        "contacts": 250,
        "companies": 40,
        "deals": 40,
        "tasks": 40,
        "quotes": 30,
        "products": 30,
    },
    connection_fields=connection_fields,
    api_shape=api_shape,
    remote_edit=remote_edit,
    push_entity=Entity.CONTACT,
    local_edit={"title": "Chief Proof Officer"},
)
