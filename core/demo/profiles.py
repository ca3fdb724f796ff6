"""The seven demo connections: what each syncs, how much, how fast, and how it fails.

Volumes are records read per scheduled run (office hours read more); failure
messages are what the product itself says when a vendor misbehaves, so the
demo's logs read like a real week of operations.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from core.errors import FailureCategory
from core.models import Conflict, ConflictKind, ConflictPolicy, Entity, System
from core.schemas import ConnectionPublic

Failure = tuple[str, FailureCategory]
ConflictMaker = Callable[[ConnectionPublic, datetime], list[Conflict]]

_TRANSIENT = FailureCategory.TRANSIENT
_VENDOR = FailureCategory.VENDOR
_CONFIG = FailureCategory.CONFIG


def _no_conflicts(connection: ConnectionPublic, now: datetime) -> list[Conflict]:
    del connection, now
    return []


def _conflict(
    connection: ConnectionPublic,
    now: datetime,
    entity: Entity,
    external_id: str,
    local: dict[str, Any],
    remote: dict[str, Any],
    hours_ago: float,
) -> Conflict:
    differing = sorted(k for k in local.keys() | remote.keys() if local.get(k) != remote.get(k))
    return Conflict(
        organisation_id=connection.organisation_id,
        connection_id=connection.id,
        system=connection.system,
        entity=entity,
        external_id=external_id,
        kind=ConflictKind.UPDATE,
        local=local,
        remote=remote,
        differing_fields=differing,
        local_changed_at=now - timedelta(hours=hours_ago + 1.5),
        remote_changed_at=now - timedelta(hours=hours_ago + 0.5),
        detected_at=now - timedelta(hours=hours_ago),
    )


# fmt: off
def _hubspot_conflicts(connection: ConnectionPublic, now: datetime) -> list[Conflict]:
    contact = {"first_name": "Lucía", "last_name": "Ferrer", "title": "Clinic manager"}
    return [
        _conflict(
            connection, now, Entity.CONTACT, "demo-5101",
            {**contact, "email": "lucia.ferrer@sonrisa-dental.es", "phone": "+34 911 204 377"},
            {**contact, "email": "l.ferrer@sonrisa-dental.es", "phone": "+34 911 204 300"},
            hours_ago=3,
        ),
        _conflict(
            connection, now, Entity.CONTACT, "demo-5188",
            {"first_name": "Tomás", "last_name": "Quintero", "email": "tq@clinicanorte.mx",
             "title": "Purchasing lead"},
            {"first_name": "Tomas", "last_name": "Quintero", "email": "tq@clinicanorte.mx",
             "title": "Head of purchasing"},
            hours_ago=26,
        ),
    ]


def _salesforce_conflicts(connection: ConnectionPublic, now: datetime) -> list[Conflict]:
    deal = {"name": "Sonrisa Dental — 40 chairs", "currency": "EUR", "close_date": "2026-12-18"}
    return [
        _conflict(
            connection, now, Entity.OPPORTUNITY, "demo-006-7731",
            {**deal, "amount": "48200.00", "stage": "Negotiation", "probability": 0.6},
            {**deal, "amount": "46500.00", "stage": "Proposal", "probability": 0.5},
            hours_ago=7,
        )
    ]


# fmt: on


@dataclass(frozen=True)
class DemoConnection:
    system: System
    name: str
    label: str
    volumes: dict[Entity, int]
    seconds_base: float
    seconds_per_record: float
    failures: tuple[Failure, ...]
    failure_rate: float = 0.03
    failing_tail: bool = False  # the last few runs fail (a live alert on the overview)
    page_size: int = 100
    rate_limit_share: float = 0.05
    bad_record_share: float = 0.05
    record_problems: tuple[str, ...] = ("a required field is empty",)
    conflict_policy: ConflictPolicy = ConflictPolicy.TIMESTAMP
    conflicts: ConflictMaker = field(default=_no_conflicts)


_TIMEOUT: Failure = ("the vendor did not answer within 30 s (4 attempts)", _TRANSIENT)
_UNAVAILABLE: Failure = ("503 Service Unavailable after 4 attempts", _TRANSIENT)

# fmt: off
DEMO_CONNECTIONS: tuple[DemoConnection, ...] = (
    DemoConnection(
        System.SAP, "SAP S/4HANA (sandbox)", "SAP S/4HANA Cloud",
        {Entity.PRODUCT: 120, Entity.ORDER: 260, Entity.CUSTOMER: 40, Entity.INVENTORY: 180},
        seconds_base=6, seconds_per_record=0.018, failures=(_TIMEOUT, _UNAVAILABLE),
        page_size=200, record_problems=("order line without a material number",),
    ),
    DemoConnection(
        System.ODOO, "Odoo (sandbox)", "Odoo",
        {Entity.PRODUCT: 80, Entity.ORDER: 150, Entity.CUSTOMER: 35, Entity.QUOTE: 40},
        seconds_base=3, seconds_per_record=0.011, failures=(_TIMEOUT,),
        page_size=80, record_problems=("partner has no name",),
    ),
    DemoConnection(
        System.ORACLE, "Oracle Fusion ERP (sandbox)", "Oracle Fusion Cloud ERP",
        {Entity.PRODUCT: 90, Entity.ORDER: 210, Entity.CUSTOMER: 30},
        seconds_base=9, seconds_per_record=0.025, failure_rate=0.05, failing_tail=True,
        failures=(
            ("Oracle Fusion refused the credentials (401): the integration user's password "
             "has expired", _CONFIG),
        ),
        page_size=100, record_problems=("currency code is not ISO 4217",),
    ),
    DemoConnection(
        System.SALESFORCE, "Salesforce (sandbox)", "Salesforce",
        {Entity.ACCOUNT: 60, Entity.CONTACT: 240, Entity.OPPORTUNITY: 90, Entity.ACTIVITY: 300},
        seconds_base=4, seconds_per_record=0.008, failures=(_UNAVAILABLE,),
        page_size=200, record_problems=("email is not a valid address",),
        conflict_policy=ConflictPolicy.MANUAL, conflicts=_salesforce_conflicts,
    ),
    DemoConnection(
        System.HUBSPOT, "HubSpot (sandbox)", "HubSpot",
        {Entity.CONTACT: 320, Entity.ACCOUNT: 70, Entity.OPPORTUNITY: 60, Entity.ACTIVITY: 150},
        seconds_base=3, seconds_per_record=0.012, failures=(_UNAVAILABLE,),
        rate_limit_share=0.35, page_size=100, record_problems=("email is not a valid address",),
        conflict_policy=ConflictPolicy.MANUAL, conflicts=_hubspot_conflicts,
    ),
    DemoConnection(
        System.ZOHO, "Zoho CRM (sandbox)", "Zoho CRM",
        {Entity.CONTACT: 140, Entity.ACCOUNT: 40, Entity.OPPORTUNITY: 35},
        seconds_base=4, seconds_per_record=0.015, failure_rate=0.06,
        failures=(("Zoho's API credits for the day are spent (quota)", _VENDOR), _TIMEOUT),
        bad_record_share=0.3, page_size=200,
        record_problems=("phone number has letters in it", "last name is empty"),
    ),
    DemoConnection(
        System.PIPEDRIVE, "Pipedrive (sandbox)", "Pipedrive",
        {Entity.CONTACT: 90, Entity.ACCOUNT: 25, Entity.OPPORTUNITY: 45, Entity.ACTIVITY: 120},
        seconds_base=2, seconds_per_record=0.01, failures=(_TIMEOUT,),
        rate_limit_share=0.1, page_size=100, record_problems=("deal without a title",),
    ),
)
# fmt: on
