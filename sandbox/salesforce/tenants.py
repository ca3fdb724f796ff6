"""The two shipped Salesforce orgs. Their credentials are fixed and documented
(sandbox/README.md) because the demo and the tests log in with them."""

from __future__ import annotations

from sandbox.core import FieldDef, RateLimitConfig, TenantConfig
from sandbox.salesforce.ids import SalesforceIds

API_VERSION = "59.0"
PODS = {"acme": "5g", "globex": "8j"}


# ToothPick's correlation key, as an admin would add it: Text(255), External ID, Unique,
# on every object the hub creates (adapters/salesforce_writes.py).
TOOTHPICK_ID = FieldDef(
    "ToothPick_Id__c", "string", label="ToothPick Id", custom=True, external_id=True
)
KEYED = ("Contact", "Account", "Opportunity", "Task", "Quote", "Product2")


def _with_key(custom: dict[str, tuple[FieldDef, ...]]) -> dict[str, tuple[FieldDef, ...]]:
    return {name: (*custom.get(name, ()), TOOTHPICK_ID) for name in {*custom, *KEYED}}


def org_id(tenant: str) -> str:
    return SalesforceIds("00D", PODS[tenant]).format(41 if tenant == "acme" else 73)


def default_tenants() -> list[TenantConfig]:
    return [
        TenantConfig(
            name="acme",
            seed=101,
            description="Enterprise Edition org, USD, 100,000 API requests per rolling 24 h",
            credentials={
                "username": "integration@acme.sandbox",
                "password": "acme-sf-password",
                "security_token": "ACMETOKEN",
                "client_id": "3MVG9acme.sandbox.consumer.key",
                "client_secret": "acme-sf-consumer-secret",
                "session_id": "00D5g-acme-static-session",
                "refresh_token": "5Aep861acme.sandbox.refresh.token",
            },
            custom_fields=_with_key(
                {
                    "Contact": (
                        FieldDef(
                            "Loyalty_Tier__c",
                            "picklist",
                            label="Loyalty Tier",
                            options=("Bronze", "Silver", "Gold", "Platinum"),
                            custom=True,
                        ),
                    ),
                    "Account": (
                        FieldDef("Customer_Since__c", "date", label="Customer Since", custom=True),
                        FieldDef(
                            "Region__c",
                            "picklist",
                            label="Region",
                            options=("AMER", "EMEA", "APAC"),
                            custom=True,
                        ),
                    ),
                    "Opportunity": (
                        FieldDef(
                            "Discount_Approved__c",
                            "boolean",
                            label="Discount Approved",
                            custom=True,
                        ),
                    ),
                }
            ),
            limits=RateLimitConfig(
                interval_max=1_000_000, interval_ms=1000, daily_max=100_000, daily_reset="rolling"
            ),
            token_ttl_s=7200,
            settings={
                "org_id": org_id("acme"),
                "pod": PODS["acme"],
                "currency": "USD",
                "edition": "Enterprise Edition",
            },
        ),
        TenantConfig(
            name="globex",
            seed=202,
            description="Developer Edition org, EUR, 15,000 API requests per rolling 24 h",
            credentials={
                "username": "integration@globex.sandbox",
                "password": "globex-sf-password",
                "security_token": "GLOBEXTOKEN",
                "client_id": "3MVG9globex.sandbox.consumer.key",
                "client_secret": "globex-sf-consumer-secret",
                "session_id": "00D8j-globex-static-session",
                "refresh_token": "5Aep861globex.sandbox.refresh.token",
            },
            custom_fields=_with_key(
                {
                    "Contact": (
                        FieldDef(
                            "Preferred_Channel__c",
                            "picklist",
                            label="Preferred Channel",
                            options=("Email", "Phone", "SMS"),
                            custom=True,
                        ),
                    ),
                    "Account": (
                        FieldDef("Credit_Limit__c", "currency", label="Credit Limit", custom=True),
                    ),
                    "Opportunity": (
                        FieldDef(
                            "Competitor__c", "string", label="Competitor", length=80, custom=True
                        ),
                    ),
                }
            ),
            limits=RateLimitConfig(
                interval_max=1_000_000, interval_ms=1000, daily_max=15_000, daily_reset="rolling"
            ),
            token_ttl_s=7200,
            settings={
                "org_id": org_id("globex"),
                "pod": PODS["globex"],
                "currency": "EUR",
                "edition": "Developer Edition",
            },
        ),
    ]
