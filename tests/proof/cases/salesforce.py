"""Salesforce in the proofs: OAuth refresh at the TLS port, instance_url, SOQL pages of 200."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core.models import Entity, System
from sandbox.control import TruthRecord
from sandbox.testing import RunningSandbox
from tests.proof.case import ProofCase

TENANT = "acme"


def _sf_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def api_shape(truth: TruthRecord) -> dict[str, Any]:
    """A truth record as the REST API renders it (stored fields plus the system ones)."""
    return {
        **truth.fields,
        "Id": truth.id,
        "IsDeleted": truth.deleted,
        "CreatedDate": _sf_time(truth.created_at),
        "SystemModstamp": _sf_time(truth.modified_at),
    }


def remote_edit(entity: Entity, truth: TruthRecord) -> dict[str, Any]:
    edits: dict[Entity, dict[str, Any]] = {
        Entity.CONTACT: {"Title": f"Remote title {truth.id[-5:]}"},
        Entity.ACCOUNT: {"BillingCity": f"Remote City {truth.id[-5:]}"},
        Entity.OPPORTUNITY: {"NextStep": "Remote", "Name": f"Remote deal {truth.id[-5:]}"},
        Entity.ACTIVITY: {"Description": f"Remote note {truth.id[-5:]}"},
        Entity.QUOTE: {
            "Status": "Presented" if truth.fields.get("Status") != "Presented" else "Denied"
        },
        Entity.PRODUCT: {"Description": f"Remote description {truth.id[-5:]}"},
    }
    return edits[entity]


def connection_fields(sandbox: RunningSandbox) -> dict[str, Any]:
    return {
        "login_url": sandbox.tls_url,
        "api_version": "60.0",
        "client_id": "3MVG9acme.sandbox.consumer.key",
        "client_secret": "acme-sf-consumer-secret",
        "refresh_token": "5Aep861acme.sandbox.refresh.token",
        "batch_size": 200,
        # Full reads of the 650 contacts go through a Bulk API 2.0 query job, so every
        # Salesforce proof (exact truth, kills, dry-run predictions) covers that path too.
        "bulk_threshold": 100,
    }


CASE = ProofCase(
    system=System.SALESFORCE,
    tenant=TENANT,
    objects={
        Entity.CONTACT: "Contact",
        Entity.ACCOUNT: "Account",
        Entity.OPPORTUNITY: "Opportunity",
        Entity.ACTIVITY: "Task",
        Entity.QUOTE: "Quote",
        Entity.PRODUCT: "Product2",
    },
    scale={
        "Contact": 650,
        "Account": 60,
        "Opportunity": 60,
        "Task": 60,
        "Quote": 40,
        "Product2": 30,
    },
    connection_fields=connection_fields,
    api_shape=api_shape,
    remote_edit=remote_edit,
    push_entity=Entity.CONTACT,
    local_edit={"title": "Chief Proof Officer"},
    environment=lambda sandbox: {"TOOTHPICK_CA_BUNDLE": str(sandbox.ca_path)},
)
