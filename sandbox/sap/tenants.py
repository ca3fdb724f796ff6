"""The two shipped SAP S/4HANA Cloud tenants. Credentials are fixed and documented
in sandbox/README.md: the demo and the tests log in with them.

Each tenant has a communication user (HTTP Basic) and an OAuth 2.0 client for
the client-credentials grant; as in S/4HANA Cloud, the client secret is the
communication user's password. `sid`/`client` name the system in cookie names
and the SAP realm.
"""

from __future__ import annotations

from sandbox.core import FieldDef, RateLimitConfig, TenantConfig

SCALE = {
    "A_Product": 200,
    "A_BusinessPartner": 80,
    "A_SalesOrder": 300,
    "A_SalesQuotation": 100,
    "A_MatlStkInAcctMod": 400,
}
# SAP publishes no per-tenant API rate limit for S/4HANA Cloud; budgets only count.
_LIMITS = RateLimitConfig(interval_max=1_000_000, interval_ms=1000, daily_max=10_000_000)


def _custom(name: str, kind: str, label: str, *options: str, length: int = 20) -> FieldDef:
    return FieldDef(
        name,
        "picklist" if options else kind,  # type: ignore[arg-type]
        label=label,
        options=options,
        custom=True,
        length=length,
    )


def default_tenants() -> list[TenantConfig]:
    return [
        TenantConfig(
            name="acme",
            seed=301,
            description="S/4HANA Cloud 2408, company code 1710 (US, USD), plants 1710 and 1720",
            credentials={
                "username": "TOOTHPICK_ACME_COMM",
                "password": "Acme-S4HC-Comm-Password-1",
                "client_id": "TOOTHPICK_ACME_OAUTH",
                "client_secret": "Acme-S4HC-Comm-Password-1",
            },
            scale=SCALE,
            custom_fields={
                "A_Product": (
                    _custom("YY1_ShelfLifeCategory_PRD", "string", "Shelf Life", "S", "M", "L"),
                    _custom("YY1_IsHazardous_PRD", "boolean", "Hazardous Goods"),
                ),
                "A_SalesOrder": (
                    _custom("YY1_DeliveryPriority_SDH", "string", "Priority", "STD", "EXP", "OVN"),
                ),
                "A_BusinessPartner": (
                    _custom("YY1_CustomerTier_bus", "string", "Customer Tier", "A", "B", "C"),
                ),
            },
            limits=_LIMITS,
            settings={
                "sid": "ACM",
                "client": "100",
                "sales_org": "1710",
                "plants": ("1710", "1720"),
                "currency": "USD",
                "languages": ("EN",),
                "event_source": "/default/sap.s4.beh/300001",
            },
        ),
        TenantConfig(
            name="globex",
            seed=302,
            description="S/4HANA Cloud 2408, company code 1010 (DE, EUR), plant 1010, EN+DE texts",
            credentials={
                "username": "TOOTHPICK_GLOBEX_COMM",
                "password": "Globex-S4HC-Comm-Password-2",
                "client_id": "TOOTHPICK_GLOBEX_OAUTH",
                "client_secret": "Globex-S4HC-Comm-Password-2",
            },
            scale=SCALE,
            custom_fields={
                "A_Product": (
                    _custom("YY1_RecyclingCode_PRD", "string", "Recycling Code", length=12),
                ),
                "A_SalesQuotation": (
                    _custom("YY1_CompetitorName_SDH", "string", "Competitor", length=40),
                ),
            },
            limits=_LIMITS,
            settings={
                "sid": "GLX",
                "client": "100",
                "sales_org": "1010",
                "plants": ("1010",),
                "currency": "EUR",
                "languages": ("EN", "DE"),
                "event_source": "/default/sap.s4.beh/300002",
                "deletion_flag_every": 50,
            },
        ),
    ]
