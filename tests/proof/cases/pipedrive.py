"""Pipedrive in the proofs: an OAuth app (Basic client auth, api_domain, refresh when a
token expires mid-pagination), v2 cursor pages of 500, updated_since increments."""

from __future__ import annotations

from typing import Any

from core.models import Entity, System
from sandbox.control import TruthRecord
from sandbox.pipedrive.render import render_v2
from sandbox.testing import RunningSandbox
from tests.proof.case import ProofCase

TENANT = "acme"


def api_shape(truth: TruthRecord) -> dict[str, Any]:
    """A truth record rendered by the simulator's own API v2 renderer."""
    return render_v2(
        truth.object,
        truth.id,
        truth.fields,
        int(truth.created_at.timestamp() * 1000),
        int(truth.modified_at.timestamp() * 1000),
        deleted=truth.deleted,
    )


def remote_edit(entity: Entity, truth: TruthRecord) -> dict[str, Any]:
    tag = truth.id[-4:]
    edits: dict[Entity, dict[str, Any]] = {
        Entity.CONTACT: {"job_title": f"Remote title {tag}"},
        Entity.ACCOUNT: {"name": f"Remote Org {tag}"},
        Entity.OPPORTUNITY: {"title": f"Remote deal {tag}"},
        Entity.ACTIVITY: {"note": f"Remote note {tag}"},
        Entity.PRODUCT: {"description": f"Remote description {tag}"},
    }
    return edits[entity]


def connection_fields(sandbox: RunningSandbox) -> dict[str, Any]:
    return {
        "base_url": sandbox.url,
        "oauth_url": sandbox.url,
        "client_id": "b4f1e2a3c5d6e7f8",
        "client_secret": "acme-pipedrive-client-secret",
        "refresh_token": "1234567:8901:acme.pipedrive.sandbox.refresh",
    }


CASE = ProofCase(
    system=System.PIPEDRIVE,
    tenant=TENANT,
    objects={
        Entity.CONTACT: "persons",
        Entity.ACCOUNT: "organizations",
        Entity.OPPORTUNITY: "deals",
        Entity.ACTIVITY: "activities",
        Entity.PRODUCT: "products",
    },
    scale={
        "users": 6,
        "persons": 1100,
        "organizations": 60,
        "deals": 60,
        "activities": 60,
        "products": 30,
    },
    connection_fields=connection_fields,
    api_shape=api_shape,
    remote_edit=remote_edit,
    push_entity=Entity.CONTACT,
    local_edit={"title": "Chief Proof Officer"},
)
