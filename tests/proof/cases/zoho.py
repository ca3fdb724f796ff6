"""Zoho CRM in the proofs: OAuth refresh at the accounts server, api_domain, pages of 200
switching to page tokens, If-Modified-Since increments, batched writes."""

from __future__ import annotations

from typing import Any

from core.models import Entity, System
from sandbox.control import TruthRecord
from sandbox.testing import RunningSandbox
from sandbox.zoho.render import render
from sandbox.zoho.tenants import default_tenants
from tests.proof.case import ProofCase

TENANT = "acme"
SETTINGS = next(t.settings for t in default_tenants() if t.name == TENANT)
OBJECTS = {
    Entity.CONTACT: "Contacts",
    Entity.ACCOUNT: "Accounts",
    Entity.OPPORTUNITY: "Deals",
    Entity.ACTIVITY: "Tasks",
    Entity.PRODUCT: "Products",
    Entity.QUOTE: "Quotes",
}


def api_shape(truth: TruthRecord) -> dict[str, Any]:
    """A truth record rendered by the simulator's own renderer (lookup names left out)."""
    return render(
        truth.object,
        truth.id,
        truth.fields,
        int(truth.created_at.timestamp() * 1000),
        int(truth.modified_at.timestamp() * 1000),
        offset=str(SETTINGS["tz"]),
        currency=str(SETTINGS["currency"]),
    )


def remote_edit(entity: Entity, truth: TruthRecord) -> dict[str, Any]:
    tag = truth.id[-5:]
    edits: dict[Entity, dict[str, Any]] = {
        Entity.CONTACT: {"Title": f"Remote title {tag}"},
        Entity.ACCOUNT: {"Billing_City": f"Remote City {tag}"},
        Entity.OPPORTUNITY: {"Deal_Name": f"Remote deal {tag}"},
        Entity.ACTIVITY: {"Description": f"Remote note {tag}"},
        Entity.PRODUCT: {"Description": f"Remote description {tag}"},
        Entity.QUOTE: {
            "Quote_Stage": "On Hold" if truth.fields.get("Quote_Stage") != "On Hold" else "Draft"
        },
    }
    return edits[entity]


def connection_fields(sandbox: RunningSandbox) -> dict[str, Any]:
    return {
        "accounts_url": sandbox.url,
        "api_version": "v2.1",
        "client_id": "1000.ACMEZOHOSANDBOXCLIENT01",
        "client_secret": "acme-zoho-client-secret",
        "refresh_token": "1000.acme.zoho.sandbox.refresh.token",
        # Full reads of the 450 contacts go through Bulk Read jobs, so every Zoho proof
        # (exact truth, kills, dry-run predictions) covers that path too.
        "bulk_threshold": 100,
    }


CASE = ProofCase(
    system=System.ZOHO,
    tenant=TENANT,
    objects=OBJECTS,
    scale={
        "users": 8,
        "Contacts": 450,
        "Accounts": 60,
        "Deals": 60,
        "Tasks": 60,
        "Products": 30,
        "Quotes": 30,
    },
    connection_fields=connection_fields,
    api_shape=api_shape,
    remote_edit=remote_edit,
    push_entity=Entity.CONTACT,
    local_edit={"title": "Chief Proof Officer"},
)
