"""The two shipped HubSpot portals (credentials documented in sandbox/README.md)
and the object specs, whose numeric ids differ per portal."""

from __future__ import annotations

from sandbox.core import FieldDef, NumericIds, ObjectSpec, RateLimitConfig, TenantConfig
from sandbox.hubspot import generate as g
from sandbox.hubspot import schema as s

_SPECS = (
    ("contacts", s.CONTACTS, g.contact, 500, "contact"),
    ("companies", s.COMPANIES, g.company, 200, "account"),
    ("deals", s.DEALS, g.deal, 300, "opportunity"),
    ("tasks", s.TASKS, g.task, 300, "activity"),
    ("calls", s.CALLS, g.call, 200, "activity"),
    ("meetings", s.MEETINGS, g.meeting, 150, "activity"),
    ("notes", s.NOTES, g.note, 200, "activity"),
    ("quotes", s.QUOTES, g.quote, 100, "quote"),
    ("products", s.PRODUCTS, g.product, 100, None),
)
ID_BASE = {"acme": 0, "globex": 5_000_000_000}
# ToothPick's correlation key, as a portal admin would add it: a custom text property
# with unique values on each object the hub creates (contacts too, for those without an
# e-mail to upsert by: adapters/hubspot_writes.py); empty on generated records.
TOOTHPICK_ID = FieldDef(
    "toothpick_id", "string", label="ToothPick id", custom=True, external_id=True
)
KEYED = ("contacts", "companies", "deals", "tasks", "quotes", "products")


def _with_key(custom: dict[str, tuple[FieldDef, ...]]) -> dict[str, tuple[FieldDef, ...]]:
    return {name: (*custom.get(name, ()), TOOTHPICK_ID) for name in KEYED} | {
        name: fields for name, fields in custom.items() if name not in KEYED
    }


def object_specs(tenant: str) -> list[ObjectSpec]:
    base = ID_BASE.get(tenant, 0)
    return [
        ObjectSpec(
            name=name,
            fields=fields,
            generate=gen,
            ids=NumericIds(offset=base + (position + 1) * 10_000_000_000),
            default_scale=scale,
            label=s.TYPES[name].singular.title(),
            label_plural=name.title(),
            entity=entity,
        )
        for position, (name, fields, gen, scale, entity) in enumerate(_SPECS)
    ]


def _custom(name: str, kind: str, label: str, options: tuple[str, ...] = ()) -> FieldDef:
    return FieldDef(name, kind, label=label, options=options, custom=True)  # type: ignore[arg-type]


def default_tenants() -> list[TenantConfig]:
    return [
        TenantConfig(
            name="acme",
            seed=303,
            description="Professional portal 20000001, USD, 190 requests/10 s, 625,000/day",
            credentials={
                "private_app_token": "pat-na1-acme0000-0000-4000-8000-000000000001",
                "client_id": "acme0000-hubspot-app-client-id",
                "client_secret": "acme-hubspot-client-secret",
                "refresh_token": "na1-acme-hubspot-refresh-token",
            },
            custom_fields=_with_key(
                {
                    "contacts": (
                        _custom(
                            "loyalty_tier",
                            "picklist",
                            "Loyalty tier",
                            ("bronze", "silver", "gold", "platinum"),
                        ),
                        _custom("preferred_store", "string", "Preferred store"),
                    ),
                    "companies": (
                        _custom("region", "picklist", "Region", ("AMER", "EMEA", "APAC")),
                    ),
                    "deals": (_custom("discount_approved", "boolean", "Discount approved"),),
                }
            ),
            limits=RateLimitConfig(interval_max=190, interval_ms=10_000, daily_max=625_000),
            token_ttl_s=1800,
            settings={
                "portal_id": 20000001,
                "app_id": 3000001,
                "currency": "USD",
                "hub_domain": "acme-sandbox.hubspot.com",
                "company": "Acme Corp",
            },
        ),
        TenantConfig(
            name="globex",
            seed=404,
            description="Starter portal 20000002, EUR, 100 requests/10 s, 250,000/day",
            credentials={
                "private_app_token": "pat-eu1-globex00-0000-4000-8000-000000000002",
                "client_id": "globex00-hubspot-app-client-id",
                "client_secret": "globex-hubspot-client-secret",
                "refresh_token": "eu1-globex-hubspot-refresh-token",
            },
            custom_fields=_with_key(
                {
                    "contacts": (
                        _custom(
                            "preferred_channel",
                            "picklist",
                            "Preferred channel",
                            ("email", "phone", "sms"),
                        ),
                    ),
                    "companies": (_custom("credit_limit", "currency", "Credit limit"),),
                    "deals": (_custom("competitor", "string", "Competitor"),),
                }
            ),
            limits=RateLimitConfig(interval_max=100, interval_ms=10_000, daily_max=250_000),
            token_ttl_s=1800,
            settings={
                "portal_id": 20000002,
                "app_id": 3000002,
                "currency": "EUR",
                "hub_domain": "globex-sandbox.hubspot.com",
                "company": "Globex GmbH",
            },
        ),
    ]
