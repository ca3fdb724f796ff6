"""OpenID Connect users mapped to an organisation and a role, and the secrets checked.

What cannot run here: Streamlit's own `st.login` round trip (the redirect to a real
provider, its token endpoint and keys, the identity cookie). The mapping below is
everything the hub adds on top of it."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.models import Role
from core.oidc import AccessRules, check_config, map_identity

RULES = AccessRules.model_validate(
    {
        "organisation_claim": "tp_org",
        "role_claim": "tp_role",
        "users": {"Ana@Acme.example": "acme:admin"},
        "domains": {"acme.example": "acme:viewer"},
    }
)
AUTH = {
    "redirect_uri": "https://hub.acme.example/oauth2callback",
    "cookie_secret": "x" * 40,
    "client_id": "hub",
    "client_secret": "s3cret-value",
    "server_metadata_url": "https://login.acme.example/.well-known/openid-configuration",
}


def _claims(**extra: Any) -> dict[str, Any]:
    return {"is_logged_in": True, "iss": "https://login.acme.example", "sub": "u1", **extra}


def test_an_address_wins_over_its_domain_and_both_over_claims() -> None:
    ana = map_identity(_claims(email="ana@ACME.example", tp_role="viewer"), RULES)
    assert ana is not None and (ana.organisation_id, ana.role) == ("acme", Role.ADMIN)
    bob = map_identity(_claims(email="bob@acme.example", sub="u2"), RULES)
    assert bob is not None and bob.role is Role.VIEWER and bob.user_id != ana.user_id
    carol = map_identity(
        _claims(email="carol@other.example", tp_org="globex", tp_role="operator"), RULES
    )
    assert carol is not None and (carol.organisation_id, carol.role) == ("globex", Role.OPERATOR)


def test_unknown_unverified_and_malformed_users_are_refused() -> None:
    assert map_identity(_claims(email="mallory@evil.example"), RULES) is None
    assert map_identity(_claims(email="ana@acme.example", email_verified=False), RULES) is None
    assert map_identity(_claims(email="x@y.example", tp_org="acme", tp_role="root"), RULES) is None
    assert (
        map_identity(_claims(email="x@y.example", tp_org="ACME!", tp_role="admin"), RULES) is None
    )
    assert map_identity({"is_logged_in": True}, RULES) is None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(["email", "sub", "tp_org", "tp_role", "iss",
       "email_verified"]), st.one_of(st.text(max_size=40), st.booleans(), st.none())))  # fmt: skip
def test_any_claims_map_to_a_valid_grant_or_none(claims: dict[str, Any]) -> None:
    found = map_identity(claims, RULES)
    if found is not None:
        assert found.role in set(Role) and found.user_id.startswith("oidc-")


def test_a_complete_configuration_passes() -> None:
    rules, problems = check_config(
        {"auth": AUTH, "toothpick_access": {"users": {"a@b.c": "acme:admin"}}}
    )
    assert problems == [] and rules is not None and "a@b.c" in rules.users


def test_configuration_problems_are_named_without_secret_values() -> None:
    broken = {**AUTH, "redirect_uri": "https://hub/callback", "cookie_secret": "short"}
    del broken["client_id"]
    broken["server_metadata_url"] = "http://login.acme.example/.well-known/openid-configuration"
    rules, problems = check_config({"auth": broken, "toothpick_access": {"users": {}}})
    assert rules is None
    text = "; ".join(problems)
    for expected in ("client_id is missing", "oauth2callback", "cookie_secret", "https",
                     "nobody could sign in"):  # fmt: skip
        assert expected in text
    assert "s3cret-value" not in text and "short" not in text
    _, missing = check_config({"auth": AUTH})
    assert any("[toothpick_access] is missing" in p for p in missing)
    _, bad_grant = check_config({"auth": AUTH, "toothpick_access": {"users": {"a@b.c": "admin"}}})
    assert any("users" in p for p in bad_grant)
    named = {
        "auth": {"redirect_uri": AUTH["redirect_uri"], "cookie_secret": AUTH["cookie_secret"],
                 "google": {"client_id": "x"}},
        "toothpick_access": {"domains": {"b.c": "acme:viewer"}},
    }  # fmt: skip
    _, provider = check_config(named)
    assert "[auth.google] client_secret is missing" in provider
